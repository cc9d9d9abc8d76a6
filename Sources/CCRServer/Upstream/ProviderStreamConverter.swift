import CCRCore

/// A wire adapter's stream converter as ``ProviderStream`` drives it: fed the provider's events
/// one at a time (or one JSON body), it produces Anthropic event bytes.
protocol ProviderStreamConverter: Sendable {
    /// Whether `message_start` has been produced.
    var hasStarted: Bool { get }
    /// The Anthropic bytes produced since the last call.
    mutating func takeOutput() -> [UInt8]
    /// Feeds one SSE event.
    mutating func consume(_ event: SSEEvent) -> OpenAIChatStreamConverter.Progress
    /// Feeds one decoded JSON body.
    mutating func consume(chunk: JSONValue) -> OpenAIChatStreamConverter.Progress
    /// The provider's body ended (`sawDone`: it said so itself).
    mutating func finish(sawDone: Bool) -> OpenAIChatStreamConverter.Progress
    /// Ends the stream with an error (or reports it, before any content).
    mutating func fail(_ error: AnthropicError) -> OpenAIChatStreamConverter.Progress
}

extension ProviderStreamConverter {
    mutating func finish() -> OpenAIChatStreamConverter.Progress { self.finish(sawDone: false) }
}

extension OpenAIChatStreamConverter: ProviderStreamConverter {}
extension OpenAIResponsesStreamConverter: ProviderStreamConverter {}
extension GeminiStreamConverter: ProviderStreamConverter {}
