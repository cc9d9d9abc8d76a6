/// `reasoning {enable = true}`: turns reasoning on or off for endpoints that take a `thinking` or
/// `enable_thinking` field (Qwen on DashScope, ModelScope or SiliconFlow; GLM; Doubao; vLLM and
/// SGLang serving those models).
///
/// With `enable` true (the default) the field follows Claude Code's `thinking` setting: enabled
/// (or adaptive) turns reasoning on, with the budget when it gives one; disabled turns it off; no
/// `thinking` at all leaves the provider's default. With `enable: false` reasoning is always off.
///
/// Which field is written depends on the endpoint ccr recognises: `enable_thinking` (and
/// `thinking_budget`) for DashScope, `thinking: {type}` for Zhipu/Z.ai, and, as the original did,
/// both `thinking: {type, budget_tokens}` and `enable_thinking` for any other endpoint (the config
/// asked for them). The reasoning that comes back, in
/// `reasoning_content` or elsewhere, is read by ccr's OpenAI Chat adapter for every provider.
public struct ReasoningTransformer: Transformer {
    public static let name = "reasoning"
    /// `false` forces reasoning off.
    public let enable: Bool

    public static func validate(options: JSONObject) -> [String] {
        TransformerOptions.checkBool(options, "enable")
    }

    public init(options: JSONObject) {
        self.enable = options["enable"]?.boolValue ?? true
    }

    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {
        let on: Bool
        if !self.enable {
            on = false
        } else if let requested = context.thinkingRequested {
            on = requested
        } else {
            return
        }
        let thinking = context.anthropicRequest["thinking"]
        let budget = on && thinking?["type"]?.stringValue == "enabled" ? thinking?["budget_tokens"]?.intValue : nil
        switch context.target.reasoningStyle {
        case .enableThinking:
            request["enable_thinking"] = .bool(on)
            if let budget { request["thinking_budget"] = .int(budget) }
        case .thinkingType:
            request["thinking"] = ["type": on ? "enabled" : "disabled"]
        default:
            var setting: JSONObject = ["type": on ? "enabled" : "disabled"]
            if let budget { setting["budget_tokens"] = .int(budget) }
            request["thinking"] = .object(setting)
            request["enable_thinking"] = .bool(on)
        }
    }
}
