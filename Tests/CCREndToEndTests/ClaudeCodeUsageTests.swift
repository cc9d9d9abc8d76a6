import CCRCore
import CCRTestSupport
import Foundation
import Testing

/// The real Claude Code CLI through `ccr code` to a mock OpenAI-compatible provider with known
/// usage and a known delay before its first token; then `ccr usage` and `ccr statusline`, as a
/// user runs them, must show that session's turns with the provider's tokens and the delay.
@Suite("Usage and status line after a real Claude Code session", .serialized, .timeLimit(.minutes(3)))
struct ClaudeCodeUsageTests {
    static let firstTokenDelay = Duration.milliseconds(400)

    static func chunk(_ delta: JSONValue, finish: String? = nil) -> [UInt8] {
        let choice: JSONValue = ["index": 0, "delta": delta, "finish_reason": finish.map(JSONValue.string) ?? .null]
        return Array("data: ".utf8) + JSONValue.object(["id": "chatcmpl-usage", "model": "mock-coder", "choices": [choice]]).encoded() + Array("\n\n".utf8)
    }

    /// Every answer: 1,200 prompt tokens of which 1,000 cached, 40 completion tokens; the first
    /// content after ``firstTokenDelay``.
    static let mock = MockUpstream { _, _ in
        let usage = JSONValue.object([
            "id": "chatcmpl-usage", "choices": [], "usage": ["prompt_tokens": 1200, "completion_tokens": 40, "prompt_tokens_details": ["cached_tokens": 1000]],
        ])
        return .sse(events: [
            (.zero, Self.chunk(["role": "assistant", "content": ""])),
            (Self.firstTokenDelay, Self.chunk(["content": "usage is "])),
            (.milliseconds(5), Self.chunk(["content": "recorded"], finish: "stop")),
            (.zero, Array("data: ".utf8) + usage.encoded() + Array("\n\ndata: [DONE]\n\n".utf8)),
        ])
    }

    @Test func usageAndStatusLineShowTheSessionsTurnsWithTheProvidersTokensAndTTFT() async throws {
        let ccr = try Processes.ccrBinary()
        let claude = try await Processes.claudeBinary()
        let home = try Processes.temporaryDirectory("usage")
        let port = Processes.freePort()
        let env = [
            "HOME": home.path, "CCR_HOME": home.path, "PATH": "/usr/local/bin:/usr/bin:/bin", "TERM": "dumb", "LANG": "C.UTF-8",
            "IS_SANDBOX": "1", "DISABLE_AUTOUPDATER": "1", "DISABLE_ERROR_REPORTING": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        ]
        try await Self.mock.run { upstream in
            try """
                {"PORT": \(port), "CLAUDE_PATH": "\(claude)",
                 "Providers": [{"name": "mock", "api_base_url": "\(upstream)/v1/chat/completions", "api_key": "sk-usage-e2e", "models": ["mock-coder"]}],
                 "Router": {"default": "mock,mock-coder"},
                 "Prices": {"mock,mock-coder": {"input": 2, "output": 10, "cache_read": 0.5}},
                 "StatusLine": {"enabled": true, "currentStyle": "default", "default": {"modules": [
                   {"type": "model", "text": "{{model}}"},
                   {"type": "usage", "text": "in={{inputTokens}} out={{outputTokens}}"},
                   {"type": "route", "text": "route={{route}}"},
                   {"type": "cost", "text": "cost={{sessionCost}}"}
                 ]}}}
                """.write(to: home.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
            let session = try await Processes.withStop(ccr, environment: env) {
                let run = try await Processes.run(ccr, ["code", "-p", "say something", "--output-format", "json"], environment: env, timeout: .seconds(120))
                #expect(run.status == 0, "stderr: \(run.stderr)")
                let output = try JSONParser.parse(run.stdout)
                let session = try #require(output["session_id"]?.stringValue, "stdout: \(run.stdout)")
                #expect(output["result"] == "usage is recorded")

                // ccr usage: the session's turns, with the provider's figures.
                let usage = try await Processes.run(ccr, ["usage", "--since", "all", "--session", session, "--json", "--recent", "50"], environment: env)
                #expect(usage.status == 0, "stderr: \(usage.stderr)")
                let report = try JSONParser.parse(usage.stdout)
                let turns = report["recent"]?.arrayValue ?? []
                #expect(!turns.isEmpty, "stdout: \(usage.stdout)")
                for turn in turns {
                    #expect(turn["session"]?.stringValue == session)
                    #expect(turn["route"] == "mock,mock-coder")
                    #expect(turn["input_tokens"] == 200)
                    #expect(turn["cache_read_tokens"] == 1000)
                    #expect(turn["output_tokens"] == 40)
                    #expect(turn["outcome"] == "ok")
                    #expect(turn["client"] == "claude-code")
                    let ttft = turn["ttft_ms"]?.intValue ?? -1
                    #expect(ttft >= 400 && ttft < 2_000, "ttft_ms \(ttft)")
                    // 200 × $2/M + 40 × $10/M + 1000 × $0.5/M
                    #expect(abs((turn["cost_usd"]?.doubleValue ?? 0) - 0.0013) < 1e-9)
                }
                // What Claude Code itself reported for its main turn agrees.
                #expect(output["usage"]?["cache_read_input_tokens"] == 1000)
                #expect(report["summary"]?["totals"]?["requests"]?.intValue == turns.count)

                // The readable table names the model and the session's totals.
                let table = try await Processes.run(ccr, ["usage", "--since", "all"], environment: env)
                #expect(table.status == 0)
                #expect(table.stdout.contains("mock,mock-coder"), "stdout: \(table.stdout)")

                // ccr statusline, given what Claude Code gives it.
                let projects = home.appendingPathComponent(".claude/projects")
                let transcript = (FileManager.default.enumerator(atPath: projects.path)?.allObjects as? [String] ?? []).first { $0.hasSuffix("\(session).jsonl") }
                let status: JSONValue = [
                    "session_id": .string(session), "transcript_path": .string(transcript.map { projects.appendingPathComponent($0).path } ?? ""),
                    "cwd": .string(home.path), "model": ["id": "claude-sonnet-4-5", "display_name": "Sonnet 4.5"],
                    "workspace": ["current_dir": .string(home.path), "project_dir": .string(home.path)],
                ]
                let input = home.appendingPathComponent("status.json")
                try Data(status.encoded()).write(to: input)
                let line = try await Processes.run("/bin/sh", ["-c", #""$1" statusline < "$2""#, "sh", ccr, input.path], environment: env)
                #expect(line.status == 0, "stderr: \(line.stderr)")
                let cost = UsageAmount.dollars(0.0013 * Double(turns.count))
                #expect(line.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "mock-coder in=1.2k out=40 route=mock,mock-coder cost=\(cost)", "line: \(line.stdout)")
                return (session, turns.count)
            }
            // With the router stopped, ccr usage reads the file itself and finds the same turns.
            let stopped = try await Processes.run(ccr, ["usage", "--since", "all", "--session", session.0, "--json"], environment: env)
            #expect(stopped.status == 0, "stderr: \(stopped.stderr)")
            let report = try JSONParser.parse(stopped.stdout)
            #expect(report["summary"]?["totals"]?["requests"]?.intValue == session.1)
            #expect(report["summary"]?["totals"]?["cache_read_tokens"]?.intValue == 1000 * session.1)
        }
    }
}

/// How the status line writes a dollar amount (checked against its own formatter).
enum UsageAmount {
    static func dollars(_ value: Double) -> String {
        StatusLineVariables.dollars(value) ?? "?"
    }
}
