/// Turns an OpenAI Responses stream (its semantic events, one at a time) into a valid Anthropic
/// Messages event stream.
///
/// - `reasoning` items become thinking blocks: their summary (`response.reasoning_summary_text.delta`)
///   or raw reasoning text (`response.reasoning_text.delta`) streams as thinking, and the block is
///   closed with an ``OpenAIResponsesReasoningSignature`` holding the item's id and
///   `encrypted_content` (from `response.output_item.done`), so the next request can send the item
///   back. An item with encrypted content but no summary still gets an (empty) thinking block.
/// - `message` items become text (`response.output_text.delta`; refusals too, with stop reason
///   `refusal`).
/// - `function_call` items become tool_use blocks whose input streams from
///   `response.function_call_arguments.delta`; the id is the item's `call_id`.
/// - `web_search_call` items (OpenAI's hosted search) become `server_tool_use` +
///   `web_search_tool_result` blocks.
/// - `response.completed` / `response.incomplete` give usage and the stop reason;
///   `response.failed` and `error` events end the stream with an error.
///
/// Nothing is emitted until the first content, so that a stream that is empty or fails at once can
/// still become an HTTP error (and a fallback) instead of a broken stream.
public struct OpenAIResponsesStreamConverter: Sendable {
    /// What the caller should do after an event (the same answers as the Chat converter's, so one
    /// provider stream reader drives both).
    public typealias Progress = AnthropicStreamProgress

    private enum OpenBlock: Sendable, Equatable {
        case none
        case text(index: Int)
        case thinking(index: Int, item: String)
        case tool(index: Int, call: Int)
    }

    /// What is known of one reasoning item.
    private struct Reasoning: Sendable {
        var id: String?
        var encryptedContent: String?
        /// The summary (or content) part streamed last, to separate parts.
        var part: Int?
        /// Whether a thinking block was opened for it.
        var hadBlock = false
    }

    /// One function call.
    private struct Call: Sendable {
        var key: String
        var callID: String?
        var name: String?
        /// Arguments that arrived before the block could start.
        var pending = ""
        /// Arguments written into the block.
        var emitted = ""
        var blockIndex: Int?
    }

    private var stream: AnthropicStreamState
    private var open: OpenBlock = .none
    private var reasoning: [String: Reasoning] = [:]
    private var calls: [Call] = []
    private var streamedMessages: Set<String> = []
    /// `output_index` → item key, for events that name only the index.
    private var itemKeys: [Int: String] = [:]
    private var sawItems = false
    private var status: String?
    private var incompleteReason: String?
    private var sawRefusal = false
    private var usage: AnthropicUsage?

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
        guard let value = try? JSONParser.parse(event.data) else {
            let preview = String(decoding: event.data.prefix(200), as: UTF8.self)
            return self.fail(AnthropicError(status: 502, kind: .api, message: "provider sent a stream event that is not JSON: \(preview)"))
        }
        return self.consume(value, name: event.event)
    }

    /// Feeds one decoded event, or a whole `response` object (a provider that answered a stream
    /// request with one JSON body, or a non-streamed answer).
    public mutating func consume(chunk: JSONValue) -> Progress {
        self.consume(chunk, name: nil)
    }

    private mutating func consume(_ event: JSONValue, name: String?) -> Progress {
        if self.stream.finished { return .finished }
        switch event["type"]?.stringValue ?? name ?? "" {
        case "response.created", "response.in_progress", "response.queued":
            self.note(response: event["response"])
        case "response.output_item.added":
            self.itemAdded(event["item"] ?? .null, outputIndex: event["output_index"]?.intValue)
        case "response.output_item.done":
            self.itemDone(event["item"] ?? .null, outputIndex: event["output_index"]?.intValue)
        case "response.output_text.delta":
            self.streamedMessages.insert(self.key(of: event))
            self.emitText(event["delta"]?.stringValue ?? "")
        case "response.refusal.delta":
            self.streamedMessages.insert(self.key(of: event))
            self.sawRefusal = true
            self.emitText(event["delta"]?.stringValue ?? "")
        case "response.reasoning_summary_text.delta":
            self.emitThinking(event["delta"]?.stringValue ?? "", item: self.key(of: event), part: event["summary_index"]?.intValue ?? 0)
        case "response.reasoning_text.delta":
            self.emitThinking(event["delta"]?.stringValue ?? "", item: self.key(of: event), part: event["content_index"]?.intValue ?? 0)
        case "response.function_call_arguments.delta":
            self.argumentsDelta(event["delta"]?.stringValue ?? "", call: self.callSlot(self.key(of: event)))
        case "response.function_call_arguments.done":
            let slot = self.callSlot(self.key(of: event))
            if let name = event["name"]?.stringValue, self.calls[slot].name == nil { self.calls[slot].name = name }
            self.argumentsDone(event["arguments"]?.stringValue, call: slot)
        case "response.completed", "response.incomplete":
            return self.complete(event["response"] ?? .null)
        case "response.failed":
            return self.fail(Self.failure(of: event["response"] ?? .null))
        case "error":
            return self.fail(OpenAIResponsesUsage.error(from: event))
        case "":
            // A whole response object rather than an event.
            if event["output"]?.arrayValue != nil || event["object"] == "response" {
                if event["status"] == "failed" { return self.fail(Self.failure(of: event)) }
                return self.complete(event)
            }
            if let error = event["error"], !error.isNull { return self.fail(OpenAIResponsesUsage.error(from: event)) }
        default:
            break
        }
        return .streaming
    }

    /// The provider's stream ended (with or without `[DONE]`).
    public mutating func finish(sawDone: Bool = false) -> Progress {
        if self.stream.finished { return .finished }
        if !self.stream.started {
            if self.status == nil && self.usage == nil {
                return .failedBeforeContent(AnthropicError(status: 502, kind: .api, message: "provider returned an empty stream"))
            }
            self.start()
        }
        if self.status == nil && !sawDone {
            return self.fail(AnthropicError(status: 502, kind: .api, message: "provider stream ended before it finished (no response.completed)"))
        }
        for slot in self.calls.indices where self.calls[slot].blockIndex == nil { self.startCall(slot) }
        self.closeOpenBlock()
        let stop = OpenAIResponsesUsage.stopReason(
            status: self.status, incompleteReason: self.incompleteReason, sawToolCalls: !self.calls.isEmpty, sawRefusal: self.sawRefusal)
        return self.stream.finish(stopReason: stop, usage: self.usage)
    }

    /// Ends the stream with an error: open blocks are closed, then an `error` event. Before any
    /// content this is instead reported to the caller.
    public mutating func fail(_ error: AnthropicError) -> Progress {
        if let early = self.stream.earlyFailure(error) { return early }
        self.closeOpenBlock()
        return self.stream.end(with: error)
    }

    // MARK: - Response

    private mutating func note(response: JSONValue?) {
        self.stream.noteModel(response?["model"]?.stringValue)
    }

    private mutating func complete(_ response: JSONValue) -> Progress {
        self.note(response: response)
        if let usage = OpenAIResponsesUsage.anthropic(response["usage"]) { self.usage = usage }
        self.status = response["status"]?.stringValue ?? "completed"
        self.incompleteReason = response["incomplete_details"]?["reason"]?.stringValue
        // A provider that sent no item events: the final output is the whole answer.
        if !self.sawItems {
            for (position, item) in (response["output"]?.arrayValue ?? []).enumerated() { self.itemDone(item, outputIndex: position) }
        }
        return self.finish(sawDone: true)
    }

    static func failure(of response: JSONValue) -> AnthropicError {
        if let error = response["error"], !error.isNull { return OpenAIResponsesUsage.error(from: error) }
        let reason = response["incomplete_details"]?["reason"]?.stringValue ?? "no reason given"
        return AnthropicError(status: 502, kind: .api, message: "provider reported the response failed (\(reason))")
    }

    // MARK: - Items

    /// The key of the item an event is about: its `item_id`, else what its `output_index` held.
    private func key(of event: JSONValue) -> String {
        if let id = event["item_id"]?.stringValue, !id.isEmpty { return id }
        if let index = event["output_index"]?.intValue { return self.itemKeys[index] ?? "#\(index)" }
        return "#"
    }

    private mutating func key(ofItem item: JSONValue, outputIndex: Int?) -> String {
        let key = item["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "#\(outputIndex ?? -1)"
        if let outputIndex { self.itemKeys[outputIndex] = key }
        return key
    }

    private mutating func itemAdded(_ item: JSONValue, outputIndex: Int?) {
        self.sawItems = true
        let key = self.key(ofItem: item, outputIndex: outputIndex)
        switch item["type"]?.stringValue {
        case "function_call":
            let slot = self.callSlot(key)
            self.noteCall(item, slot: slot)
            if let arguments = item["arguments"]?.stringValue, !arguments.isEmpty { self.argumentsDelta(arguments, call: slot) }
            if self.calls[slot].name != nil && self.calls[slot].blockIndex == nil { self.startCall(slot) }
        case "reasoning":
            if self.reasoning[key] == nil { self.reasoning[key] = Reasoning(id: item["id"]?.stringValue) }
        default:
            break
        }
    }

    private mutating func itemDone(_ item: JSONValue, outputIndex: Int?) {
        self.sawItems = true
        let key = self.key(ofItem: item, outputIndex: outputIndex)
        switch item["type"]?.stringValue {
        case "reasoning":
            self.reasoningDone(item, key: key)
        case "message":
            guard !self.streamedMessages.contains(key) else { return }
            for part in item["content"]?.arrayValue ?? [] {
                if part["type"] == "refusal" {
                    self.sawRefusal = true
                    self.emitText(part["refusal"]?.stringValue ?? "")
                } else {
                    self.emitText(part["text"]?.stringValue ?? "")
                }
            }
        case "function_call":
            let slot = self.callSlot(key)
            self.noteCall(item, slot: slot)
            self.argumentsDone(item["arguments"]?.stringValue, call: slot)
            if case .tool(_, let open) = self.open, open == slot { self.closeOpenBlock() }
        case "web_search_call":
            self.webSearch(item)
        default:
            break
        }
    }

    private mutating func reasoningDone(_ item: JSONValue, key: String) {
        var state = self.reasoning[key] ?? Reasoning()
        if state.id == nil { state.id = item["id"]?.stringValue }
        if let encrypted = item["encrypted_content"]?.stringValue, !encrypted.isEmpty { state.encryptedContent = encrypted }
        self.reasoning[key] = state
        if case .thinking(_, let open) = self.open, open == key {
            self.closeOpenBlock()
            return
        }
        // Already shown (and closed when the answer began); its encrypted content arrived too late
        // to travel with it.
        if state.hadBlock { return }
        let text = Self.reasoningText(item)
        guard !text.isEmpty || state.encryptedContent != nil else { return }
        self.ensureThinkingOpen(item: key)
        if case .thinking(let index, _) = self.open, !text.isEmpty {
            self.stream.thinkingDelta(index: index, text)
        }
        self.closeOpenBlock()
    }

    /// A reasoning item's summary parts (or, without a summary, its raw reasoning text).
    static func reasoningText(_ item: JSONValue) -> String {
        let summary = (item["summary"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.filter { !$0.isEmpty }
        if !summary.isEmpty { return summary.joined(separator: "\n\n") }
        return (item["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.filter { !$0.isEmpty }.joined(separator: "\n\n")
    }

    // MARK: - Function calls

    private mutating func callSlot(_ key: String) -> Int {
        if let slot = self.calls.lastIndex(where: { $0.key == key }) { return slot }
        self.calls.append(Call(key: key))
        return self.calls.count - 1
    }

    private mutating func noteCall(_ item: JSONValue, slot: Int) {
        if self.calls[slot].callID == nil, let id = item["call_id"]?.stringValue, !id.isEmpty { self.calls[slot].callID = id }
        if self.calls[slot].name == nil, let name = item["name"]?.stringValue, !name.isEmpty { self.calls[slot].name = name }
    }

    private mutating func argumentsDelta(_ fragment: String, call slot: Int) {
        guard !fragment.isEmpty else { return }
        if case .tool(let index, let open) = self.open, open == slot {
            self.stream.out.inputJSONDelta(index: index, fragment)
            self.calls[slot].emitted += fragment
            self.stream.count(fragment)
        } else if self.calls[slot].blockIndex == nil {
            self.calls[slot].pending += fragment
        }
        // A call whose block was closed by another block cannot take more input; the Responses
        // API does not interleave calls, so this does not happen in practice.
    }

    /// The complete arguments: whatever of them has not been written yet is.
    private mutating func argumentsDone(_ arguments: String?, call slot: Int) {
        let full = arguments ?? ""
        if self.calls[slot].blockIndex == nil {
            if full.count > self.calls[slot].pending.count { self.calls[slot].pending = full }
            if self.calls[slot].name != nil { self.startCall(slot) }
            return
        }
        guard case .tool(let index, let open) = self.open, open == slot else { return }
        let emitted = self.calls[slot].emitted
        if full.utf8.count > emitted.utf8.count && full.hasPrefix(emitted) {
            let rest = String(full.dropFirst(emitted.count))
            self.stream.out.inputJSONDelta(index: index, rest)
            self.calls[slot].emitted = full
            self.stream.count(rest)
        }
    }

    private mutating func startCall(_ slot: Int) {
        self.start()
        self.closeOpenBlock()
        let index = self.stream.takeIndex()
        let id = self.calls[slot].callID ?? AnthropicStreamState.generatedToolID(self.stream.messageID, index)
        self.calls[slot].callID = id
        self.calls[slot].blockIndex = index
        self.stream.out.startToolUse(index: index, id: id, name: self.calls[slot].name ?? "unknown_tool")
        self.open = .tool(index: index, call: slot)
        let pending = self.calls[slot].pending
        self.calls[slot].pending = ""
        self.argumentsDelta(pending, call: slot)
    }

    // MARK: - Hosted web search

    /// A finished `web_search_call` with a `search` action: the query as a `server_tool_use`
    /// block, the sources (when the request asked for them) as its `web_search_tool_result`.
    private mutating func webSearch(_ item: JSONValue) {
        let action = item["action"] ?? .null
        guard action["type"]?.stringValue ?? "search" == "search" else { return }
        guard let query = action["query"]?.stringValue ?? action["queries"]?.arrayValue?.first?.stringValue, !query.isEmpty else { return }
        self.start()
        self.closeOpenBlock()
        let useIndex = self.stream.takeIndex()
        let generated = "srvtoolu_\(self.stream.messageID.filter { $0.isLetter || $0.isNumber }.suffix(16))_\(useIndex)"
        let id = item["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? generated
        self.stream.out.startServerToolUse(index: useIndex, id: id, name: "web_search")
        self.stream.out.inputJSONDelta(index: useIndex, JSONValue.object(["query": .string(query)]).jsonString())
        self.stream.out.stopBlock(index: useIndex)
        let results: [JSONValue] = (action["sources"]?.arrayValue ?? []).compactMap { source in
            guard let url = source["url"]?.stringValue else { return nil }
            return [
                "type": "web_search_result", "url": .string(url), "title": .string(source["title"]?.stringValue ?? url),
                "encrypted_content": "", "page_age": nil,
            ]
        }
        let resultIndex = self.stream.takeIndex()
        self.stream.out.startCompleteBlock(index: resultIndex, ["type": "web_search_tool_result", "tool_use_id": .string(id), "content": .array(results)])
        self.stream.out.stopBlock(index: resultIndex)
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

    private mutating func ensureThinkingOpen(item key: String) {
        if case .thinking(_, let open) = self.open, open == key { return }
        self.start()
        self.closeOpenBlock()
        let index = self.stream.startThinking()
        self.open = .thinking(index: index, item: key)
        self.reasoning[key, default: Reasoning()].hadBlock = true
        self.reasoning[key]?.part = nil
    }

    private mutating func emitThinking(_ text: String, item key: String, part: Int) {
        guard !text.isEmpty else { return }
        self.ensureThinkingOpen(item: key)
        guard case .thinking(let index, _) = self.open else { return }
        var piece = text
        if let last = self.reasoning[key]?.part, last != part { piece = "\n\n" + text }
        self.reasoning[key]?.part = part
        self.stream.thinkingDelta(index: index, piece)
    }

    private mutating func closeOpenBlock() {
        switch self.open {
        case .none:
            return
        case .text(let index):
            self.stream.out.stopBlock(index: index)
        case .thinking(let index, let key):
            let state = self.reasoning[key]
            let signature = OpenAIResponsesReasoningSignature(
                itemID: state?.id ?? (key.hasPrefix("#") ? nil : key), encryptedContent: state?.encryptedContent)
            self.stream.out.signatureDelta(index: index, signature.encoded)
            self.stream.out.stopBlock(index: index)
        case .tool(let index, _):
            self.stream.out.stopBlock(index: index)
        }
        self.open = .none
    }
}
