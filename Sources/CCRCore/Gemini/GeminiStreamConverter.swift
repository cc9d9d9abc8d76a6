/// Turns a Gemini `streamGenerateContent?alt=sse` stream (its `data:` chunks, one at a time) into a
/// valid Anthropic Messages event stream.
///
/// - `thought: true` parts become thinking blocks; text parts text blocks.
/// - A `thoughtSignature` (on a function call, a text part, a thought, or an empty last part) is
///   kept in the signature of a thinking block just before the part it was on
///   (``GeminiThoughtSignature``): the open thinking block's, or an empty one made for it, so that
///   Claude Code sends it back and the request encoder can return it to Gemini.
/// - A `functionCall` becomes a `tool_use` block whose input arrives in one `input_json_delta`;
///   calls whose arguments Gemini streams (`willContinue`, `partialArgs`) are assembled first.
/// - `finishReason` and `usageMetadata` (cumulative on every chunk) become the stop reason and usage.
///
/// Nothing is emitted until the first chunk with content, so that a stream that is empty or
/// fails at once can still become an HTTP error (and a fallback) instead of a broken stream.
public struct GeminiStreamConverter: Sendable {
    /// What the caller should do after a chunk (the same steps as every adapter's converter).
    public typealias Progress = AnthropicStreamProgress

    private enum OpenBlock: Sendable, Equatable {
        case none
        case text(index: Int)
        case thinking(index: Int, signature: GeminiThoughtSignature)
        /// A tool call; its arguments are written when it closes.
        case tool(index: Int, arguments: JSONValue)
    }

    private var stream: AnthropicStreamState
    private var open: OpenBlock = .none
    private var callCount = 0
    private var finishReason: String?
    private var finishMessage: String?
    private var usage: AnthropicUsage?
    private var sources: [(title: String, uri: String)] = []

    /// - Parameters:
    ///   - messageID: the Anthropic message id to report.
    ///   - model: the model name to report when Gemini does not name one.
    ///   - inputTokenEstimate: `message_start`'s input tokens, when the first chunk has no usage.
    public init(messageID: String, model: String, inputTokenEstimate: Int) {
        self.stream = AnthropicStreamState(messageID: messageID, model: model, inputTokenEstimate: inputTokenEstimate)
    }

    /// Whether `message_start` has been produced (so the response has begun).
    public var hasStarted: Bool { self.stream.started }

    /// The Anthropic bytes produced since the last call.
    public mutating func takeOutput() -> [UInt8] { self.stream.out.take() }

    /// Feeds one SSE event from the provider.
    public mutating func consume(_ event: SSEEvent) -> Progress {
        if self.stream.finished { return .finished }
        if event.data.isEmpty || event.isDone { return .streaming }
        guard let chunk = try? JSONParser.parse(event.data) else {
            return self.fail(AnthropicError(status: 502, kind: .api, message: "Gemini sent a stream chunk that is not JSON: \(String(decoding: event.data.prefix(200), as: UTF8.self))"))
        }
        return self.consume(chunk: chunk)
    }

    /// Feeds one decoded chunk (a `GenerateContentResponse`; an array of them is taken in order).
    public mutating func consume(chunk: JSONValue) -> Progress {
        if self.stream.finished { return .finished }
        if case .array(let chunks) = chunk {
            for element in chunks {
                let progress = self.consume(chunk: element)
                if progress != .streaming { return progress }
            }
            return .streaming
        }
        if let error = chunk["error"], !error.isNull {
            return self.fail(GeminiError.anthropic(from: error, context: "Gemini error in stream"))
        }
        self.stream.noteModel(chunk["modelVersion"]?.stringValue)
        if let usage = GeminiUsage.anthropic(chunk["usageMetadata"]) { self.usage = usage }
        let candidates = chunk["candidates"]?.arrayValue ?? []
        if candidates.isEmpty, let reason = chunk["promptFeedback"]?["blockReason"]?.stringValue {
            return self.fail(GeminiResponseDecoder.blockedPrompt(reason, chunk["promptFeedback"]))
        }
        guard let candidate = candidates.first(where: { ($0["index"]?.intValue ?? 0) == 0 }) else { return .streaming }
        for part in candidate["content"]?["parts"]?.arrayValue ?? [] {
            self.consume(part: part)
        }
        for source in candidate["groundingMetadata"]?["groundingChunks"]?.arrayValue ?? [] {
            guard let uri = source["web"]?["uri"]?.stringValue, !self.sources.contains(where: { $0.uri == uri }) else { continue }
            self.sources.append((source["web"]?["title"]?.stringValue ?? uri, uri))
        }
        if let finish = candidate["finishReason"]?.stringValue, !finish.isEmpty {
            self.finishReason = finish
            self.finishMessage = candidate["finishMessage"]?.stringValue
        }
        return .streaming
    }

    /// The provider's stream ended. Gemini ends a stream by closing it, after a chunk with a
    /// `finishReason`; without one the answer is incomplete, unless the body was one complete JSON
    /// answer (`sawDone`).
    public mutating func finish(sawDone: Bool = false) -> Progress {
        if self.stream.finished { return .finished }
        let finish = self.finishReason?.uppercased()
        if !self.stream.started {
            if let finish, GeminiUsage.failedCalls.contains(finish) {
                return .failedBeforeContent(GeminiResponseDecoder.failedCall(finish, message: self.finishMessage))
            }
            if self.finishReason == nil && self.usage == nil {
                return .failedBeforeContent(AnthropicError(status: 502, kind: .api, message: "Gemini returned an empty stream"))
            }
            self.start()
        }
        if self.finishReason == nil && !sawDone {
            return self.fail(AnthropicError(status: 502, kind: .api, message: "Gemini's stream ended before it finished (no finishReason)"))
        }
        if !self.sources.isEmpty {
            self.emitText(GeminiResponseDecoder.sourcesText(self.sources))
        }
        self.closeOpenBlock()
        return self.stream.finish(stopReason: GeminiUsage.stopReason(finish, sawFunctionCall: self.callCount > 0), usage: self.usage)
    }

    /// Ends the stream with an error: open blocks are closed, then an `error` event. Before any
    /// content this is instead reported to the caller.
    public mutating func fail(_ error: AnthropicError) -> Progress {
        if let early = self.stream.earlyFailure(error) { return early }
        self.closeOpenBlock()
        return self.stream.end(with: error)
    }

    // MARK: - Parts

    private mutating func consume(part: JSONValue) {
        let signature = part["thoughtSignature"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        if part["thought"] == true {
            let text = part["text"]?.stringValue ?? ""
            if signature != nil, case .thinking(_, let held) = self.open, held.value != nil {
                // A second signed run of thoughts gets its own block.
                self.closeOpenBlock()
            }
            if !text.isEmpty || signature != nil { self.ensureThinkingOpen() }
            self.emitThinking(text)
            if let signature, case .thinking(let index, _) = self.open {
                self.open = .thinking(index: index, signature: GeminiThoughtSignature(anchor: .thought, value: signature))
            }
            return
        }
        if let call = part["functionCall"], case .object = call {
            if let signature { self.keepSignature(signature, anchor: .functionCall) }
            self.consume(call: call)
            return
        }
        if let text = part["text"]?.stringValue {
            if let signature { self.keepSignature(signature, anchor: .text) }
            self.emitText(text)
            return
        }
        // Executable code, code results and inline media are not asked for; a signature on such a
        // part still goes back.
        if let signature { self.keepSignature(signature, anchor: .text) }
    }

    /// Puts a signature that came on a non-thought part in a thinking block right before that part:
    /// the open thinking block if it has none yet, else a new empty one.
    private mutating func keepSignature(_ value: String, anchor: GeminiThoughtSignature.Anchor) {
        if case .thinking(let index, let held) = self.open, held.value == nil {
            self.open = .thinking(index: index, signature: GeminiThoughtSignature(anchor: anchor, value: value))
            self.closeOpenBlock()
            return
        }
        self.closeOpenBlock()
        self.ensureThinkingOpen()
        if case .thinking(let index, _) = self.open {
            self.open = .thinking(index: index, signature: GeminiThoughtSignature(anchor: anchor, value: value))
        }
        self.closeOpenBlock()
    }

    private mutating func consume(call: JSONValue) {
        if let name = call["name"]?.stringValue, !name.isEmpty {
            var arguments: JSONValue = call["args"]?.objectValue.map(JSONValue.object) ?? .object([:])
            for partial in call["partialArgs"]?.arrayValue ?? [] { GeminiPartialArguments.apply(partial, to: &arguments) }
            let id = call["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? AnthropicStreamState.generatedToolID(self.stream.messageID, self.callCount)
            self.startTool(id: id, name: name, arguments: arguments)
            if call["willContinue"] != true { self.closeOpenBlock() }
            return
        }
        // The rest of a call whose arguments stream: more arguments, and the end (no willContinue).
        guard case .tool(let index, var arguments) = self.open else { return }
        for partial in call["partialArgs"]?.arrayValue ?? [] { GeminiPartialArguments.apply(partial, to: &arguments) }
        self.open = .tool(index: index, arguments: arguments)
        if call["willContinue"] != true { self.closeOpenBlock() }
    }

    // MARK: - Blocks

    private mutating func start() {
        self.stream.start(inputTokens: self.usage?.inputTokens)
    }

    private mutating func startTool(id: String, name: String, arguments: JSONValue) {
        self.start()
        self.closeOpenBlock()
        let index = self.stream.takeIndex()
        self.callCount += 1
        self.stream.out.startToolUse(index: index, id: id, name: name)
        self.open = .tool(index: index, arguments: arguments)
    }

    private mutating func emitText(_ text: String) {
        guard !text.isEmpty else { return }
        self.start()
        let index: Int
        if case .text(let open) = self.open {
            index = open
        } else {
            self.closeOpenBlock()
            index = self.stream.startText()
            self.open = .text(index: index)
        }
        self.stream.textDelta(index: index, text)
    }

    private mutating func ensureThinkingOpen() {
        if case .thinking = self.open { return }
        self.start()
        self.closeOpenBlock()
        let index = self.stream.startThinking()
        self.open = .thinking(index: index, signature: GeminiThoughtSignature(anchor: .none, value: nil))
    }

    private mutating func emitThinking(_ text: String) {
        guard !text.isEmpty else { return }
        self.ensureThinkingOpen()
        guard case .thinking(let index, _) = self.open else { return }
        self.stream.thinkingDelta(index: index, text)
    }

    private mutating func closeOpenBlock() {
        switch self.open {
        case .none:
            return
        case .text(let index):
            self.stream.out.stopBlock(index: index)
        case .thinking(let index, let signature):
            self.stream.out.signatureDelta(index: index, signature.encoded)
            self.stream.out.stopBlock(index: index)
        case .tool(let index, let arguments):
            let json = arguments.jsonString()
            self.stream.inputJSONDelta(index: index, json)
            self.stream.out.stopBlock(index: index)
        }
        self.open = .none
    }
}
