/// A built-in transformer: a stage named in a provider's `transformer.use` list that adjusts the
/// OpenAI Chat request after the wire adapter encoded it, and the provider's answer before the
/// adapter decodes it.
///
/// Hooks work on the OpenAI Chat Completions shapes (the original's "unified" format): the request
/// body, each parsed stream chunk, and a non-streamed `chat.completion` object. Every hook has a
/// default that does nothing, so a type implements only what it changes.
///
/// Options come from the `["name", {options}]` form and are accepted by every transformer (the
/// original took them only for some). ``validate(options:)`` runs when the config loads; an
/// instance is only ever built from options it accepted.
public protocol Transformer: Sendable {
    /// The name used in `use` lists (case-sensitive, as in the original).
    static var name: String { get }

    /// What is wrong with `options`, one message per problem (empty when usable). Unknown keys are
    /// not problems: the original ignored them too.
    static func validate(options: JSONObject) -> [String]

    /// Builds the transformer from options that ``validate(options:)`` accepted.
    init(options: JSONObject)

    /// Changes the OpenAI Chat request before it is sent.
    func transformRequest(_ request: inout JSONObject, context: TransformerContext)

    /// Changes a non-streamed OpenAI Chat answer (`chat.completion`) before it is decoded.
    func transformResponse(_ response: inout JSONObject, context: TransformerContext)

    /// The per-response state that rewrites stream chunks, or `nil` when this transformer leaves
    /// streams alone.
    func makeStreamStage(context: TransformerContext) -> (any TransformerStreamStage)?
}

extension Transformer {
    public static func validate(options: JSONObject) -> [String] { [] }
    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {}
    public func transformResponse(_ response: inout JSONObject, context: TransformerContext) {}
    public func makeStreamStage(context: TransformerContext) -> (any TransformerStreamStage)? { nil }
}

/// One transformer's view of one streamed answer: fed the provider's chunks in order, it writes
/// zero or more chunks for the next stage for each.
///
/// A stage may hold chunks back only as long as it must (``EnhanceToolTransformer`` holds one tool
/// call's arguments until the call ends); whatever it holds comes out in ``finish(into:)``.
public protocol TransformerStreamStage: Sendable {
    /// Takes one chunk and appends what should follow it downstream.
    mutating func transform(_ chunk: JSONValue, into output: inout [JSONValue])
    /// The provider's stream ended: appends anything still held.
    mutating func finish(into output: inout [JSONValue])
}

extension TransformerStreamStage {
    public mutating func finish(into output: inout [JSONValue]) {}
}

/// What a transformer may know about the request it works on.
public struct TransformerContext: Sendable {
    /// The provider's name in the config.
    public var providerName: String
    /// The provider's endpoint URL.
    public var baseURL: String
    /// The upstream model name.
    public var model: String
    /// The Anthropic request as Claude Code sent it (after routing), for transformers that need
    /// what the OpenAI encoding does not carry (the `thinking` setting, for instance).
    public var anthropicRequest: JSONObject

    public init(providerName: String, baseURL: String, model: String, anthropicRequest: JSONObject = [:]) {
        self.providerName = providerName
        self.baseURL = baseURL
        self.model = model
        self.anthropicRequest = anthropicRequest
    }

    /// What the OpenAI Chat adapter infers about the endpoint.
    public var target: OpenAIChatTarget { OpenAIChatTarget.infer(baseURL: self.baseURL, model: self.model) }

    /// Whether the request streams.
    public var isStreaming: Bool { self.anthropicRequest["stream"]?.boolValue == true }

    /// The Anthropic `thinking` setting: `true` enabled (or adaptive), `false` disabled, `nil` absent.
    public var thinkingRequested: Bool? {
        guard let thinking = self.anthropicRequest["thinking"], !thinking.isNull else { return nil }
        return thinking["type"]?.stringValue != "disabled"
    }
}
