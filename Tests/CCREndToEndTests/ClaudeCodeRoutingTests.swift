import CCRCore
import CCRTestSupport
import Foundation
import Testing

/// The real Claude Code CLI lands on the configured routes: a family table for `--model haiku`,
/// an explicit `--model provider,model`, and the `<CCR-SUBAGENT-MODEL>` tag (stripped).
@Suite("Real Claude Code is routed by ccr", .serialized, .timeLimit(.minutes(3)))
struct ClaudeCodeRoutingTests {
    static let provider = #"{"name": "mock", "api_base_url": "UPSTREAM/v1/messages", "api_key": "sk-route-e2e-1", "models": ["main-model", "haiku-model", "agent-model", "picked-model"], "transformer": {"use": ["Anthropic"]}}"#
    static let router = #"{"default": "mock,main-model", "families": {"haiku": {"default": "mock,haiku-model"}}}"#

    /// Answers with text naming the model it was asked for.
    static let responder: MockUpstream.Responder = { received, _ in
        let body = received.json ?? .null
        let model = body["model"]?.stringValue ?? "?"
        let text = "pong from the mock provider (model \(model))"
        if body["stream"] == true { return .sse(events: MockUpstream.anthropicTextStream(text, model: model)) }
        return .json(body: MockUpstream.anthropicTextMessage(text, model: model))
    }

    static func run(_ arguments: [String]) async throws -> (Processes.Result, [MockUpstream.Received]) {
        let mock = MockUpstream(respond: Self.responder)
        let result = try await mock.run { upstream in
            try await Processes.runClaudeThroughCCR(
                provider: Self.provider.replacingOccurrences(of: "UPSTREAM", with: upstream), model: "main-model",
                arguments: arguments, router: Self.router)
        }
        return (result, mock.requests)
    }

    @Test(arguments: [
        (["--model", "haiku"], "haiku-model"),
        (["--model", "mock,picked-model"], "picked-model"),
        ([String](), "main-model"),
    ])
    func theModelSelectorLandsOnItsRoute(selector: [String], expected: String) async throws {
        let (result, requests) = try await Self.run(["-p", "say pong", "--output-format", "text"] + selector)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("(model \(expected))"), "stdout: \(result.stdout)")
        #expect(!requests.isEmpty)
        for request in requests { #expect(request.json?["model"]?.stringValue == expected) }
    }

    @Test func theSubagentTagRoutesAndNeverReachesTheProvider() async throws {
        let tag = "<CCR-SUBAGENT-MODEL>mock,agent-model</CCR-SUBAGENT-MODEL>"
        let (result, requests) = try await Self.run(["-p", "\(tag)say pong", "--output-format", "text"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("(model agent-model)"), "stdout: \(result.stdout)")
        let first = try #require(requests.first)
        #expect(first.json?["model"]?.stringValue == "agent-model")
        #expect(!String(decoding: first.body, as: UTF8.self).contains("CCR-SUBAGENT-MODEL"))
        let (system, systemRequests) = try await Self.run(["-p", "say pong", "--output-format", "text", "--append-system-prompt", tag])
        #expect(system.stdout.contains("(model agent-model)"), "stdout: \(system.stdout) stderr: \(system.stderr)")
        #expect(systemRequests.allSatisfy { !String(decoding: $0.body, as: UTF8.self).contains("CCR-SUBAGENT-MODEL") })
    }
}
