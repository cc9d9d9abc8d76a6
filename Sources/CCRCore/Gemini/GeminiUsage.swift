/// Reads Gemini's `usageMetadata` and `finishReason` in Anthropic's terms.
enum GeminiUsage {
    /// `input_tokens` is the prompt less what the context cache served (plus the prompt Gemini's
    /// own tools added, such as search results); cache reads are `cachedContentTokenCount`;
    /// `output_tokens` counts the answer and the thoughts, which Gemini bills as output.
    /// `nil` until the metadata has token counts (the first chunks of a stream may have none).
    static func anthropic(_ metadata: JSONValue?) -> AnthropicUsage? {
        guard let metadata, metadata.objectValue != nil else { return nil }
        let prompt = metadata["promptTokenCount"]?.intValue
        let candidates = metadata["candidatesTokenCount"]?.intValue
        guard prompt != nil || candidates != nil else { return nil }
        let cached = metadata["cachedContentTokenCount"]?.intValue ?? 0
        let toolPrompt = metadata["toolUsePromptTokenCount"]?.intValue ?? 0
        let thoughts = metadata["thoughtsTokenCount"]?.intValue ?? 0
        return AnthropicUsage(
            inputTokens: max(0, (prompt ?? 0) - cached) + toolPrompt, outputTokens: (candidates ?? 0) + thoughts, cacheReadInputTokens: cached)
    }

    /// Finish reasons that mean the answer was withheld: reported as `refusal`, which Claude Code
    /// shows as a declined request instead of an answer that silently stopped.
    static let refusals: Set<String> = [
        "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
    ]

    /// Finish reasons that mean the model failed to call a function properly: with nothing else
    /// produced they are reported as a retryable error, not as an empty answer.
    static let failedCalls: Set<String> = ["MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS"]

    /// The stop reason for a finish reason.
    static func stopReason(_ finish: String?, sawFunctionCall: Bool) -> String {
        let finish = finish?.uppercased() ?? ""
        if finish == "MAX_TOKENS" { return "max_tokens" }
        if Self.refusals.contains(finish) { return "refusal" }
        return sawFunctionCall ? "tool_use" : "end_turn"
    }
}
