/// `maxtoken {max_tokens}`: caps the request's token limit at `max_tokens`.
///
/// Only a limit the request carries is lowered (`max_tokens`, or `max_completion_tokens` for
/// endpoints that take that); a request without one is left to the provider's default.
public struct MaxTokenTransformer: Transformer {
    public static let name = "maxtoken"
    /// The cap.
    public let maxTokens: Int

    public static func validate(options: JSONObject) -> [String] {
        TransformerOptions.checkPositiveInteger(options, "max_tokens", required: true)
    }

    public init(options: JSONObject) {
        self.maxTokens = TransformerOptions.positiveInteger(options["max_tokens"]) ?? Int.max
    }

    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {
        TransformerOptions.capTokenLimit(&request, at: self.maxTokens)
    }
}
