import CCRCore
import CCRTestSupport
import Foundation
import Testing

/// The real Claude Code CLI completes a turn while the primary provider is overloaded (529) and
/// the fallback is healthy: Claude Code never sees the 529.
@Suite("Real Claude Code through a failing primary", .serialized, .timeLimit(.minutes(3)))
struct ClaudeCodeResilienceTests {
    @Test func aTurnCompletesOnTheFallbackWhileThePrimaryAnswers529() async throws {
        let overloaded = Array(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.utf8)
        let primary = MockUpstream { _, _ in .json(status: 529, headers: [("x-should-retry", "true")], body: overloaded) }
        let fallback = MockUpstream { received, _ in
            let model = received.json?["model"]?.stringValue ?? "?"
            let text = "pong from the fallback (model \(model))"
            if received.json?["stream"] == true { return .sse(events: MockUpstream.anthropicTextStream(text, model: model)) }
            return .json(body: MockUpstream.anthropicTextMessage(text, model: model))
        }
        let result = try await primary.run { primaryURL in
            try await fallback.run { fallbackURL in
                try await Processes.runClaudeThroughCCR(
                    provider: """
                        {"name": "mock", "api_base_url": "\(primaryURL)/v1/messages", "api_key": "sk-primary-1", "models": ["main-model"], "transformer": {"use": ["Anthropic"]}},
                        {"name": "spare", "api_base_url": "\(fallbackURL)/v1/messages", "api_key": "sk-spare-1", "models": ["spare-model"], "transformer": {"use": ["Anthropic"]}}
                        """,
                    model: "main-model", arguments: ["-p", "say pong", "--output-format", "text"],
                    router: #"{"default": "mock,main-model"}, "fallback": {"default": ["spare,spare-model"]}, "Resilience": {"retryBaseMs": 10}"#)
            }
        }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("pong from the fallback (model spare-model)"), "stdout: \(result.stdout)")
        #expect(!primary.requests.isEmpty)
        #expect(!fallback.requests.isEmpty)
        #expect(fallback.requests.allSatisfy { $0.headers[.init("x-api-key")!] == "sk-spare-1" })
    }
}
