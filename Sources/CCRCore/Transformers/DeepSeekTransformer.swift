/// `deepseek {max_tokens = 8192}`: caps the token limit at 8192 (or the option), DeepSeek's limit
/// for `deepseek-chat`, as the original did.
///
/// The original's other work for DeepSeek is built into ccr's OpenAI Chat adapter for every
/// provider: `reasoning_content` becomes a thinking block as it streams, and is sent back on the
/// next turn (the original lost it, which DeepSeek's thinking mode with tools rejects).
public struct DeepSeekTransformer: Transformer {
    public static let name = "deepseek"
    /// The cap.
    public let maxTokens: Int

    public static func validate(options: JSONObject) -> [String] {
        TransformerOptions.checkPositiveInteger(options, "max_tokens")
    }

    public init(options: JSONObject) {
        self.maxTokens = TransformerOptions.positiveInteger(options["max_tokens"]) ?? 8192
    }

    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {
        TransformerOptions.capTokenLimit(&request, at: self.maxTokens)
    }
}
