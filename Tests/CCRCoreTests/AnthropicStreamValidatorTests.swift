import CCRCore
import CCRTestSupport
import Testing

/// Builds SSE bytes from (event name, data JSON) pairs.
private func sse(_ events: [(String, String)], lineEnding: String = "\n") -> [UInt8] {
    var text = ""
    for (name, data) in events {
        text += "event: \(name)\(lineEnding)data: \(data)\(lineEnding)\(lineEnding)"
    }
    return Array(text.utf8)
}

private let messageStart = (
    "message_start",
    #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-test","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":1}}}"#
)
private let ping = ("ping", #"{"type": "ping"}"#)
private func start(_ index: Int, _ block: String) -> (String, String) {
    ("content_block_start", #"{"type":"content_block_start","index":\#(index),"content_block":\#(block)}"#)
}
private func delta(_ index: Int, _ delta: String) -> (String, String) {
    ("content_block_delta", #"{"type":"content_block_delta","index":\#(index),"delta":\#(delta)}"#)
}
private func stop(_ index: Int) -> (String, String) {
    ("content_block_stop", #"{"type":"content_block_stop","index":\#(index)}"#)
}
private func messageDelta(_ reason: String) -> (String, String) {
    ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"\#(reason)","stop_sequence":null},"usage":{"output_tokens":42}}"#)
}
private let messageStop = ("message_stop", #"{"type":"message_stop"}"#)
private let textStart = #"{"type":"text","text":""}"#
private func textDelta(_ text: String) -> String { #"{"type":"text_delta","text":"\#(text)"}"# }

/// text (0)
private let textStream: [(String, String)] = [
    messageStart, start(0, textStart), ping, delta(0, textDelta("Hel")), delta(0, textDelta("lo")), stop(0),
    messageDelta("end_turn"), messageStop,
]

/// thinking (0), text (1), tool_use (2)
private let fullStream: [(String, String)] = [
    messageStart,
    start(0, #"{"type":"thinking","thinking":"","signature":""}"#),
    delta(0, #"{"type":"thinking_delta","thinking":"Let me "}"#),
    delta(0, #"{"type":"thinking_delta","thinking":"look."}"#),
    delta(0, #"{"type":"signature_delta","signature":"sig-A"}"#),
    stop(0),
    start(1, textStart), delta(1, textDelta("Reading.")), stop(1),
    start(2, #"{"type":"tool_use","id":"toolu_1","name":"Read","input":{}}"#),
    delta(2, #"{"type":"input_json_delta","partial_json":""}"#),
    delta(2, #"{"type":"input_json_delta","partial_json":"{\"file_path\":"}"#),
    delta(2, #"{"type":"input_json_delta","partial_json":"\"/a.txt\"}"}"#),
    stop(2),
    ping,
    messageDelta("tool_use"),
    messageStop,
]

@Suite("Anthropic stream validator")
struct AnthropicStreamValidatorTests {
    typealias V = AnthropicStreamValidator

    @Test func acceptsATextStreamAndSummarisesIt() throws {
        let summary = try V.validate(sse(textStream))
        #expect(summary.text == "Hello")
        #expect(summary.stopReason == "end_turn")
        #expect(summary.model == "claude-test")
        #expect(summary.usage?["output_tokens"] == .int(42))
        #expect(summary.endedWithError == nil)
    }

    @Test func acceptsCRLFLineEndingsAndComments() throws {
        var bytes = Array(": keep-alive\r\n\r\n".utf8)
        bytes += sse(textStream, lineEnding: "\r\n")
        #expect(try V.validate(bytes).text == "Hello")
    }

    @Test func collectsThinkingSignaturesAndTools() throws {
        let summary = try V.validate(sse(fullStream))
        #expect(summary.thinking == "Let me look.")
        #expect(summary.signatures == ["sig-A"])
        #expect(summary.text == "Reading.")
        #expect(summary.tools == [V.Tool(id: "toolu_1", name: "Read", input: ["file_path": "/a.txt"])])
        #expect(summary.stopReason == "tool_use")
    }

    @Test func aToolWithoutArgumentsHasAnEmptyObjectInput() throws {
        let summary = try V.validate(sse([
            messageStart, start(0, #"{"type":"tool_use","id":"t","name":"Now","input":{}}"#), stop(0),
            messageDelta("tool_use"), messageStop,
        ]))
        #expect(summary.tools == [V.Tool(id: "t", name: "Now", input: .object(JSONObject()))])
    }

    @Test func acceptsServerToolBlocksRedactedThinkingAndCitations() throws {
        let summary = try V.validate(sse([
            messageStart,
            start(0, #"{"type":"redacted_thinking","data":"opaque"}"#), stop(0),
            start(1, #"{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}"#),
            delta(1, #"{"type":"input_json_delta","partial_json":"{\"query\":\"swift\"}"}"#),
            stop(1),
            start(2, #"{"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[]}"#), stop(2),
            start(3, #"{"citations":[],"type":"text","text":""}"#),
            delta(3, #"{"type":"citations_delta","citation":{"type":"web_search_result_location","url":"u"}}"#),
            delta(3, textDelta("Swift.")), stop(3),
            messageDelta("end_turn"), messageStop,
        ]))
        #expect(summary.text == "Swift.")
        #expect(summary.tools.isEmpty)
    }

    @Test func acceptsAnErrorEventAfterClosedBlocks() throws {
        let error = ("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        let summary = try V.validate(sse([messageStart, start(0, textStart), delta(0, textDelta("Hi")), stop(0), error]))
        #expect(summary.endedWithError == ["type": "overloaded_error", "message": "Overloaded"])
        #expect(summary.stopReason == nil)
        #expect(summary.text == "Hi")
    }

    static let error = ("error", #"{"type":"error","error":{"type":"api_error","message":"boom"}}"#)

    /// (defect, stream bytes, text the violation must contain)
    static let defects: [(String, [UInt8], String)] = [
        ("empty stream", [], "no events"),
        (
            "missing event: line",
            Array("data: {\"type\":\"message_start\"}\n\n".utf8), "event #1: has no event: line"
        ),
        (
            "two data lines",
            Array("event: ping\ndata: {\"type\":\"ping\"}\ndata: {}\n\n".utf8), "exactly one data: line"
        ),
        ("no message_start", sse([ping, messageStop]), "event #1 (ping): the first event must be message_start"),
        ("garbage JSON", sse([messageStart, ("ping", "{not json")]), "event #2 (ping): data is not valid JSON"),
        ("unknown event name", sse([messageStart, ("content_block_begin", #"{"type":"content_block_begin"}"#)]), "unknown event name"),
        ("type differs from event name", sse([messageStart, ("ping", #"{"type":"message_stop"}"#)]), "not the event name"),
        (
            "message_start content not empty",
            sse([(
                "message_start",
                #"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[{"type":"text","text":"x"}],"model":"m","usage":{"input_tokens":1,"output_tokens":1}}}"#
            )]), "message.content must be an empty array"
        ),
        (
            "message_start without usage",
            sse([(
                "message_start",
                #"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"m"}}"#
            )]), "message.usage"
        ),
        ("first index not 0", sse([messageStart, start(1, textStart)]), "event #2 (content_block_start): block index 1 where 0 was expected"),
        (
            "index gap",
            sse([messageStart, start(0, textStart), stop(0), start(2, textStart)]), "event #4 (content_block_start): block index 2 where 1"
        ),
        (
            "two blocks open",
            sse([messageStart, start(0, textStart), start(1, textStart)]), "block 1 started while block 0 is still open"
        ),
        ("delta before start", sse([messageStart, delta(0, textDelta("x"))]), "never started"),
        (
            "delta after stop",
            sse([messageStart, start(0, textStart), stop(0), delta(0, textDelta("x"))]), "event #4 (content_block_delta): content_block_delta for block 0 after its content_block_stop"
        ),
        ("stopped twice", sse([messageStart, start(0, textStart), stop(0), stop(0)]), "content_block_stop for block 0 after its content_block_stop"),
        (
            "delta type does not match the block",
            sse([messageStart, start(0, textStart), delta(0, #"{"type":"thinking_delta","thinking":"x"}"#)]),
            "thinking_delta in block 0, which is a text block"
        ),
        ("unknown block type", sse([messageStart, start(0, #"{"type":"image","source":{}}"#)]), "unknown content block type 'image'"),
        (
            "tool_use without an id",
            sse([messageStart, start(0, #"{"type":"tool_use","name":"Read","input":{}}"#)]), "non-empty string \"id\""
        ),
        (
            "tool JSON not an object",
            sse([
                messageStart, start(0, #"{"type":"tool_use","id":"t","name":"Read","input":{}}"#),
                delta(0, #"{"type":"input_json_delta","partial_json":"[1,2]"}"#), stop(0),
            ]), "is an array, not an object"
        ),
        (
            "tool JSON invalid",
            sse([
                messageStart, start(0, #"{"type":"tool_use","id":"t","name":"Read","input":{}}"#),
                delta(0, #"{"type":"input_json_delta","partial_json":"{\"a\":"}"#), stop(0),
            ]), "event #4 (content_block_stop): tool_use block 0 ('Read'): the concatenated partial_json is not valid JSON"
        ),
        (
            "thinking without signature",
            sse([
                messageStart, start(0, #"{"type":"thinking","thinking":""}"#),
                delta(0, #"{"type":"thinking_delta","thinking":"hm"}"#), stop(0),
            ]), "thinking block 0 stopped without a signature_delta"
        ),
        (
            "missing message_delta",
            sse([messageStart, start(0, textStart), stop(0), messageStop]), "message_stop without a message_delta"
        ),
        ("two message_deltas", sse([messageStart, messageDelta("end_turn"), messageDelta("end_turn")]), "a second message_delta"),
        ("unknown stop reason", sse([messageStart, messageDelta("finished")]), "stop_reason 'finished'"),
        ("tool_use stop without a tool", sse([messageStart, messageDelta("tool_use")]), "no tool_use block"),
        (
            "message_delta without usage",
            sse([messageStart, ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"}}"#)]), "\"usage\" must be an object"
        ),
        (
            "message_delta while a block is open",
            sse([messageStart, start(0, textStart), messageDelta("end_turn")]), "message_delta while block 0 is still open"
        ),
        ("block after message_delta", sse([messageStart, messageDelta("end_turn"), start(0, textStart)]), "content_block_start after message_delta"),
        ("data after message_stop", sse(textStream + [ping]), "event #9 (ping): comes after message_stop"),
        ("missing message_stop", sse(Array(textStream.dropLast())), "ended without message_stop"),
        ("ends with an open block", sse([messageStart, start(0, textStart)]), "block 0 still open"),
        ("error while a block is open", sse([messageStart, start(0, textStart), error]), "error event while block 0 is still open"),
        ("event after the error", sse([messageStart, error, ping]), "comes after the error event"),
        ("error before message_start", sse([error]), "the first event must be message_start"),
        ("error without a message", sse([messageStart, ("error", #"{"type":"error","error":{"type":"api_error"}}"#)]), "\"message\""),
        ("trailing partial line", sse(textStream) + Array("event: ping".utf8), "trailing byte(s) that do not form a complete event"),
        (
            "last event not terminated by a blank line",
            sse(Array(textStream.dropLast())) + Array("event: message_stop\ndata: {\"type\":\"message_stop\"}\n".utf8),
            "ends in the middle of an event"
        ),
        ("bare CR line ending", Array("event: ping\rdata: {}\r\n\r\n".utf8), "bare CR"),
        ("unexpected SSE field", Array("id: 1\nevent: ping\ndata: {\"type\":\"ping\"}\n\n".utf8), "unexpected SSE line"),
    ]

    @Test(arguments: Self.defects)
    func rejects(defect: String, bytes: [UInt8], expected: String) {
        let violation = #expect(throws: V.Violation.self, "\(defect)") { try V.validate(bytes) }
        #expect(violation?.description.contains(expected) == true, "\(defect): \(violation?.description ?? "accepted")")
    }

    // MARK: non-streaming

    static let message: JSONValue = [
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
        "content": [
            ["type": "thinking", "thinking": "Hm.", "signature": "sig"],
            ["type": "text", "text": "Reading."],
            ["type": "tool_use", "id": "toolu_1", "name": "Read", "input": ["file_path": "/a"]],
        ],
        "stop_reason": "tool_use", "stop_sequence": nil,
        "usage": ["input_tokens": 5, "output_tokens": 7],
    ]

    @Test func acceptsAMessageAndSummarisesIt() throws {
        let summary = try V.validateMessage(Self.message)
        #expect(summary.thinking == "Hm.")
        #expect(summary.signatures == ["sig"])
        #expect(summary.text == "Reading.")
        #expect(summary.tools == [V.Tool(id: "toolu_1", name: "Read", input: ["file_path": "/a"])])
        #expect(summary.stopReason == "tool_use")
        #expect(summary.model == "claude-test")
        #expect(summary.usage == ["input_tokens": 5, "output_tokens": 7])
    }

    static func changing(_ change: (inout JSONObject) -> Void) -> JSONValue {
        var object = Self.message.objectValue!
        change(&object)
        return .object(object)
    }

    static func content(_ blocks: JSONValue...) -> JSONValue {
        Self.changing {
            $0["content"] = .array(blocks)
            $0["stop_reason"] = "end_turn"
        }
    }

    static let messageDefects: [(String, JSONValue, String)] = [
        ("not an object", ["x"], "must be a JSON object"),
        ("wrong type", changing { $0["type"] = "completion" }, "$.type"),
        ("wrong role", changing { $0["role"] = "user" }, "$.role"),
        ("content not an array", changing { $0["content"] = "hi" }, "$.content must be an array"),
        ("thinking without signature", content(["type": "thinking", "thinking": "x"]), "$.content[0].signature"),
        ("thinking after text", content(["type": "text", "text": "a"], ["type": "thinking", "thinking": "b", "signature": "s"]), "thinking must come first"),
        ("tool_use input not an object", content(["type": "tool_use", "id": "t", "name": "n", "input": "{}"]), "$.content[0].input must be an object"),
        ("text without text", content(["type": "text"]), "$.content[0].text"),
        ("unknown block", content(["type": "video"]), "unknown content block type"),
        ("no stop reason", changing { $0["stop_reason"] = nil }, "$.stop_reason must be a string"),
        ("bad stop reason", changing { $0["stop_reason"] = "stop" }, "$.stop_reason 'stop'"),
        ("usage without output_tokens", changing { $0["usage"] = ["input_tokens": 1] }, "$.usage.output_tokens"),
        ("usage tokens not integers", changing { $0["usage"] = ["input_tokens": "1", "output_tokens": 1] }, "$.usage.input_tokens"),
    ]

    @Test(arguments: Self.messageDefects)
    func rejectsMessage(defect: String, json: JSONValue, expected: String) {
        let violation = #expect(throws: V.Violation.self, "\(defect)") { try V.validateMessage(json) }
        #expect(violation?.description.contains(expected) == true, "\(defect): \(violation?.description ?? "accepted")")
    }
}
