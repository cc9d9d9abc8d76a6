import CCRCore
import CCRTestSupport
import Foundation
import Testing

/// A suite that runs the real Claude Code, through `ccr code`, against a mock provider of one wire
/// format, and the two conversations every such suite holds: one turn without tools, and a Bash
/// round trip (the mock calls Bash on the first turn and quotes the tool's output on the next).
protocol ClaudeCodeProviderTest: Sendable {
    /// The mock provider: a Bash call on the first turn when `command` is set; then (or without a
    /// command) an answer: ``plainAnswer``, or ``toolAnswer(_:)`` once the tool's output is there.
    static func responder(command: String?) -> MockUpstream.Responder
    /// Runs Claude Code through ccr, configured with the mock at `upstream` as its provider.
    static func runClaude(upstream: String, arguments: [String]) async throws -> Processes.Result
}

extension ClaudeCodeProviderTest {
    /// The mock's answer when no tool ran.
    static var plainAnswer: String { "reasoned answer from the mock" }

    /// The mock's answer quoting what the tool printed.
    static func toolAnswer(_ output: String) -> String {
        "the tool printed: \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    /// `text` in the two pieces the mock streams it in.
    static func pieces(_ text: String) -> [String] {
        [String(text.prefix(8)), String(text.dropFirst(8))]
    }

    /// One turn without tools (`--output-format json`), checked to end with the mock's answer;
    /// returns the mock (for the requests it got) and Claude Code's JSON output.
    static func answerOneTurn() async throws -> (mock: MockUpstream, output: JSONValue) {
        let mock = MockUpstream(respond: Self.responder(command: nil))
        let result = try await mock.run { upstream in
            try await Self.runClaude(upstream: upstream, arguments: ["-p", "think, then answer", "--output-format", "json"])
        }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let output = try JSONParser.parse(result.stdout)
        #expect(output["result"] == .string(Self.plainAnswer), "stdout: \(result.stdout)")
        #expect(output["is_error"] == false)
        return (mock, output)
    }

    /// A Bash round trip with a command that prints a marker starting with `markerPrefix`, checked
    /// to end with the mock quoting the marker; returns the mock and the marker.
    static func runBashRoundTrip(markerPrefix: String) async throws -> (mock: MockUpstream, marker: String) {
        let marker = "\(markerPrefix)-\(UUID().uuidString.prefix(8))"
        let mock = MockUpstream(respond: Self.responder(command: "echo \(marker)"))
        let result = try await mock.run { upstream in
            try await Self.runClaude(upstream: upstream, arguments: ["-p", "run the command", "--output-format", "text", "--allowedTools", "Bash"])
        }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains(Self.toolAnswer(marker)), "stdout: \(result.stdout)")
        return (mock, marker)
    }
}
