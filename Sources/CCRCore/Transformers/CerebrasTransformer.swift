/// `cerebras`: adapts requests to Cerebras.
///
/// - `reasoning` (OpenRouter's field, which Cerebras rejects) is removed.
/// - For GLM models (`zai-glm-…`), the one family Cerebras documents `disable_reasoning` for, it is
///   set from the request: `true` when Claude Code turned thinking off, `false` otherwise. The
///   original sent `disable_reasoning: false` to every model.
/// - For gpt-oss models, a requested reasoning effort is sent as `reasoning_effort`.
///
/// The key goes as `Authorization: Bearer`, which ccr does for every OpenAI Chat provider.
public struct CerebrasTransformer: Transformer {
    public static let name = "cerebras"

    public init(options: JSONObject) {}

    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {
        request.removeValue(forKey: "reasoning")
        let model = (request["model"]?.stringValue ?? context.model).lowercased()
        if model.contains("glm") {
            request["disable_reasoning"] = .bool(context.thinkingRequested == false)
        } else if model.contains("gpt-oss") {
            if let effort = OpenAIChatRequestEncoder.requestedEffort(context.anthropicRequest) { request["reasoning_effort"] = .string(effort) }
        } else {
            request.removeValue(forKey: "reasoning_effort")
        }
    }
}
