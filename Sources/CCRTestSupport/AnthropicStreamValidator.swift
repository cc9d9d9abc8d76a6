import CCRCore

/// A strict checker of what Claude Code receives: an Anthropic Messages SSE stream (``validate(_:)``)
/// or a non-streaming Anthropic message (``validateMessage(_:)``).
///
/// It enforces the invariants of DESIGN §2 ("the stream Claude Code receives is always valid") and
/// the shapes Anthropic's own API produces, and it stops at the first problem with a
/// ``Violation`` that names the event (counted from 1) and what was wrong.
///
/// Beyond the text/thinking/tool_use/redacted_thinking blocks it knows the server-tool blocks Anthropic
/// streams: `server_tool_use` and `mcp_tool_use` (whose input arrives as `input_json_delta`, like a
/// tool_use) and the `*_tool_result` blocks (started and stopped without deltas); text blocks may carry
/// `citations_delta`s. Only client `tool_use` blocks are reported in ``Summary/tools``.
public struct AnthropicStreamValidator {
    /// What a valid stream or message said.
    public struct Summary: Sendable, Equatable {
        /// The text blocks' text, concatenated.
        public var text: String
        /// The thinking blocks' thinking, concatenated.
        public var thinking: String
        /// One signature per thinking block, in order.
        public var signatures: [String]
        /// The client tool calls, with their parsed input.
        public var tools: [Tool]
        /// `message_delta.delta.stop_reason` (nil when the stream ended with an error before it).
        public var stopReason: String?
        /// The `message_delta` usage object (the message's usage for ``validateMessage(_:)``).
        public var usage: JSONValue?
        /// The model named by `message_start`.
        public var model: String?
        /// The `error` object of the `error` event that ended the stream, if it ended that way.
        public var endedWithError: JSONValue?

        public init(
            text: String = "", thinking: String = "", signatures: [String] = [], tools: [Tool] = [],
            stopReason: String? = nil, usage: JSONValue? = nil, model: String? = nil, endedWithError: JSONValue? = nil
        ) {
            self.text = text
            self.thinking = thinking
            self.signatures = signatures
            self.tools = tools
            self.stopReason = stopReason
            self.usage = usage
            self.model = model
            self.endedWithError = endedWithError
        }
    }

    /// One `tool_use` block.
    public struct Tool: Sendable, Equatable {
        public var id: String
        public var name: String
        public var input: JSONValue

        public init(id: String, name: String, input: JSONValue) {
            self.id = id
            self.name = name
            self.input = input
        }
    }

    /// The first thing wrong with a stream or message.
    public struct Violation: Error, CustomStringConvertible {
        public var description: String

        public init(_ description: String) {
            self.description = description
        }
    }

    /// The stop reasons Anthropic documents.
    static let stopReasons: Set<String> = ["end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal"]
    /// Server-tool blocks whose input streams as `input_json_delta`.
    static let serverToolUseTypes: Set<String> = ["server_tool_use", "mcp_tool_use"]
    /// Server-tool result blocks: complete in their `content_block_start`, no deltas.
    static let serverResultTypes: Set<String> = [
        "web_search_tool_result", "web_fetch_tool_result", "code_execution_tool_result",
        "bash_code_execution_tool_result", "text_editor_code_execution_tool_result", "tool_search_tool_result",
        "mcp_tool_result",
    ]
    static let eventNames: Set<String> = [
        "message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta",
        "message_stop", "ping", "error",
    ]

    // MARK: - Streaming

    /// Checks the raw bytes of an Anthropic Messages SSE stream.
    /// - Returns: what the stream said.
    /// - Throws: ``Violation`` naming the first event that breaks a rule.
    public static func validate(_ bytes: [UInt8]) throws(Violation) -> Summary {
        var reader = FrameReader(bytes: bytes)
        var state = StreamState()
        while let frame = try reader.next() {
            try state.accept(frame)
        }
        return try state.finish(eventCount: reader.eventCount)
    }

    /// One event as framed on the wire.
    struct Frame {
        var number: Int
        var name: String
        var data: JSONObject
    }

    /// Splits the bytes into SSE events (LF or CRLF line endings; `:` comment lines are ignored).
    struct FrameReader {
        let bytes: [UInt8]
        var position = 0
        var eventCount = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func next() throws(Violation) -> Frame? {
            var lines: [ArraySlice<UInt8>] = []
            while self.position < self.bytes.count {
                guard let lf = self.bytes[self.position...].firstIndex(of: UInt8(ascii: "\n")) else {
                    let rest = self.bytes.count - self.position
                    throw Violation(
                        "event #\(self.eventCount + 1): the stream ends with \(rest) trailing byte(s) that do not form a complete event (no line ending): \(Self.preview(self.bytes[self.position...]))"
                    )
                }
                var end = lf
                if end > self.position && self.bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = self.bytes[self.position..<end]
                self.position = lf + 1
                if line.contains(UInt8(ascii: "\r")) {
                    throw Violation("event #\(self.eventCount + 1): a bare CR inside a line (only LF or CRLF line endings are allowed): \(Self.preview(line))")
                }
                if !line.isEmpty {
                    lines.append(line)
                    continue
                }
                // A blank line ends an event; blank runs and comment-only blocks dispatch nothing.
                let fields = lines.filter { $0.first != UInt8(ascii: ":") }
                lines.removeAll()
                if fields.isEmpty { continue }
                self.eventCount += 1
                return try Self.frame(number: self.eventCount, fields: fields)
            }
            if !lines.isEmpty {
                throw Violation(
                    "event #\(self.eventCount + 1): the stream ends in the middle of an event (its lines are not followed by a blank line): \(Self.preview(lines[0]))"
                )
            }
            return nil
        }

        static func frame(number: Int, fields: [ArraySlice<UInt8>]) throws(Violation) -> Frame {
            var name: String?
            var data: [ArraySlice<UInt8>] = []
            for line in fields {
                let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
                let field = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
                var valueStart = colon < line.endIndex ? colon + 1 : colon
                if valueStart < line.endIndex && line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
                let value = line[valueStart..<line.endIndex]
                switch field {
                case "event":
                    if let name {
                        throw Violation("event #\(number): two event: lines ('\(name)' and '\(String(decoding: value, as: UTF8.self))')")
                    }
                    name = String(decoding: value, as: UTF8.self)
                case "data":
                    data.append(value)
                default:
                    throw Violation("event #\(number): unexpected SSE line \(Self.preview(line)) (only event:, data: and : comments are expected)")
                }
            }
            guard let name else {
                throw Violation("event #\(number): has no event: line (data: \(data.first.map { Self.preview($0) } ?? "none"))")
            }
            guard Self.knownNames.contains(name) else {
                throw Violation("event #\(number): unknown event name '\(name)'")
            }
            guard data.count == 1 else {
                throw Violation("event #\(number) (\(name)): must have exactly one data: line, found \(data.count)")
            }
            let json: JSONValue
            do {
                json = try JSONParser.parse(data[0])
            } catch {
                throw Violation("event #\(number) (\(name)): data is not valid JSON (\(error)): \(Self.preview(data[0]))")
            }
            guard let object = json.objectValue else {
                throw Violation("event #\(number) (\(name)): data must be a JSON object, got \(json.kindDescription)")
            }
            guard let type = object["type"]?.stringValue else {
                throw Violation("event #\(number) (\(name)): data has no string \"type\"")
            }
            guard type == name else {
                throw Violation("event #\(number) (\(name)): data \"type\" is '\(type)', not the event name '\(name)'")
            }
            return Frame(number: number, name: name, data: object)
        }

        static var knownNames: Set<String> { AnthropicStreamValidator.eventNames }

        static func preview(_ bytes: ArraySlice<UInt8>) -> String {
            let text = String(decoding: bytes.prefix(120), as: UTF8.self)
            return bytes.count > 120 ? "\"\(text)…\"" : "\"\(text)\""
        }
    }

    /// The open content block.
    struct OpenBlock {
        var index: Int
        var type: String
        var id = ""
        var name = ""
        var partialJSON = ""
        var signature: String?
    }

    enum Phase {
        case beforeMessageStart
        case content
        case afterMessageDelta
        case stopped
        case errored
    }

    struct StreamState {
        var phase = Phase.beforeMessageStart
        var nextIndex = 0
        var open: OpenBlock?
        var clientToolUses = 0
        var summary = Summary()

        mutating func accept(_ frame: Frame) throws(Violation) {
            let label = "event #\(frame.number) (\(frame.name))"
            func fail(_ message: String) -> Violation { Violation("\(label): \(message)") }
            let data = frame.data

            switch self.phase {
            case .stopped:
                throw fail("comes after message_stop; nothing may follow message_stop")
            case .errored:
                throw fail("comes after the error event that ended the stream; nothing may follow it")
            case .beforeMessageStart:
                guard frame.name == "message_start" else {
                    throw fail("the first event must be message_start")
                }
            case .content, .afterMessageDelta:
                break
            }

            switch frame.name {
            case "message_start":
                guard self.phase == .beforeMessageStart else { throw fail("a second message_start") }
                try self.messageStart(data, fail)
                self.phase = .content

            case "ping":
                break

            case "content_block_start":
                guard self.phase == .content else { throw fail("content_block_start after message_delta") }
                let index = try Self.index(data, fail)
                if let open = self.open {
                    throw fail("block \(index) started while block \(open.index) is still open (no content_block_stop)")
                }
                guard index == self.nextIndex else {
                    throw fail("block index \(index) where \(self.nextIndex) was expected (indices start at 0 and are contiguous)")
                }
                guard let block = data["content_block"]?.objectValue else {
                    throw fail("content_block must be an object")
                }
                self.open = try self.blockStart(index: index, block, fail)
                self.nextIndex += 1

            case "content_block_delta":
                let index = try Self.index(data, fail)
                var open = try self.requireOpen(index, verb: "content_block_delta", fail)
                guard let delta = data["delta"]?.objectValue else { throw fail("delta must be an object") }
                try self.blockDelta(&open, delta, fail)
                self.open = open

            case "content_block_stop":
                let index = try Self.index(data, fail)
                let open = try self.requireOpen(index, verb: "content_block_stop", fail)
                try self.blockStop(open, fail)
                self.open = nil

            case "message_delta":
                if self.phase == .afterMessageDelta { throw fail("a second message_delta") }
                if let open = self.open {
                    throw fail("message_delta while block \(open.index) is still open (no content_block_stop)")
                }
                try self.messageDelta(data, fail)
                self.phase = .afterMessageDelta

            case "message_stop":
                if let open = self.open {
                    throw fail("message_stop while block \(open.index) is still open (no content_block_stop)")
                }
                guard self.phase == .afterMessageDelta else {
                    throw fail("message_stop without a message_delta (stop_reason and usage) before it")
                }
                self.phase = .stopped

            case "error":
                if let open = self.open {
                    throw fail("error event while block \(open.index) is still open; close started blocks before ending with an error")
                }
                guard let error = data["error"], let object = error.objectValue else {
                    throw fail("\"error\" must be an object with \"type\" and \"message\"")
                }
                guard object["type"]?.stringValue != nil, object["message"]?.stringValue != nil else {
                    throw fail("\"error\" must have string \"type\" and \"message\", got \(error.jsonString())")
                }
                self.summary.endedWithError = error
                self.phase = .errored

            default:
                throw fail("unknown event")
            }
        }

        func finish(eventCount: Int) throws(Violation) -> Summary {
            switch self.phase {
            case .stopped, .errored:
                return self.summary
            case .beforeMessageStart:
                throw Violation("event #1: the stream has no events; it must start with message_start")
            case .content:
                if let open = self.open {
                    throw Violation(
                        "event #\(eventCount + 1): the stream ended with block \(open.index) still open; expected content_block_stop, message_delta and message_stop"
                    )
                }
                throw Violation("event #\(eventCount + 1): the stream ended without message_delta and message_stop")
            case .afterMessageDelta:
                throw Violation("event #\(eventCount + 1): the stream ended without message_stop")
            }
        }

        static func index(_ data: JSONObject, _ fail: (String) -> Violation) throws(Violation) -> Int {
            guard case .int(let index)? = data["index"] else {
                throw fail("\"index\" must be an integer, got \(data["index"]?.jsonString() ?? "nothing")")
            }
            return index
        }

        func requireOpen(_ index: Int, verb: String, _ fail: (String) -> Violation) throws(Violation) -> OpenBlock {
            if let open = self.open {
                guard open.index == index else {
                    throw fail("\(verb) for block \(index) while block \(open.index) is the open one")
                }
                return open
            }
            if index >= 0 && index < self.nextIndex {
                throw fail("\(verb) for block \(index) after its content_block_stop")
            }
            throw fail("\(verb) for block \(index), which was never started")
        }

        mutating func messageStart(_ data: JSONObject, _ fail: (String) -> Violation) throws(Violation) {
            guard let message = data["message"]?.objectValue else { throw fail("\"message\" must be an object") }
            guard let id = message["id"]?.stringValue, !id.isEmpty else { throw fail("message.id must be a non-empty string") }
            guard message["type"] == .string("message") else { throw fail("message.type must be \"message\"") }
            guard message["role"] == .string("assistant") else { throw fail("message.role must be \"assistant\"") }
            guard message["content"] == .array([]) else {
                throw fail("message.content must be an empty array, got \(message["content"]?.jsonString() ?? "nothing")")
            }
            guard let model = message["model"]?.stringValue else { throw fail("message.model must be a string") }
            if let stop = message["stop_reason"], !stop.isNull {
                throw fail("message.stop_reason must be null in message_start, got \(stop.jsonString())")
            }
            guard let usage = message["usage"]?.objectValue else { throw fail("message.usage must be an object") }
            for key in ["input_tokens", "output_tokens"] {
                guard case .int(let n)? = usage[key], n >= 0 else {
                    throw fail("message.usage.\(key) must be a non-negative integer, got \(usage[key]?.jsonString() ?? "nothing")")
                }
            }
            self.summary.model = model
        }

        mutating func blockStart(index: Int, _ block: JSONObject, _ fail: (String) -> Violation) throws(Violation) -> OpenBlock {
            guard let type = block["type"]?.stringValue else { throw fail("content_block.type must be a string") }
            var open = OpenBlock(index: index, type: type)
            switch type {
            case "text":
                guard let text = block["text"]?.stringValue else { throw fail("text block needs a string \"text\"") }
                self.summary.text += text
            case "thinking":
                guard let thinking = block["thinking"]?.stringValue else {
                    throw fail("thinking block needs a string \"thinking\"")
                }
                if let signature = block["signature"], signature.stringValue == nil {
                    throw fail("thinking block \"signature\" must be a string")
                }
                self.summary.thinking += thinking
            case "redacted_thinking":
                guard block["data"]?.stringValue != nil else { throw fail("redacted_thinking block needs a string \"data\"") }
            case "tool_use", "server_tool_use", "mcp_tool_use":
                guard let id = block["id"]?.stringValue, !id.isEmpty else { throw fail("\(type) block needs a non-empty string \"id\"") }
                guard let name = block["name"]?.stringValue, !name.isEmpty else {
                    throw fail("\(type) block needs a non-empty string \"name\"")
                }
                guard block["input"] == .object(JSONObject()) else {
                    throw fail("\(type) block must start with \"input\": {} (the input streams as input_json_delta), got \(block["input"]?.jsonString() ?? "nothing")")
                }
                open.id = id
                open.name = name
            default:
                guard AnthropicStreamValidator.serverResultTypes.contains(type) else {
                    throw fail("unknown content block type '\(type)'")
                }
                guard block["tool_use_id"]?.stringValue != nil else { throw fail("\(type) block needs a string \"tool_use_id\"") }
            }
            return open
        }

        mutating func blockDelta(_ open: inout OpenBlock, _ delta: JSONObject, _ fail: (String) -> Violation) throws(Violation) {
            guard let type = delta["type"]?.stringValue else { throw fail("delta.type must be a string") }
            let expected: Set<String>
            switch type {
            case "text_delta", "citations_delta": expected = ["text"]
            case "thinking_delta", "signature_delta": expected = ["thinking"]
            case "input_json_delta": expected = AnthropicStreamValidator.serverToolUseTypes.union(["tool_use"])
            default: throw fail("unknown delta type '\(type)'")
            }
            guard expected.contains(open.type) else {
                throw fail("\(type) in block \(open.index), which is a \(open.type) block")
            }
            switch type {
            case "text_delta":
                guard let text = delta["text"]?.stringValue else { throw fail("text_delta needs a string \"text\"") }
                self.summary.text += text
            case "citations_delta":
                guard delta["citation"]?.objectValue != nil else { throw fail("citations_delta needs an object \"citation\"") }
            case "thinking_delta":
                guard let thinking = delta["thinking"]?.stringValue else { throw fail("thinking_delta needs a string \"thinking\"") }
                if open.signature != nil { throw fail("thinking_delta after the block's signature_delta") }
                self.summary.thinking += thinking
            case "signature_delta":
                guard let signature = delta["signature"]?.stringValue, !signature.isEmpty else {
                    throw fail("signature_delta needs a non-empty string \"signature\"")
                }
                if open.signature != nil { throw fail("a second signature_delta in block \(open.index)") }
                open.signature = signature
            default:  // input_json_delta
                guard let partial = delta["partial_json"]?.stringValue else {
                    throw fail("input_json_delta needs a string \"partial_json\"")
                }
                open.partialJSON += partial
            }
        }

        mutating func blockStop(_ open: OpenBlock, _ fail: (String) -> Violation) throws(Violation) {
            switch open.type {
            case "thinking":
                guard let signature = open.signature else {
                    throw fail("thinking block \(open.index) stopped without a signature_delta")
                }
                self.summary.signatures.append(signature)
            case "tool_use", "server_tool_use", "mcp_tool_use":
                let input: JSONValue
                if open.partialJSON.isEmpty {
                    input = .object(JSONObject())
                } else {
                    do {
                        input = try JSONParser.parse(open.partialJSON)
                    } catch {
                        throw fail("\(open.type) block \(open.index) ('\(open.name)'): the concatenated partial_json is not valid JSON (\(error)): \(open.partialJSON.prefix(200))")
                    }
                }
                guard input.objectValue != nil else {
                    throw fail("\(open.type) block \(open.index) ('\(open.name)'): the concatenated partial_json is \(input.kindDescription), not an object")
                }
                if open.type == "tool_use" {
                    self.summary.tools.append(Tool(id: open.id, name: open.name, input: input))
                    self.clientToolUses += 1
                }
            default:
                break
            }
        }

        mutating func messageDelta(_ data: JSONObject, _ fail: (String) -> Violation) throws(Violation) {
            guard let delta = data["delta"]?.objectValue else { throw fail("\"delta\" must be an object") }
            guard let reason = delta["stop_reason"]?.stringValue else {
                throw fail("delta.stop_reason must be a string, got \(delta["stop_reason"]?.jsonString() ?? "nothing")")
            }
            guard AnthropicStreamValidator.stopReasons.contains(reason) else {
                throw fail("delta.stop_reason '\(reason)' is not one of \(AnthropicStreamValidator.stopReasons.sorted().joined(separator: ", "))")
            }
            if let sequence = delta["stop_sequence"], !sequence.isNull, sequence.stringValue == nil {
                throw fail("delta.stop_sequence must be null or a string")
            }
            if reason == "tool_use" && self.clientToolUses == 0 {
                throw fail("stop_reason tool_use but the message has no tool_use block")
            }
            guard let usage = data["usage"], let usageObject = usage.objectValue else {
                throw fail("\"usage\" must be an object")
            }
            guard case .int(let output)? = usageObject["output_tokens"], output >= 0 else {
                throw fail("usage.output_tokens must be a non-negative integer, got \(usageObject["output_tokens"]?.jsonString() ?? "nothing")")
            }
            self.summary.stopReason = reason
            self.summary.usage = usage
        }
    }

    // MARK: - Non-streaming

    /// Checks a non-streaming Anthropic Messages response body.
    /// - Returns: what the message said (``Summary/endedWithError`` is always nil).
    /// - Throws: ``Violation`` naming the first member that breaks a rule.
    public static func validateMessage(_ json: JSONValue) throws(Violation) -> Summary {
        guard let message = json.objectValue else {
            throw Violation("$: a message must be a JSON object, got \(json.kindDescription)")
        }
        guard message["type"] == .string("message") else {
            throw Violation("$.type must be \"message\", got \(message["type"]?.jsonString() ?? "nothing")")
        }
        guard let id = message["id"]?.stringValue, !id.isEmpty else { throw Violation("$.id must be a non-empty string") }
        guard message["role"] == .string("assistant") else {
            throw Violation("$.role must be \"assistant\", got \(message["role"]?.jsonString() ?? "nothing")")
        }
        guard let model = message["model"]?.stringValue else { throw Violation("$.model must be a string") }
        guard let content = message["content"]?.arrayValue else { throw Violation("$.content must be an array") }

        var summary = Summary(model: model)
        var sawAnswer = false
        for (i, element) in content.enumerated() {
            let path = "$.content[\(i)]"
            guard let block = element.objectValue, let type = block["type"]?.stringValue else {
                throw Violation("\(path) must be an object with a string \"type\"")
            }
            switch type {
            case "text":
                guard let text = block["text"]?.stringValue else { throw Violation("\(path).text must be a string") }
                if let citations = block["citations"], !citations.isNull, citations.arrayValue == nil {
                    throw Violation("\(path).citations must be an array or null")
                }
                summary.text += text
                sawAnswer = true
            case "thinking", "redacted_thinking":
                if sawAnswer {
                    throw Violation("\(path): a \(type) block after a text or tool_use block; thinking must come first")
                }
                if type == "thinking" {
                    guard let thinking = block["thinking"]?.stringValue else { throw Violation("\(path).thinking must be a string") }
                    guard let signature = block["signature"]?.stringValue, !signature.isEmpty else {
                        throw Violation("\(path).signature must be a non-empty string")
                    }
                    summary.thinking += thinking
                    summary.signatures.append(signature)
                } else {
                    guard block["data"]?.stringValue != nil else { throw Violation("\(path).data must be a string") }
                }
            case "tool_use", "server_tool_use", "mcp_tool_use":
                guard let toolID = block["id"]?.stringValue, !toolID.isEmpty else {
                    throw Violation("\(path).id must be a non-empty string")
                }
                guard let name = block["name"]?.stringValue, !name.isEmpty else {
                    throw Violation("\(path).name must be a non-empty string")
                }
                guard let input = block["input"], input.objectValue != nil else {
                    throw Violation("\(path).input must be an object, got \(block["input"]?.jsonString() ?? "nothing")")
                }
                if type == "tool_use" {
                    summary.tools.append(Tool(id: toolID, name: name, input: input))
                    sawAnswer = true
                }
            default:
                guard Self.serverResultTypes.contains(type) else {
                    throw Violation("\(path): unknown content block type '\(type)'")
                }
                guard block["tool_use_id"]?.stringValue != nil else { throw Violation("\(path).tool_use_id must be a string") }
            }
        }

        guard let reason = message["stop_reason"]?.stringValue else {
            throw Violation("$.stop_reason must be a string, got \(message["stop_reason"]?.jsonString() ?? "nothing")")
        }
        guard Self.stopReasons.contains(reason) else {
            throw Violation("$.stop_reason '\(reason)' is not one of \(Self.stopReasons.sorted().joined(separator: ", "))")
        }
        if reason == "tool_use" && summary.tools.isEmpty {
            throw Violation("$.stop_reason is tool_use but the content has no tool_use block")
        }
        if let sequence = message["stop_sequence"], !sequence.isNull, sequence.stringValue == nil {
            throw Violation("$.stop_sequence must be null or a string")
        }
        guard let usage = message["usage"], let usageObject = usage.objectValue else {
            throw Violation("$.usage must be an object")
        }
        for key in ["input_tokens", "output_tokens"] {
            guard case .int(let n)? = usageObject[key], n >= 0 else {
                throw Violation("$.usage.\(key) must be a non-negative integer, got \(usageObject[key]?.jsonString() ?? "nothing")")
            }
        }
        summary.stopReason = reason
        summary.usage = usage
        return summary
    }
}
