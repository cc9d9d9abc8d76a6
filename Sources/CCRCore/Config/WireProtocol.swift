/// The wire protocols ccr can speak to an upstream.
public enum WireProtocol: String, Sendable, Equatable {
    /// Anthropic Messages (`/v1/messages`): the body is forwarded as is.
    case anthropic
    /// OpenAI Chat Completions (`/chat/completions`).
    case openAIChat = "openai-chat"
    /// Gemini `generateContent` / `streamGenerateContent` (`…/v1beta/models/`).
    case gemini
    /// OpenAI Responses (`/v1/responses`).
    case openAIResponses = "openai-responses"
}
