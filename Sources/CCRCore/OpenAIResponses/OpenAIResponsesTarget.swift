/// What an OpenAI Responses endpoint accepts for a model, inferred from its URL and model name:
/// whether the model reasons (and so takes `reasoning` and returns encrypted reasoning, but
/// refuses `temperature`/`top_p`), and whether the endpoint takes a `prompt_cache_key`.
public struct OpenAIResponsesTarget: Sendable, Equatable {
    /// The upstream model name.
    public var model: String
    /// A reasoning model (o-series, gpt-5, codex, gpt-oss, grok-4…): `reasoning` and
    /// `include: ["reasoning.encrypted_content"]` are sent, sampling settings are not.
    public var isReasoningModel: Bool
    /// Whether `reasoning: {effort, summary}` is sent to a reasoning model. xAI's reasoning models
    /// reason by default and reject an effort setting.
    public var sendsReasoningSettings: Bool
    /// The reasoning summary asked for (`auto`, `concise`, `detailed`): what Claude Code shows as
    /// thinking. `nil` asks for none (OpenAI refuses summaries to organizations it has not
    /// verified).
    public var reasoningSummary: String?
    /// The key that keeps one conversation's requests on the same prompt cache (OpenAI only);
    /// `nil` sends none.
    public var promptCacheKey: String?

    public init(
        model: String, isReasoningModel: Bool, sendsReasoningSettings: Bool = true, reasoningSummary: String? = "auto", promptCacheKey: String? = nil
    ) {
        self.model = model
        self.isReasoningModel = isReasoningModel
        self.sendsReasoningSettings = sendsReasoningSettings
        self.reasoningSummary = reasoningSummary
        self.promptCacheKey = promptCacheKey
    }

    /// The target for a provider URL and model; `sessionID` becomes the prompt cache key on
    /// OpenAI's own endpoints.
    ///
    /// - Parameter options: the `openai-responses` transformer's options. `"summary"` sets the
    ///   reasoning summary (`"auto"` by default; `"none"` or `false` for none).
    public static func infer(baseURL: String, model: String, sessionID: String? = nil, options: JSONObject = [:]) -> OpenAIResponsesTarget {
        let host = URLParts(baseURL)?.host ?? ""
        let isOpenAI = host.hasSuffix("openai.com")
        var summary: String? = "auto"
        switch options["summary"] {
        case .string(let value)?: summary = value == "none" || value.isEmpty ? nil : value
        case .bool(false)?, .null?: summary = nil
        default: break
        }
        return OpenAIResponsesTarget(
            model: model, isReasoningModel: Self.isReasoningModel(model), sendsReasoningSettings: !host.hasSuffix("x.ai"),
            reasoningSummary: summary, promptCacheKey: isOpenAI ? sessionID : nil)
    }

    /// Whether a model name (with or without a `vendor/` prefix) names a reasoning model.
    public static func isReasoningModel(_ model: String) -> Bool {
        let name = model.lowercased().split(separator: "/").last.map(String.init) ?? ""
        if name.contains("-chat") || name.contains("non-reasoning") { return false }
        for prefix in ["o1", "o3", "o4", "gpt-5", "codex", "gpt-oss", "grok-4", "grok-3-mini"] where name.hasPrefix(prefix) {
            return true
        }
        return name.contains("reasoning") || name.contains("thinking")
    }
}
