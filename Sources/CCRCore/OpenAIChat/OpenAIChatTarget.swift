/// What an OpenAI-compatible endpoint accepts beyond the common core, inferred from its URL and
/// model: how it takes the token limit and whether (and how) it takes a reasoning setting.
public struct OpenAIChatTarget: Sendable, Equatable {
    /// How a provider is asked for reasoning.
    public enum ReasoningStyle: String, Sendable {
        /// Nothing is sent: the model's default applies (generic endpoints, which may reject
        /// unknown fields).
        case none
        /// `reasoning_effort: low|medium|high` (OpenAI's reasoning models).
        case reasoningEffort
        /// `reasoning: {effort}` (OpenRouter).
        case openRouter
        /// `enable_thinking: true` (Qwen on DashScope).
        case enableThinking
        /// `thinking: {type: "enabled"}` (GLM on Zhipu / Z.ai).
        case thinkingType
    }

    /// The upstream model name.
    public var model: String
    /// `max_completion_tokens` instead of `max_tokens` (OpenAI and Azure OpenAI).
    public var usesMaxCompletionTokens: Bool
    public var reasoningStyle: ReasoningStyle

    public init(model: String, usesMaxCompletionTokens: Bool = false, reasoningStyle: ReasoningStyle = .none) {
        self.model = model
        self.usesMaxCompletionTokens = usesMaxCompletionTokens
        self.reasoningStyle = reasoningStyle
    }

    /// The target for a provider URL and model.
    public static func infer(baseURL: String, model: String) -> OpenAIChatTarget {
        let host = URLParts(baseURL)?.host ?? ""
        let lowered = model.lowercased()
        if host.hasSuffix("openai.com") || host.hasSuffix("openai.azure.com") || host.hasSuffix("cognitiveservices.azure.com") {
            let reasoningModel = lowered.hasPrefix("o1") || lowered.hasPrefix("o3") || lowered.hasPrefix("o4") || lowered.hasPrefix("gpt-5")
            return OpenAIChatTarget(model: model, usesMaxCompletionTokens: true, reasoningStyle: reasoningModel ? .reasoningEffort : .none)
        }
        if host.hasSuffix("openrouter.ai") { return OpenAIChatTarget(model: model, reasoningStyle: .openRouter) }
        if host.contains("dashscope") { return OpenAIChatTarget(model: model, reasoningStyle: .enableThinking) }
        if host.hasSuffix("bigmodel.cn") || host.hasSuffix("z.ai") { return OpenAIChatTarget(model: model, reasoningStyle: .thinkingType) }
        return OpenAIChatTarget(model: model)
    }
}
