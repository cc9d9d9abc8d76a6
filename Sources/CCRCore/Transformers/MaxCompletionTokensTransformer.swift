/// `maxcompletiontokens`: sends the token limit as `max_completion_tokens` instead of `max_tokens`,
/// for endpoints that only take the newer name. (ccr already does this for api.openai.com and Azure
/// OpenAI; this is for other hosts of OpenAI's reasoning models.)
public struct MaxCompletionTokensTransformer: Transformer {
    public static let name = "maxcompletiontokens"

    public init(options: JSONObject) {}

    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {
        guard let limit = request.removeValue(forKey: "max_tokens") else { return }
        if request["max_completion_tokens"] == nil { request["max_completion_tokens"] = limit }
    }
}
