import CCRCore
import CCRTestSupport
import Foundation
import Testing

/// The real Claude Code CLI, through `ccr code`, against a mock Anthropic-compatible provider.
@Suite("Real Claude Code through ccr to an Anthropic-compatible provider", .serialized, .timeLimit(.minutes(3)))
struct ClaudeCodeAnthropicTests {
    enum Mode: String, CaseIterable {
        case streaming
        case nonStreaming
    }

    /// Answers like a provider: a Bash tool call on the first turn when `toolCommand` is set, text otherwise.
    static func responder(mode: Mode, toolCommand: String?) -> MockUpstream.Responder {
        { received, _ in
            let body = received.json ?? .null
            let messages = body["messages"]?.arrayValue ?? []
            let toolResult = messages.last?["content"]?.arrayValue?.first { $0["type"] == "tool_result" }
            let offersBash = (body["tools"]?.arrayValue ?? []).contains { $0["name"] == "Bash" }
            let model = body["model"]?.stringValue ?? "?"
            if let command = toolCommand, toolResult == nil, offersBash {
                return Self.toolUse(command: command, model: model, mode: mode, stream: body["stream"] == true)
            }
            var text = "pong from the mock provider (model \(model))"
            if let toolResult {
                let content = toolResult["content"]?.stringValue
                    ?? (toolResult["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
                text = "the tool printed: \(content.trimmingCharacters(in: .whitespacesAndNewlines))"
            }
            if mode == .streaming && body["stream"] == true {
                return .sse(events: MockUpstream.anthropicTextStream(text, model: model))
            }
            return .json(body: MockUpstream.anthropicTextMessage(text, model: model))
        }
    }

    static func toolUse(command: String, model: String, mode: Mode, stream: Bool) -> MockUpstream.Reply {
        let input: JSONValue = ["command": .string(command), "description": "run the e2e command"]
        if mode == .streaming && stream {
            let json = input.jsonString()
            let half = json.index(json.startIndex, offsetBy: json.count / 2)
            let events: [[UInt8]] = [
                MockUpstream.event("message_start", ["type": "message_start", "message": ["id": "msg_tool", "type": "message", "role": "assistant", "model": .string(model), "content": [], "stop_reason": nil, "stop_sequence": nil, "usage": ["input_tokens": 20, "output_tokens": 1]]]),
                MockUpstream.event("content_block_start", ["type": "content_block_start", "index": 0, "content_block": ["type": "tool_use", "id": "toolu_e2e_1", "name": "Bash", "input": [:]]]),
                MockUpstream.event("content_block_delta", ["type": "content_block_delta", "index": 0, "delta": ["type": "input_json_delta", "partial_json": .string(String(json[..<half]))]]),
                MockUpstream.event("content_block_delta", ["type": "content_block_delta", "index": 0, "delta": ["type": "input_json_delta", "partial_json": .string(String(json[half...]))]]),
                MockUpstream.event("content_block_stop", ["type": "content_block_stop", "index": 0]),
                MockUpstream.event("message_delta", ["type": "message_delta", "delta": ["stop_reason": "tool_use", "stop_sequence": nil], "usage": ["output_tokens": 12]]),
                MockUpstream.event("message_stop", ["type": "message_stop"]),
            ]
            return .sse(events: events.map { (Duration.zero, $0) })
        }
        return .json(body: JSONValue.object([
            "id": "msg_tool", "type": "message", "role": "assistant", "model": .string(model),
            "content": [["type": "tool_use", "id": "toolu_e2e_1", "name": "Bash", "input": input]],
            "stop_reason": "tool_use", "stop_sequence": nil, "usage": ["input_tokens": 20, "output_tokens": 12],
        ]).encoded())
    }

    static func runClaude(upstream: String, arguments: [String]) async throws -> Processes.Result {
        try await Processes.runClaudeThroughCCR(
            provider: #"{"name": "mock", "api_base_url": "\#(upstream)/v1/messages", "api_key": "$MOCK_PROVIDER_KEY", "models": ["mock-model"], "transformer": {"use": ["Anthropic"]}}"#,
            model: "mock-model", arguments: arguments, extraEnvironment: ["MOCK_PROVIDER_KEY": "sk-provider-e2e-9876"])
    }

    @Test(arguments: Mode.allCases)
    func printsTheProvidersAnswer(mode: Mode) async throws {
        let mock = MockUpstream(respond: Self.responder(mode: mode, toolCommand: nil))
        let result = try await mock.run { upstream in
            try await Self.runClaude(upstream: upstream, arguments: ["-p", "say pong", "--output-format", "text"])
        }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("pong from the mock provider (model mock-model)"), "stdout: \(result.stdout)")
        let requests = mock.requests
        #expect(!requests.isEmpty)
        for request in requests {
            #expect(request.json?["model"] == "mock-model")
            #expect(request.headers[.init("x-api-key")!] == "sk-provider-e2e-9876")
        }
        if mode == .nonStreaming {
            // Claude Code asked for a stream, got JSON, and fell back to a non-streaming request.
            #expect(requests.contains { $0.json?["stream"] == false })
        } else {
            #expect(requests.allSatisfy { $0.json?["stream"] == true })
        }
    }

    @Test(arguments: Mode.allCases)
    func completesABashToolRoundTrip(mode: Mode) async throws {
        let marker = "ccr-e2e-\(UUID().uuidString.prefix(8))"
        let mock = MockUpstream(respond: Self.responder(mode: mode, toolCommand: "echo \(marker)"))
        let result = try await mock.run { upstream in
            try await Self.runClaude(upstream: upstream, arguments: ["-p", "run the command", "--output-format", "text", "--allowedTools", "Bash"])
        }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("the tool printed: \(marker)"), "stdout: \(result.stdout)")
        let followUp = mock.requests.first { request in
            (request.json?["messages"]?.arrayValue?.last?["content"]?.arrayValue ?? []).contains { $0["tool_use_id"] == "toolu_e2e_1" }
        }
        #expect(followUp != nil, "Claude Code sent the tool result back through ccr")
    }
}
