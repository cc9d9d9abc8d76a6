/// An ``OpenAIChatStreamConverter`` behind a chain's stream stages: each provider chunk passes the
/// stages before the converter turns it into Anthropic events.
///
/// With no stages the events go straight to the converter, unparsed here, so a provider without
/// stream transformers pays nothing for this type.
public struct TransformedStreamConverter: Sendable {
    public typealias Progress = OpenAIChatStreamConverter.Progress

    private var converter: OpenAIChatStreamConverter
    private var pipeline: TransformerStreamPipeline

    public init(converter: OpenAIChatStreamConverter, pipeline: TransformerStreamPipeline) {
        self.converter = converter
        self.pipeline = pipeline
    }

    /// Whether `message_start` has been produced.
    public var hasStarted: Bool { self.converter.hasStarted }

    /// The Anthropic bytes produced since the last call.
    public mutating func takeOutput() -> [UInt8] { self.converter.takeOutput() }

    /// Feeds one SSE event from the provider.
    public mutating func consume(_ event: SSEEvent) -> Progress {
        if self.pipeline.isEmpty { return self.converter.consume(event) }
        if event.isDone { return self.finish(sawDone: true) }
        if event.data.isEmpty { return .streaming }
        guard let chunk = try? JSONParser.parse(event.data) else {
            return self.converter.consume(event)  // reports the chunk that is not JSON
        }
        return self.consume(chunk: chunk)
    }

    /// Feeds one decoded chunk.
    public mutating func consume(chunk: JSONValue) -> Progress {
        if self.pipeline.isEmpty { return self.converter.consume(chunk: chunk) }
        return self.deliver(self.pipeline.feed(chunk))
    }

    /// The provider's stream ended: what the stages hold goes to the converter, then it finishes.
    public mutating func finish(sawDone: Bool = false) -> Progress {
        let progress = self.deliver(self.pipeline.finish())
        if progress != .streaming { return progress }
        return self.converter.finish(sawDone: sawDone)
    }

    /// Ends the stream with an error.
    public mutating func fail(_ error: AnthropicError) -> Progress {
        self.converter.fail(error)
    }

    private mutating func deliver(_ chunks: [JSONValue]) -> Progress {
        for chunk in chunks {
            let progress = self.converter.consume(chunk: chunk)
            if progress != .streaming { return progress }
        }
        return .streaming
    }
}
