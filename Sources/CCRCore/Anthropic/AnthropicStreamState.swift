/// What the caller of a provider stream converter (``OpenAIChatStreamConverter``,
/// ``OpenAIResponsesStreamConverter``, ``GeminiStreamConverter``) should do after a chunk.
public enum AnthropicStreamProgress: Sendable, Equatable {
    /// Keep feeding.
    case streaming
    /// The stream is complete (message_stop written).
    case finished
    /// The provider failed before any content: answer with this error instead of a stream.
    case failedBeforeContent(AnthropicError)
}

/// The Anthropic side of a provider stream converter, the same for every provider: the message's
/// id and model, `message_start` written once before the first content, contiguous block indices,
/// the count of bytes written (the output-token estimate when the provider reports no usage), and
/// the end of the stream (`message_delta` + `message_stop`, or an `error` event).
struct AnthropicStreamState: Sendable {
    let messageID: String
    let fallbackModel: String
    let inputTokenEstimate: Int
    var out = AnthropicSSEWriter()
    /// Whether `message_start` has been written.
    private(set) var started = false
    /// Whether the stream has ended (`message_stop` or `error` written).
    private(set) var finished = false
    private var nextIndex = 0
    private(set) var emittedBytes = 0
    /// The model the provider named, reported instead of `fallbackModel`.
    private(set) var model: String?

    init(messageID: String, model: String, inputTokenEstimate: Int) {
        self.messageID = messageID
        self.fallbackModel = model
        self.inputTokenEstimate = inputTokenEstimate
    }

    /// Keeps the first non-empty model name the provider gives.
    mutating func noteModel(_ name: String?) {
        if self.model == nil, let name, !name.isEmpty { self.model = name }
    }

    /// Writes `message_start` unless it was written; `inputTokens` defaults to the estimate.
    mutating func start(inputTokens: Int? = nil) {
        guard !self.started else { return }
        self.started = true
        self.out.messageStart(id: self.messageID, model: self.model ?? self.fallbackModel, inputTokens: inputTokens ?? self.inputTokenEstimate)
    }

    /// The index for the next content block.
    mutating func takeIndex() -> Int {
        defer { self.nextIndex += 1 }
        return self.nextIndex
    }

    /// Starts a text block at the next index, and returns the index.
    mutating func startText() -> Int {
        let index = self.takeIndex()
        self.out.startText(index: index)
        return index
    }

    /// Starts a thinking block at the next index, and returns the index.
    mutating func startThinking() -> Int {
        let index = self.takeIndex()
        self.out.startThinking(index: index)
        return index
    }

    /// Counts the bytes of `text`, content written.
    mutating func count(_ text: String) {
        self.emittedBytes += text.utf8.count
    }

    mutating func textDelta(index: Int, _ text: String) {
        self.out.textDelta(index: index, text)
        self.count(text)
    }

    mutating func thinkingDelta(index: Int, _ text: String) {
        self.out.thinkingDelta(index: index, text)
        self.count(text)
    }

    mutating func inputJSONDelta(index: Int, _ fragment: String) {
        self.out.inputJSONDelta(index: index, fragment)
        self.count(fragment)
    }

    /// Ends the stream: `message_delta` with the stop reason and the provider's usage (else the
    /// estimates), then `message_stop`.
    mutating func finish(stopReason: String, usage: AnthropicUsage?) -> AnthropicStreamProgress {
        let usage = usage ?? AnthropicUsage(inputTokens: self.inputTokenEstimate, outputTokens: max(1, self.emittedBytes / 4))
        self.out.messageDelta(stopReason: stopReason, usage: usage)
        self.out.messageStop()
        self.finished = true
        return .finished
    }

    /// How a failure ends the stream before the open block is closed: nothing more after the end,
    /// and before any content the caller answers with the error instead; `nil` when the converter
    /// should close its open block and call ``end(with:)``.
    func earlyFailure(_ error: AnthropicError) -> AnthropicStreamProgress? {
        if self.finished { return .finished }
        if !self.started { return .failedBeforeContent(error) }
        return nil
    }

    /// Ends the stream with an `error` event.
    mutating func end(with error: AnthropicError) -> AnthropicStreamProgress {
        self.out.error(error)
        self.finished = true
        return .finished
    }

    /// A `tool_use` id for a call the provider gave none.
    static func generatedToolID(_ messageID: String, _ index: Int) -> String {
        "toolu_\(messageID.filter { $0.isLetter || $0.isNumber }.suffix(16))_\(index)"
    }
}
