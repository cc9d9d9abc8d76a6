import CCRCore
import CCRTestSupport
import Foundation
import Testing

/// The real Claude Code CLI, through `ccr code`, against a mock OpenAI-compatible provider that
/// reasons (`reasoning_content`, as DeepSeek does) and calls tools.
@Suite("Real Claude Code through ccr to an OpenAI-compatible provider", .serialized, .timeLimit(.minutes(3)))
struct ClaudeCodeOpenAITests: ClaudeCodeProviderTest {
    static func chunk(_ delta: JSONValue, finish: String? = nil) -> [UInt8] {
        let choice: JSONValue = ["index": 0, "delta": delta, "finish_reason": finish.map(JSONValue.string) ?? .null]
        let body: JSONValue = ["id": "chatcmpl-e2e", "object": "chat.completion.chunk", "model": "mock-reasoner", "choices": [choice]]
        return Array("data: ".utf8) + body.encoded() + Array("\n\n".utf8)
    }

    static let usage: [UInt8] = Array("data: ".utf8)
        + JSONValue.object(["id": "chatcmpl-e2e", "choices": [], "usage": ["prompt_tokens": 1200, "completion_tokens": 40, "prompt_tokens_details": ["cached_tokens": 1000]]]).encoded()
        + Array("\n\ndata: [DONE]\n\n".utf8)

    /// Reasoning, then a Bash call on the first turn (when `command` is set); reasoning and text otherwise.
    static func responder(command: String?) -> MockUpstream.Responder {
        { received, _ in
            let body = received.json ?? .null
            let messages = body["messages"]?.arrayValue ?? []
            let toolResult = messages.last { $0["role"] == "tool" }
            var events: [[UInt8]] = [Self.chunk(["role": "assistant", "content": ""])]
            events.append(Self.chunk(["reasoning_content": "The user wants "]))
            events.append(Self.chunk(["reasoning_content": "a careful answer."]))
            if let command, toolResult == nil {
                let arguments = JSONValue.object(["command": .string(command), "description": "e2e"]).jsonString()
                events.append(Self.chunk(["tool_calls": [["index": 0, "id": "call_e2e_1", "type": "function", "function": ["name": "Bash", "arguments": ""]]]]))
                events.append(Self.chunk(["tool_calls": [["index": 0, "function": ["arguments": .string(String(arguments.prefix(10)))]]]]))
                events.append(Self.chunk(["tool_calls": [["index": 0, "function": ["arguments": .string(String(arguments.dropFirst(10)))]]]], finish: "tool_calls"))
            } else {
                let text = toolResult.map { Self.toolAnswer($0["content"]?.stringValue ?? "") } ?? Self.plainAnswer
                events.append(Self.chunk(["content": .string(String(text.prefix(8)))]))
                events.append(Self.chunk(["content": .string(String(text.dropFirst(8)))], finish: "stop"))
            }
            events.append(Self.usage)
            return .sse(events: events.map { (Duration.milliseconds(5), $0) })
        }
    }

    static func runClaude(upstream: String, arguments: [String]) async throws -> Processes.Result {
        try await Processes.runClaudeThroughCCR(
            provider: #"{"name": "mock", "api_base_url": "\#(upstream)/v1/chat/completions", "api_key": "sk-openai-e2e-4321", "models": ["mock-reasoner"]}"#,
            model: "mock-reasoner", arguments: arguments)
    }

    @Test func completesATurnWithReasoning() async throws {
        let (mock, output) = try await Self.answerOneTurn()
        // Claude Code saw the provider's usage, cache reads included.
        #expect(output["usage"]?["cache_read_input_tokens"] == 1000)
        let first = try #require(mock.requests.first?.json)
        #expect(OpenAIChatRequestValidator.problems(first) == [])
        #expect(first["model"] == "mock-reasoner")
        #expect(mock.requests.first?.headers[.authorization] == "Bearer sk-openai-e2e-4321")
    }

    @Test func completesABashToolRoundTripAndCarriesTheReasoningBack() async throws {
        let (mock, _) = try await Self.runBashRoundTrip(markerPrefix: "ccr-openai-e2e")
        let followUp = try #require(mock.requests.first { ($0.json?["messages"]?.arrayValue ?? []).contains { $0["role"] == "tool" } }?.json)
        let messages = followUp["messages"]?.arrayValue ?? []
        let assistant = try #require(messages.last { $0["role"] == "assistant" })
        #expect(assistant["tool_calls"]?.arrayValue?.first?["id"] == "call_e2e_1")
        // The reasoning went to Claude Code as a signed thinking block and came back as reasoning_content.
        #expect(assistant["reasoning_content"] == "The user wants a careful answer.")
        #expect(messages.last { $0["role"] == "tool" }?["tool_call_id"] == "call_e2e_1")
    }
}
