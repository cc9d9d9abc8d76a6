import CCRCore
import CCRTestSupport
import Foundation
import Testing

/// The real Claude Code CLI, through `ccr code`, against a mock OpenAI Responses provider that
/// reasons (with a summary and encrypted content, as gpt-5 does) and calls tools.
@Suite("Real Claude Code through ccr to an OpenAI Responses provider", .serialized, .timeLimit(.minutes(3)))
struct ClaudeCodeResponsesTests: ClaudeCodeProviderTest {
    static func event(_ data: JSONValue) -> [UInt8] {
        MockUpstream.event(data["type"]?.stringValue ?? "", data)
    }

    static func response(status: String, output: [JSONValue] = []) -> JSONValue {
        [
            "id": "resp_e2e", "object": "response", "model": "mock-gpt", "status": .string(status), "output": .array(output),
            "usage": ["input_tokens": 1200, "input_tokens_details": ["cached_tokens": 1000], "output_tokens": 40, "output_tokens_details": ["reasoning_tokens": 20]],
        ]
    }

    /// Reasoning (summary + encrypted content), then a Bash call on the first turn (when
    /// `command` is set); reasoning and text quoting the tool's output otherwise.
    static func responder(command: String?) -> MockUpstream.Responder {
        { received, _ in
            let input = received.json?["input"]?.arrayValue ?? []
            let toolOutput = input.last { $0["type"] == "function_call_output" }
            var events: [[UInt8]] = [Self.event(["type": "response.created", "response": Self.response(status: "in_progress")])]
            let reasoningID = toolOutput == nil ? "rs_e2e_1" : "rs_e2e_2"
            events.append(Self.event(["type": "response.output_item.added", "output_index": 0, "item": ["id": .string(reasoningID), "type": "reasoning", "summary": []]]))
            for piece in ["The user wants ", "a careful answer."] {
                events.append(Self.event(["type": "response.reasoning_summary_text.delta", "item_id": .string(reasoningID), "output_index": 0, "summary_index": 0, "delta": .string(piece)]))
            }
            events.append(Self.event([
                "type": "response.output_item.done", "output_index": 0,
                "item": ["id": .string(reasoningID), "type": "reasoning", "encrypted_content": .string("ENC-\(reasoningID)"), "summary": [["type": "summary_text", "text": "The user wants a careful answer."]]],
            ]))
            if let command, toolOutput == nil {
                let arguments = JSONValue.object(["command": .string(command), "description": "e2e"]).jsonString()
                let call: JSONValue = ["id": "fc_e2e_1", "type": "function_call", "call_id": "call_e2e_1", "name": "Bash", "arguments": ""]
                events.append(Self.event(["type": "response.output_item.added", "output_index": 1, "item": call]))
                for piece in [String(arguments.prefix(10)), String(arguments.dropFirst(10))] {
                    events.append(Self.event(["type": "response.function_call_arguments.delta", "item_id": "fc_e2e_1", "output_index": 1, "delta": .string(piece)]))
                }
                events.append(Self.event(["type": "response.function_call_arguments.done", "item_id": "fc_e2e_1", "output_index": 1, "arguments": .string(arguments)]))
                events.append(Self.event([
                    "type": "response.output_item.done", "output_index": 1,
                    "item": ["id": "fc_e2e_1", "type": "function_call", "call_id": "call_e2e_1", "name": "Bash", "arguments": .string(arguments), "status": "completed"],
                ]))
            } else {
                let text = toolOutput.map { Self.toolAnswer($0["output"]?.stringValue ?? "") } ?? Self.plainAnswer
                events.append(Self.event(["type": "response.output_item.added", "output_index": 1, "item": ["id": "msg_e2e", "type": "message", "role": "assistant", "content": []]]))
                for piece in Self.pieces(text) {
                    events.append(Self.event(["type": "response.output_text.delta", "item_id": "msg_e2e", "output_index": 1, "content_index": 0, "delta": .string(piece)]))
                }
                events.append(Self.event([
                    "type": "response.output_item.done", "output_index": 1,
                    "item": ["id": "msg_e2e", "type": "message", "role": "assistant", "content": [["type": "output_text", "text": .string(text), "annotations": []]]],
                ]))
            }
            events.append(Self.event(["type": "response.completed", "response": Self.response(status: "completed")]))
            return .sse(events: events.map { (Duration.milliseconds(5), $0) })
        }
    }

    static func runClaude(upstream: String, arguments: [String]) async throws -> Processes.Result {
        try await Processes.runClaudeThroughCCR(
            provider: #"{"name": "mock", "api_base_url": "\#(upstream)/v1/responses", "api_key": "sk-responses-e2e-4321", "models": ["gpt-5-mock"], "transformer": {"use": ["openai-responses"]}}"#,
            model: "gpt-5-mock", arguments: arguments)
    }

    @Test func completesATurnWithReasoning() async throws {
        let (mock, output) = try await Self.answerOneTurn()
        // Claude Code saw the provider's usage, cache reads included.
        #expect(output["usage"]?["cache_read_input_tokens"] == 1000)
        let first = try #require(mock.requests.first)
        #expect(first.path == "/v1/responses")
        #expect(first.headers[.authorization] == "Bearer sk-responses-e2e-4321")
        let body = try #require(first.json)
        #expect(body["model"] == "gpt-5-mock")
        #expect(body["store"] == false)
        #expect(body["stream"] == true)
        #expect(body["include"] == ["reasoning.encrypted_content"])
        #expect(body["instructions"]?.stringValue?.isEmpty == false)
        #expect(body["input"]?.arrayValue?.first?["role"] == "user")
    }

    @Test func completesABashToolRoundTripAndCarriesTheReasoningBack() async throws {
        let (mock, marker) = try await Self.runBashRoundTrip(markerPrefix: "ccr-responses-e2e")
        let followUp = try #require(mock.requests.first { ($0.json?["input"]?.arrayValue ?? []).contains { $0["type"] == "function_call_output" } }?.json)
        let input = followUp["input"]?.arrayValue ?? []
        let tools = followUp["tools"]?.arrayValue ?? []
        #expect(tools.contains { $0["name"] == "Bash" && $0["strict"] == false })
        // The reasoning went to Claude Code as a signed thinking block and came back as the item,
        // right before the call it led to.
        let callAt = try #require(input.firstIndex { $0["type"] == "function_call" })
        #expect(callAt > 0 && input[callAt - 1]["type"] == "reasoning")
        #expect(input[callAt - 1]["id"] == "rs_e2e_1")
        #expect(input[callAt - 1]["encrypted_content"] == "ENC-rs_e2e_1")
        #expect(input[callAt]["call_id"] == "call_e2e_1")
        #expect(input[callAt]["name"] == "Bash")
        let output = try #require(input.first { $0["type"] == "function_call_output" })
        #expect(output["call_id"] == "call_e2e_1")
        #expect(output["output"]?.stringValue?.contains(marker) == true)
    }
}
