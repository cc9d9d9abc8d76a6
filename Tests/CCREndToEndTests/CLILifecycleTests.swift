import CCRCore
import Foundation
import Testing

@Suite("ccr start / status / stop / code as a user runs them", .serialized, .timeLimit(.minutes(2)))
struct CLILifecycleTests {
    static func environment(home: URL, extra: [String: String] = [:]) -> [String: String] {
        var env = ["CCR_HOME": home.path, "HOME": home.path, "PATH": "/usr/local/bin:/usr/bin:/bin"]
        env.merge(extra) { $1 }
        return env
    }

    @Test func startStatusAndStopFromACleanHomeEachFinishUnderASecond() async throws {
        let ccr = try Processes.ccrBinary()
        let home = try Processes.temporaryDirectory("clean")
        let port = Processes.freePort()
        let env = Self.environment(home: home, extra: ["SERVICE_PORT": "\(port)"])
        let start = try await Processes.run(ccr, ["start"], environment: env)
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout.contains("ccr started on http://127.0.0.1:\(port)"))
        #expect(start.stderr.contains("starter config was written to \(home.path)/config.json"))
        #expect(start.duration < .seconds(1), "start took \(start.duration)")
        let status = try await Processes.run(ccr, ["status"], environment: env)
        #expect(status.status == 0)
        #expect(status.stdout.contains("is running on http://127.0.0.1:\(port)"))
        #expect(status.duration < .seconds(1), "status took \(status.duration)")
        let json = try await Processes.run(ccr, ["status", "--json"], environment: env)
        #expect(try JSONParser.parse(json.stdout)["status"] == "running")
        let again = try await Processes.run(ccr, ["start"], environment: env)
        #expect(again.status == 0 && again.stdout.contains("already running"))
        let stop = try await Processes.run(ccr, ["stop"], environment: env)
        #expect(stop.status == 0)
        #expect(stop.stdout.contains("ccr stopped"))
        #expect(stop.duration < .seconds(1), "stop took \(stop.duration)")
        let after = try await Processes.run(ccr, ["status"], environment: env)
        #expect(after.status != 0)
        #expect(after.stdout.contains("ccr is not running"))
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent(".claude-code-router.pid").path))
    }

    @Test func aBrokenConfigStopsStartWithOneLinePerProblem() async throws {
        let ccr = try Processes.ccrBinary()
        let home = try Processes.temporaryDirectory("broken")
        try """
            {
              "Providers": [
                {"name": "a", "api_base_url": "https://a.example/v1/chat/completions", "models": ["m"]},
                {"name": "b", "api_base_url": "https://b.example/v1/chat/completions", "api_key": "$CCR_TEST_UNSET_VAR", "models": ["m"]},
                {"name": "b", "api_base_url": "https://c.example/v1/chat/completions", "api_key": "k", "models": ["m"]},
                {"name": "d", "api_base_url": "https://d.example/v1/chat/completions", "api_key": "k", "models": ["m"], "transformer": {"use": ["no-such-transformer"]}},
              ],
              "Router": {"default": "a,m"}
            }
            """.write(to: home.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let result = try await Processes.run(ccr, ["start"], environment: Self.environment(home: home))
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n").filter { $0.contains("error: ") }
        #expect(lines.count == 4, "\(result.stderr)")
        for (path, needle) in [
            ("Providers[0].api_key", "no api_key"), ("Providers[1].api_key", "CCR_TEST_UNSET_VAR is not set"),
            ("Providers[2].name", "duplicate provider name"), ("Providers[3].transformer.use[0]", "unknown transformer"),
        ] {
            let line = lines.first { $0.contains(path) }
            #expect(line?.contains(needle) == true, "\(path): \(result.stderr)")
            #expect(line?.contains("Fix:") == true)
            #expect(line?.range(of: #"\(\d+:\d+\)"#, options: .regularExpression) != nil)
        }
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func aSyntaxErrorSaysLineAndColumn() async throws {
        let ccr = try Processes.ccrBinary()
        let home = try Processes.temporaryDirectory("syntax")
        try "{\n  \"PORT\": 3456\n  \"LOG\": true\n}\n".write(to: home.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let result = try await Processes.run(ccr, ["start"], environment: Self.environment(home: home))
        #expect(result.status != 0)
        #expect(result.stderr.contains("(3:3)"), "\(result.stderr)")
        let validate = try await Processes.run(ccr, ["config", "validate"], environment: Self.environment(home: home))
        #expect(validate.status != 0 && validate.stderr.contains("(3:3)"))
    }

    @Test func aTakenPortIsSaidPlainly() async throws {
        let ccr = try Processes.ccrBinary()
        let first = try Processes.temporaryDirectory("port-a")
        let second = try Processes.temporaryDirectory("port-b")
        let port = Processes.freePort()
        let firstEnvironment = Self.environment(home: first, extra: ["SERVICE_PORT": "\(port)"])
        let start = try await Processes.run(ccr, ["start"], environment: firstEnvironment)
        #expect(start.status == 0)
        // The same port from another home: a ccr answers there, but not this home's.
        let other = try await Processes.withStop(ccr, environment: firstEnvironment) {
            try await Processes.run(ccr, ["start", "--foreground"], environment: Self.environment(home: second, extra: ["SERVICE_PORT": "\(port)"]), timeout: .seconds(10))
        }
        #expect(other.status != 0)
        #expect((other.stderr + other.stdout).contains("port \(port)"), "\(other.stderr)")
        #expect((other.stderr + other.stdout).contains("already in use"))
    }

    @Test func codePassesEveryArgumentAndTheEnvironmentAndExitsWithClaudesCode() async throws {
        let ccr = try Processes.ccrBinary()
        let home = try Processes.temporaryDirectory("code")
        let port = Processes.freePort()
        let fakeClaude = home.appendingPathComponent("fake-claude.sh")
        try """
            #!/bin/sh
            for a in "$@"; do echo "arg:$a"; done
            echo "env:ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL"
            echo "env:ANTHROPIC_AUTH_TOKEN=$ANTHROPIC_AUTH_TOKEN"
            echo "env:ANTHROPIC_API_KEY=[$ANTHROPIC_API_KEY]"
            echo "env:DISABLE_TELEMETRY=$DISABLE_TELEMETRY"
            echo "env:NO_PROXY=$NO_PROXY"
            echo "env:CLAUDE_CODE_USE_BEDROCK=[${CLAUDE_CODE_USE_BEDROCK:-unset}]"
            exit 7
            """.write(to: fakeClaude, atomically: true, encoding: .utf8)
        chmod(fakeClaude.path, 0o755)
        try #"{"APIKEY": "gateway-key-1", "CLAUDE_PATH": "\#(fakeClaude.path)"}"#.write(to: home.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let env = Self.environment(home: home, extra: ["SERVICE_PORT": "\(port)", "CLAUDE_CODE_USE_BEDROCK": "1"])
        let (result, status) = try await Processes.withStop(ccr, environment: env) {
            let result = try await Processes.run(ccr, ["code", "positional prompt", "-p", "--model", "sonnet", "--", "x"], environment: env)
            // The router it started keeps running after claude exits.
            let status = try await Processes.run(ccr, ["status"], environment: env)
            return (result, status)
        }
        #expect(result.status == 7)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("arg:") } == ["arg:positional prompt", "arg:-p", "arg:--model", "arg:sonnet", "arg:--", "arg:x"])
        #expect(lines.contains("env:ANTHROPIC_BASE_URL=http://127.0.0.1:\(port)"))
        #expect(lines.contains("env:ANTHROPIC_AUTH_TOKEN=gateway-key-1"))
        #expect(lines.contains("env:ANTHROPIC_API_KEY=[]"))
        #expect(lines.contains("env:DISABLE_TELEMETRY=true"))
        #expect(lines.contains("env:CLAUDE_CODE_USE_BEDROCK=[unset]"))
        #expect(lines.contains { $0.hasPrefix("env:NO_PROXY=127.0.0.1,localhost") })
        #expect(status.status == 0)
    }
}
