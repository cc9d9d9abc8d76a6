/// `sampling {max_tokens, temperature, top_p, top_k, repetition_penalty}`: caps the token limit at
/// `max_tokens` and sets each sampling parameter that the options give, whatever the request said.
///
/// `top_k` and `repetition_penalty` are not OpenAI fields; they are sent because the options ask
/// for them (vLLM, SGLang, SiliconFlow and others take them).
public struct SamplingTransformer: Transformer {
    public static let name = "sampling"
    static let parameters = ["temperature", "top_p", "top_k", "repetition_penalty"]

    /// The token cap, if any.
    public let maxTokens: Int?
    /// The parameters to set, in a fixed order.
    public let values: [(key: String, value: JSONValue)]

    public static func validate(options: JSONObject) -> [String] {
        TransformerOptions.checkPositiveInteger(options, "max_tokens") + Self.parameters.flatMap { TransformerOptions.checkNumber(options, $0) }
    }

    public init(options: JSONObject) {
        self.maxTokens = TransformerOptions.positiveInteger(options["max_tokens"])
        self.values = Self.parameters.compactMap { key in TransformerOptions.number(options[key]).map { (key, $0) } }
    }

    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {
        if let maxTokens { TransformerOptions.capTokenLimit(&request, at: maxTokens) }
        for (key, value) in self.values { request[key] = value }
    }
}
