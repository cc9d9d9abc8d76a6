import CCRCore
import CCRTestSupport
import Testing

/// A provider stream converter as the golden tests drive it.
protocol RecordedStreamConverter {
    mutating func consume(_ event: SSEEvent) -> AnthropicStreamProgress
    mutating func finish(sawDone: Bool) -> AnthropicStreamProgress
    mutating func takeOutput() -> [UInt8]
}

extension OpenAIChatStreamConverter: RecordedStreamConverter {}
extension OpenAIResponsesStreamConverter: RecordedStreamConverter {}
extension GeminiStreamConverter: RecordedStreamConverter {}

extension Fixtures {
    /// What converting a recorded stream gave.
    enum StreamOutcome {
        /// Anthropic SSE bytes.
        case stream([UInt8])
        /// The provider failed before any content: an HTTP error for the client.
        case failedBeforeContent(AnthropicError)

        /// The bytes, or `FAILED:` and the error's message.
        var bytes: [UInt8] {
            switch self {
            case .stream(let bytes): bytes
            case .failedBeforeContent(let error): Array("FAILED:\(error.message)".utf8)
            }
        }
    }

    /// Feeds the recorded bytes to `converter` in pieces of `chunkSize` (0 = as recorded).
    static func convertStream(_ body: [UInt8], chunkSize: Int, with converter: some RecordedStreamConverter) -> StreamOutcome {
        var converter = converter
        var decoder = SSEDecoder()
        var output: [UInt8] = []
        var done = false
        var failure: AnthropicError?
        let pieces: [ArraySlice<UInt8>] =
            chunkSize == 0 ? [body[...]] : stride(from: 0, to: body.count, by: chunkSize).map { body[$0..<min($0 + chunkSize, body.count)] }
        for piece in pieces where !done {
            decoder.feed(piece) { event in
                guard !done else { return }
                switch converter.consume(event) {
                case .streaming: break
                case .finished: done = true
                case .failedBeforeContent(let error):
                    failure = error
                    done = true
                }
            }
            output += converter.takeOutput()
        }
        if !done {
            if let last = decoder.finish(), case .failedBeforeContent(let error) = converter.consume(last) { failure = error }
            if failure == nil, case .failedBeforeContent(let error) = converter.finish(sawDone: false) { failure = error }
            output += converter.takeOutput()
        }
        if let failure { return .failedBeforeContent(failure) }
        return .stream(output)
    }

    /// Checks a converted answer against what the recording says the model produced: text,
    /// thinking, tool names and inputs, stop reason and usage. `thoughtsBilledAsOutput`: the
    /// provider bills thoughts as output, so `output_tokens_alt` (when recorded) is the count.
    static func check(
        _ summary: AnthropicStreamValidator.Summary, against expect: JSONValue, case id: String, thoughtsBilledAsOutput: Bool = false
    ) {
        #expect(Self.collapsed(summary.text) == Self.collapsed(expect["text"]?.stringValue ?? ""), "text of \(id)")
        #expect(Self.noWhitespace(summary.thinking) == Self.noWhitespace(expect["thinking"]?.stringValue ?? ""), "thinking of \(id)")
        let tools = (expect["tools"]?.arrayValue ?? []).map { ($0["name"]?.stringValue ?? "", $0["input"] ?? .null) }
        #expect(summary.tools.map(\.name) == tools.map(\.0), "tool names of \(id)")
        for (got, want) in zip(summary.tools, tools) where !(want.1["<unparsable>"] != nil) {
            #expect(got.input == want.1, "tool input of \(id)")
        }
        if let stop = expect["stop"]?.stringValue { #expect(summary.stopReason == stop, "stop reason of \(id)") }
        let alternative = thoughtsBilledAsOutput ? expect["output_tokens_alt"]?.intValue : nil
        if let output = alternative ?? expect["output_tokens"]?.intValue {
            #expect(summary.usage?["output_tokens"]?.intValue == output, "output tokens of \(id)")
        }
        if let prompt = expect["prompt_tokens"]?.intValue {
            let usage = summary.usage
            let total = (usage?["input_tokens"]?.intValue ?? 0) + (usage?["cache_read_input_tokens"]?.intValue ?? 0) + (usage?["cache_creation_input_tokens"]?.intValue ?? 0)
            #expect(total == prompt, "input tokens of \(id)")
            if let cached = expect["cached_tokens"]?.intValue { #expect(usage?["cache_read_input_tokens"]?.intValue == cached, "cached tokens of \(id)") }
        }
    }

    /// The validated summary of a converted stream, or `nil` (with an issue recorded) when the
    /// stream is not a valid Anthropic stream.
    static func summarize(_ output: [UInt8], _ id: String) -> AnthropicStreamValidator.Summary? {
        do {
            return try AnthropicStreamValidator.validate(output)
        } catch {
            Issue.record("\(id): \(error)\n\(String(decoding: output.prefix(800), as: UTF8.self))")
            return nil
        }
    }

    /// The summary to check against the recording's expectations: `nil` when the stream is
    /// invalid (an issue recorded) or when the recording is of a failure, where the stream must
    /// end with an error event.
    static func expectedStreamSummary(_ output: [UInt8], of recorded: ProviderCase, chunkSize: Int) -> AnthropicStreamValidator.Summary? {
        guard let summary = Self.summarize(output, "\(recorded.id) (pieces of \(chunkSize))") else { return nil }
        if recorded.expect["error"]?.isNull == false {
            #expect(summary.endedWithError != nil, "\(recorded.id) should end with an error event")
            return nil
        }
        return summary
    }
}
