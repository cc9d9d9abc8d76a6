/// Turns an OpenAI Chat Completions stream (its `data:` chunks, one at a time) into a valid
/// Anthropic Messages event stream.
///
/// Handles text, reasoning in every dialect (`reasoning_content`, `reasoning`,
/// `reasoning_details`, `<think>` tags, Mistral thinking parts) as thinking blocks closed with a
/// ``ReasoningSignature``, tool calls with streamed arguments (several, parallel, with ids and
/// names that arrive late), usage with cached tokens, finish reasons, and errors. Blocks get
/// contiguous indices in whatever order the provider interleaves them; only one is open at a time.
///
/// Nothing is emitted until the first chunk with content, so that a stream that is empty or
/// fails at once can still become an HTTP error (and a fallback) instead of a broken stream.
public struct OpenAIChatStreamConverter: Sendable {
    /// What the caller should do after a chunk.
    public typealias Progress = AnthropicStreamProgress

    private enum OpenBlock: Sendable, Equatable {
        case none
        case text(index: Int)
        case thinking(index: Int, dialect: ReasoningSignature.Dialect)
        case tool(index: Int, slot: Int)
    }

    private struct ToolSlot: Sendable {
        var key: Int
        var id: String?
        var name: String?
        var pendingArguments = ""
        var blockIndex: Int?
        var closed = false
    }

    private var stream: AnthropicStreamState
    private var open: OpenBlock = .none
    private var tools: [ToolSlot] = []
    private var finishReason: String?
    private var usage: AnthropicUsage?
    private var details: [JSONValue] = []
    private var tags = ThinkTagSplitter()

    /// - Parameters:
    ///   - messageID: the Anthropic message id to report.
    ///   - model: the model name to report when the provider does not name one.
    ///   - inputTokenEstimate: `message_start`'s input tokens, until the provider reports usage.
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
        if event.isDone { return self.finish(sawDone: true) }
        if event.data.isEmpty { return .streaming }
        guard let chunk = try? JSONParser.parse(event.data) else {
            return self.fail(AnthropicError(status: 502, kind: .api, message: "provider sent a stream chunk that is not JSON: \(String(decoding: event.data.prefix(200), as: UTF8.self))"))
        }
        return self.consume(chunk: chunk)
    }

    /// Feeds one decoded chunk.
    public mutating func consume(chunk: JSONValue) -> Progress {
        if self.stream.finished { return .finished }
        if let error = chunk["error"], !error.isNull {
            return self.fail(Self.error(from: error))
        }
        self.stream.noteModel(chunk["model"]?.stringValue)
        if let usage = OpenAIChatUsage.anthropic(chunk["usage"] ?? chunk["x_groq"]?["usage"]) { self.usage = usage }
        guard let choices = chunk["choices"]?.arrayValue else { return .streaming }
        for choice in choices where (choice["index"]?.intValue ?? 0) == 0 {
            let delta = choice["delta"] ?? choice["message"] ?? .null
            self.consumeDelta(delta)
            if let finish = choice["finish_reason"]?.stringValue, !finish.isEmpty {
                if finish == "error" {
                    return self.fail(AnthropicError(status: 502, kind: .api, message: "provider ended the stream with finish_reason \"error\""))
                }
                self.finishReason = finish
            }
        }
        return .streaming
    }

    /// The provider's stream ended (with or without `[DONE]`).
    public mutating func finish(sawDone: Bool = false) -> Progress {
        if self.stream.finished { return .finished }
        var tags = self.tags
        tags.flush { self.emitTagPiece($0) }
        self.tags = tags
        if !self.stream.started {
            if self.finishReason == nil && self.usage == nil {
                return .failedBeforeContent(AnthropicError(status: 502, kind: .api, message: "provider returned an empty stream"))
            }
            self.start()
        }
        if self.finishReason == nil && !sawDone {
            return self.fail(AnthropicError(status: 502, kind: .api, message: "provider stream ended before it finished (no finish_reason, no [DONE])"))
        }
        self.startPendingTools()
        self.closeOpenBlock()
        return self.stream.finish(stopReason: OpenAIChatUsage.stopReason(self.finishReason, sawToolCalls: !self.tools.isEmpty), usage: self.usage)
    }

    /// Ends the stream with an error: open blocks are closed, then an `error` event. Before any
    /// content this is instead reported to the caller.
    public mutating func fail(_ error: AnthropicError) -> Progress {
        if let early = self.stream.earlyFailure(error) { return early }
        self.closeOpenBlock()
        return self.stream.end(with: error)
    }

    // MARK: - Deltas

    private mutating func consumeDelta(_ delta: JSONValue) {
        guard case .object(let object) = delta else { return }
        // Reasoning: details first (they carry signatures); then the plain fields.
        if let list = object["reasoning_details"]?.arrayValue, !list.isEmpty {
            for item in list {
                let text = item["text"]?.stringValue ?? item["summary"]?.stringValue ?? ""
                self.mergeDetail(item)
                // An entry without text (encrypted data) still needs a thinking block to carry it.
                if text.isEmpty { self.ensureThinkingOpen(dialect: .reasoningDetails) } else { self.emitThinking(text, dialect: .reasoningDetails) }
            }
        } else if let text = object["reasoning_content"]?.stringValue, !text.isEmpty {
            self.emitThinking(text, dialect: .reasoningContent)
        } else if let text = object["reasoning"]?.stringValue, !text.isEmpty {
            self.emitThinking(text, dialect: .reasoning)
        }
        switch object["content"] {
        case .string(let text)? where !text.isEmpty:
            self.feedContent(text)
        case .array(let parts)?:
            for part in parts {
                switch part["type"]?.stringValue {
                case "text":
                    if let text = part["text"]?.stringValue, !text.isEmpty { self.feedContent(text) }
                case "thinking":
                    let thinking = part["thinking"]
                    let text = thinking?.stringValue ?? (thinking?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
                    if !text.isEmpty { self.emitThinking(text, dialect: .mistral) }
                default:
                    break
                }
            }
        default:
            break
        }
        if let refusal = object["refusal"]?.stringValue, !refusal.isEmpty {
            self.emitText(refusal)
            if self.finishReason == nil { self.finishReason = "content_filter" }
        }
        if let calls = object["tool_calls"]?.arrayValue {
            for (position, call) in calls.enumerated() { self.consumeToolCall(call, position: position) }
        }
    }

    private mutating func feedContent(_ text: String) {
        var tags = self.tags
        tags.feed(text) { self.emitTagPiece($0) }
        self.tags = tags
    }

    private var isThinkingOpen: Bool {
        if case .thinking = self.open { return true }
        return false
    }

    private mutating func emitTagPiece(_ piece: ThinkTagSplitter.Piece) {
        switch piece {
        case .text(let text): self.emitText(text)
        case .thinking(let text): self.emitThinking(text, dialect: .thinkTag)
        }
    }

    private mutating func mergeDetail(_ item: JSONValue) {
        guard case .object(var incoming) = item else { return }
        let index = incoming["index"]?.intValue
        if let index, let at = self.details.firstIndex(where: { $0["index"]?.intValue == index }), case .object(var existing) = self.details[at] {
            for key in ["text", "summary"] {
                if let more = incoming[key]?.stringValue {
                    existing[key] = .string((existing[key]?.stringValue ?? "") + more)
                    incoming[key] = nil
                }
            }
            for member in incoming.members where !member.value.isNull { existing[member.key] = member.value }
            self.details[at] = .object(existing)
        } else {
            self.details.append(.object(incoming))
        }
    }

    private mutating func consumeToolCall(_ call: JSONValue, position: Int) {
        let key = call["index"]?.intValue ?? position
        let id = call["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let function = call["function"] ?? .null
        let name = function["name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        var fragment = ""
        switch function["arguments"] {
        case .string(let text)?: fragment = text
        case .object(let object)?: fragment = JSONValue.object(object).jsonString()
        default: break
        }
        var slot: Int
        if let existing = self.tools.lastIndex(where: { $0.key == key }),
            id == nil || self.tools[existing].id == nil || self.tools[existing].id == id
        {
            slot = existing
        } else {
            self.tools.append(ToolSlot(key: key))
            slot = self.tools.count - 1
        }
        if self.tools[slot].id == nil { self.tools[slot].id = id }
        if self.tools[slot].name == nil { self.tools[slot].name = name }
        if let blockIndex = self.tools[slot].blockIndex {
            if !fragment.isEmpty {
                if case .tool(_, let openSlot) = self.open, openSlot == slot {
                    self.stream.inputJSONDelta(index: blockIndex, fragment)
                } else if !self.tools[slot].closed {
                    self.tools[slot].pendingArguments += fragment
                }
            }
            return
        }
        self.tools[slot].pendingArguments += fragment
        if self.tools[slot].name != nil { self.startTool(slot) }
    }

    private mutating func startTool(_ slot: Int) {
        self.start()
        self.closeOpenBlock()
        let index = self.stream.takeIndex()
        let id = self.tools[slot].id ?? AnthropicStreamState.generatedToolID(self.stream.messageID, index)
        self.tools[slot].id = id
        self.tools[slot].blockIndex = index
        self.stream.out.startToolUse(index: index, id: id, name: self.tools[slot].name ?? "unknown_tool")
        self.open = .tool(index: index, slot: slot)
        let pending = self.tools[slot].pendingArguments
        if !pending.isEmpty {
            self.stream.inputJSONDelta(index: index, pending)
            self.tools[slot].pendingArguments = ""
        }
    }

    /// Tools whose name never arrived are still reported, so their ids pair with results.
    private mutating func startPendingTools() {
        for slot in self.tools.indices where self.tools[slot].blockIndex == nil {
            self.startTool(slot)
        }
    }

    // MARK: - Blocks

    private mutating func start() {
        self.stream.start()
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

    private mutating func ensureThinkingOpen(dialect: ReasoningSignature.Dialect) {
        guard !self.isThinkingOpen else { return }
        self.start()
        self.closeOpenBlock()
        let index = self.stream.startThinking()
        self.open = .thinking(index: index, dialect: dialect)
    }

    private mutating func emitThinking(_ text: String, dialect: ReasoningSignature.Dialect) {
        guard !text.isEmpty else { return }
        self.ensureThinkingOpen(dialect: dialect)
        guard case .thinking(let index, _) = self.open else { return }
        self.stream.thinkingDelta(index: index, text)
    }

    private mutating func closeOpenBlock() {
        switch self.open {
        case .none:
            return
        case .text(let index):
            self.stream.out.stopBlock(index: index)
        case .thinking(let index, let dialect):
            self.stream.out.signatureDelta(index: index, ReasoningSignature(dialect: dialect, details: self.details).encoded)
            self.details = []
            self.stream.out.stopBlock(index: index)
        case .tool(let index, let slot):
            // Arguments that arrived for this call while another block was open come last.
            let late = self.tools[slot].pendingArguments
            if !late.isEmpty {
                self.stream.out.inputJSONDelta(index: index, late)
                self.tools[slot].pendingArguments = ""
            }
            self.tools[slot].closed = true
            self.stream.out.stopBlock(index: index)
        }
        self.open = .none
    }

    // MARK: - Errors

    static func error(from value: JSONValue) -> AnthropicError {
        let message = value["message"]?.stringValue ?? value.stringValue ?? value.jsonString()
        let code = value["code"]?.intValue ?? value["status"]?.intValue ?? value["status_code"]?.intValue
        let status = code.flatMap { (400...599).contains($0) ? $0 : nil } ?? 502
        var kind = AnthropicError.kind(forStatus: status)
        if status == 502 {
            let type = (value["type"]?.stringValue ?? value["code"]?.stringValue ?? "").lowercased()
            if type.contains("rate") { kind = .rateLimit } else if type.contains("overload") { kind = .overloaded }
        }
        return AnthropicError(status: status, kind: kind, message: "provider error in stream: \(message)")
    }
}
