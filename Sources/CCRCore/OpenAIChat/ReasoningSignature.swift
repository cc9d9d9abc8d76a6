/// What an OpenAI-compatible provider needs back from a thinking block on the next turn, carried
/// inside the Anthropic thinking block's `signature` (Claude Code echoes signatures unchanged).
///
/// The thinking text itself travels in the block; the signature says in which field the provider
/// sent it (so it goes back in the same one) and holds opaque extras such as OpenRouter's
/// `reasoning_details` (with their encrypted data and signatures).
public struct ReasoningSignature: Sendable, Equatable {
    /// The field the reasoning came in.
    public enum Dialect: String, Sendable {
        /// `reasoning_content` (DeepSeek, Qwen, GLM, Kimi, xAI…).
        case reasoningContent = "rc"
        /// `reasoning` (Groq, Ollama, OpenRouter without details…).
        case reasoning = "r"
        /// `reasoning_details` (OpenRouter).
        case reasoningDetails = "rd"
        /// `<think>…</think>` inside the content (MiniMax, some Qwen deployments).
        case thinkTag = "tag"
        /// Mistral's typed `thinking` content parts.
        case mistral = "mt"
    }

    public static let prefix = "ccr1."

    public var dialect: Dialect
    /// OpenRouter's `reasoning_details` entries for this block, merged per index.
    public var details: [JSONValue]

    public init(dialect: Dialect, details: [JSONValue] = []) {
        self.dialect = dialect
        self.details = details
    }

    /// The signature string: `ccr1.` + base64url of a small JSON object.
    public var encoded: String {
        var object: JSONObject = ["d": .string(self.dialect.rawValue)]
        if !self.details.isEmpty { object["rd"] = .array(self.details) }
        return Self.envelope(object)
    }

    /// Reads a signature written by ``encoded``; `nil` for any other signature (Anthropic's own,
    /// another gateway's).
    public init?(decoding signature: String) {
        guard let value = Self.opening(signature), let dialect = value["d"]?.stringValue.flatMap(Dialect.init(rawValue:)) else { return nil }
        self.dialect = dialect
        self.details = value["rd"]?.arrayValue ?? []
    }

    /// The `ccr1.` envelope, shared with ``OpenAIResponsesReasoningSignature``: `ccr1.` + base64url
    /// of `object`'s JSON, whose `d` names the dialect.
    static func envelope(_ object: JSONObject) -> String {
        Self.prefix + Base64URL.encode(JSONValue.object(object).encoded())
    }

    /// The JSON inside a signature written by ``envelope(_:)``; `nil` for any other signature.
    static func opening(_ signature: String) -> JSONValue? {
        guard signature.hasPrefix(Self.prefix), let bytes = Base64URL.decode(String(signature.dropFirst(Self.prefix.count))) else { return nil }
        return try? JSONParser.parse(bytes)
    }
}
