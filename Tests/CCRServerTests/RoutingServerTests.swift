import AsyncHTTPClient
import CCRCore
import CCRServer
import CCRTestSupport
import Foundation
import NIOCore
import Testing

@Suite("Routing in the server: count_tokens, session usage, tags, route headers", .timeLimit(.minutes(1)))
struct RoutingServerTests {
    static func config(upstream: String) -> String {
        """
        {"Providers": [{"name": "mock", "api_base_url": "\(upstream)/v1/messages", "api_key": "sk-mock-key-123456",
                        "models": ["main", "long", "agent"], "transformer": {"use": ["Anthropic"]}}],
         "Router": {"default": "mock,main", "longContext": "mock,long", "longContextThreshold": 60000}}
        """
    }

    /// A stream whose `message_start` reports a large cached prompt, as Anthropic-compatible
    /// providers do.
    static func streamReportingInput(_ model: String) -> MockUpstream.Reply {
        let start = MockUpstream.event("message_start", [
            "type": "message_start",
            "message": ["id": "msg_1", "type": "message", "role": "assistant", "model": .string(model), "content": [], "stop_reason": nil,
                        "stop_sequence": nil, "usage": ["input_tokens": 5_000, "cache_read_input_tokens": 65_000, "output_tokens": 1]],
        ])
        let rest = MockUpstream.anthropicTextStream("ok", model: model).dropFirst().map(\.bytes)
        return .sse(events: ([start] + rest).map { (Duration.zero, $0) })
    }

    static func request(session: String, words: Int, stream: Bool = true) -> String {
        let text = String(repeating: "word ", count: words)
        return #"{"model": "claude-opus-5-5", "max_tokens": 10, "stream": \#(stream), "messages": [{"role": "user", "content": "\#(text)"}], "metadata": {"user_id": "{\"session_id\":\"\#(session)\"}"}}"#
    }

    /// A recorded Claude Code request's body (the core tests' fixtures).
    static func recordedBody(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../CCRCoreTests/Fixtures/claude-code/\(name)").standardized
        let file = try JSONParser.parse(Array(try Data(contentsOf: url)))
        return String(decoding: try #require(file["body"]).encoded(), as: UTF8.self)
    }

    @Test func theSessionsLastRealUsageSendsTheNextLongTurnToLongContext() async throws {
        let mock = MockUpstream { received, _ in Self.streamReportingInput(received.json?["model"]?.stringValue ?? "?") }
        try await mock.run { upstream in
            try await RouterHarness.run(try RouterHarness.configuration(Self.config(upstream: upstream))) { base in
                // 30,000 words ≈ 30,000 tokens: over the 20,000 floor, under the 60,000 threshold.
                let (first, _) = try await RouterHarness.post(base + "/v1/messages", json: Self.request(session: "s-long", words: 30_000))
                #expect(first.headers.first(name: "x-ccr-route") == "mock,main; scenario=default")
                let (second, _) = try await RouterHarness.post(base + "/v1/messages", json: Self.request(session: "s-long", words: 30_000))
                #expect(second.headers.first(name: "x-ccr-route") == "mock,long; scenario=longContext")
                let (other, _) = try await RouterHarness.post(base + "/v1/messages", json: Self.request(session: "s-other", words: 30_000))
                #expect(other.headers.first(name: "x-ccr-route") == "mock,main; scenario=default")
                let (short, _) = try await RouterHarness.post(base + "/v1/messages", json: Self.request(session: "s-long", words: 100))
                #expect(short.headers.first(name: "x-ccr-route") == "mock,main; scenario=default")
            }
        }
    }

    @Test func aNonStreamedAnswersUsageIsRememberedToo() async throws {
        let mock = MockUpstream { _, _ in
            .json(body: JSONValue.object([
                "id": "m", "type": "message", "role": "assistant", "model": "main", "content": [["type": "text", "text": "ok"]],
                "stop_reason": "end_turn", "stop_sequence": nil, "usage": ["input_tokens": 70_000, "output_tokens": 2],
            ]).encoded())
        }
        try await mock.run { upstream in
            try await RouterHarness.run(try RouterHarness.configuration(Self.config(upstream: upstream))) { base in
                _ = try await RouterHarness.post(base + "/v1/messages", json: Self.request(session: "s-json", words: 30_000, stream: false))
                let (second, _) = try await RouterHarness.post(base + "/v1/messages", json: Self.request(session: "s-json", words: 30_000, stream: false))
                #expect(second.headers.first(name: "x-ccr-route") == "mock,long; scenario=longContext")
            }
        }
    }

    @Test func theSubagentTagIsStrippedBeforeThePassthroughForwards() async throws {
        let mock = MockUpstream { _, _ in .json(body: MockUpstream.anthropicTextMessage("ok")) }
        try await mock.run { upstream in
            try await RouterHarness.run(try RouterHarness.configuration(Self.config(upstream: upstream))) { base in
                let (response, _) = try await RouterHarness.post(
                    base + "/v1/messages",
                    json: #"{"model": "claude-opus-5-5", "max_tokens": 5, "system": [{"type": "text", "text": "<CCR-SUBAGENT-MODEL>mock,agent</CCR-SUBAGENT-MODEL>You review code."}], "messages": [{"role": "user", "content": "hi"}]}"#)
                #expect(response.headers.first(name: "x-ccr-route") == "mock,agent; scenario=subagent")
            }
        }
        let forwarded = try #require(mock.requests.first?.json)
        #expect(forwarded["model"] == "agent")
        #expect(forwarded["system"]?.arrayValue?.first?["text"] == "You review code.")
    }

    @Test func countTokensIsAnsweredLocally() async throws {
        let mock = MockUpstream { _, _ in .json(body: MockUpstream.anthropicTextMessage("never")) }
        try await mock.run { upstream in
            try await RouterHarness.run(try RouterHarness.configuration(Self.config(upstream: upstream))) { base in
                let body = try Self.recordedBody("08-count-tokens.json")
                let (response, answer) = try await RouterHarness.post(base + "/v1/messages/count_tokens?beta=true", json: body)
                #expect(response.status.code == 200)
                let expected = TokenCounting.count(try JSONParser.parse(Array(body.utf8)).objectValue!)
                #expect(try JSONParser.parse(answer) == ["input_tokens": .int(expected)])
                #expect(expected > 1_000)
                let (bad, badAnswer) = try await RouterHarness.post(base + "/v1/messages/count_tokens", json: "{nope")
                #expect(bad.status.code == 400)
                #expect(String(decoding: badAnswer, as: UTF8.self).contains("invalid_request_error"))
            }
        }
        #expect(mock.requests.isEmpty)
    }
}
