import CCRCore
import CCRTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization
import Testing

@testable import ccr

/// The requests a fake server saw.
private final class Seen: Sendable {
    let requests = Mutex<[String]>([])
}

@Suite("ccr statusline and its installation by ccr code", .serialized, .timeLimit(.minutes(2)))
struct StatusLineCommandTests {
    static let esc = "\u{1B}"
    static let sessionID = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"

    /// A home whose config has a two-module theme, a transcript, and Claude Code's status JSON.
    static func fixture(port: Int, apiKey: String? = nil) throws -> (home: URL, input: URL) {
        let home = try Processes.temporaryDirectory("statusline")
        let key = apiKey.map { #""APIKEY": "\#($0)", "#} ?? ""
        try """
            {"PORT": \(port), \(key)"Router": {"default": "ds,from-config"},
             "StatusLine": {"enabled": true, "default": {"modules": [
               {"type": "model", "text": "{{model}}", "color": "bright_cyan"},
               {"type": "usage", "icon": "↑", "text": "{{inputTokens}}", "color": "#00ff00"},
               {"type": "route", "text": "{{route}} {{sessionCost}}"}
             ]}}}
            """.write(to: home.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let transcript = home.appendingPathComponent("transcript.jsonl")
        try """
            {"type":"assistant","message":{"model":"deepseek-chat","usage":{"input_tokens":12,\
            "cache_read_input_tokens":15000,"cache_creation_input_tokens":300,"output_tokens":1234}}}
            {"type":"user","message":{"content":"next"}}

            """.write(to: transcript, atomically: true, encoding: .utf8)
        let input = home.appendingPathComponent("input.json")
        try """
            {"session_id": "\(Self.sessionID)", "transcript_path": "\(transcript.path)", "cwd": "\(home.path)",
             "model": {"id": "claude-sonnet-4-5", "display_name": "Sonnet 4.5"}, "workspace": {"current_dir": "\(home.path)"}}
            """.write(to: input, atomically: true, encoding: .utf8)
        return (home, input)
    }

    static func statusline(_ ccr: String, input: String, home: URL, arguments: [String] = []) async throws -> Processes.Result {
        let env = ["CCR_HOME": home.path, "HOME": home.path, "PATH": "/usr/local/bin:/usr/bin:/bin", "TERM": "xterm-256color"]
        let script = #"ccr="$1"; input="$2"; shift 2; exec "$ccr" statusline "$@" < "$input""#
        return try await Processes.run("/bin/sh", ["-c", script, "sh", ccr, input] + arguments, environment: env)
    }

    @Test func parsesWithAnOptionalPresetThatIsIgnored() throws {
        #expect(try CCRCommand.parseAsRoot(["statusline"]) is CCRCommand.StatusLine)
        let withPreset = try #require(try CCRCommand.parseAsRoot(["statusline", "my-preset"]) as? CCRCommand.StatusLine)
        #expect(withPreset.preset == "my-preset")
    }

    @Test func drawsTheThemeFromTheTranscriptWhenNoServerAnswers() async throws {
        let ccr = try Processes.ccrBinary()
        let (home, input) = try Self.fixture(port: Processes.freePort())
        let result = try await Self.statusline(ccr, input: input.path, home: home, arguments: ["some-preset"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == "\(Self.esc)[96mdeepseek-chat\(Self.esc)[0m \(Self.esc)[38;2;0;255;0m↑ 15.3k\(Self.esc)[0m\n")
        #expect(result.duration < .seconds(1), "took \(result.duration)")
    }

    @Test func asksTheRunningServerAboutTheSessionFirst() async throws {
        let ccr = try Processes.ccrBinary()
        let seen = Seen()
        let router = Router()
        @Sendable func answer(_ request: Request, _ body: String) -> Response {
            let key = request.headers[HTTPField.Name("x-api-key")!] ?? "-"
            seen.requests.withLock { $0.append("\(request.uri.path)?\(request.uri.query ?? "") key=\(key)") }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("/api/usage") { request, _ in
            answer(
                request,
                """
                {"records": [{"provider": "ds", "model": "deepseek-reasoner", "upstream_model": null, "scenario": "think", "outcome": "ok", \
                "input_tokens": 100, "cache_read_tokens": 2000, "cache_write_tokens": 0, "output_tokens": 50}], \
                "total": 1, "page": 1, "page_size": 5}
                """
            )
        }
        router.get("/api/usage/summary") { request, _ in
            answer(request, #"{"totals": {"requests": 3, "cost_usd": 0.5, "input_tokens": 1, "output_tokens": 2}, "by_model": []}"#)
        }
        var logger = Logger(label: "fake-ccr")
        logger.logLevel = .critical
        let result = try await LiveServer.run({ onRunning in
            Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: onRunning, logger: logger)
        }) { port in
            let (home, input) = try Self.fixture(port: port, apiKey: "gateway-key")
            return try await Self.statusline(ccr, input: input.path, home: home)
        }
        #expect(result.status == 0)
        #expect(
            result.stdout
                == "\(Self.esc)[96mdeepseek-reasoner\(Self.esc)[0m \(Self.esc)[38;2;0;255;0m↑ 2.1k\(Self.esc)[0m ds,deepseek-reasoner $0.50\n")
        #expect(
            seen.requests.withLock { $0 } == [
                "/api/usage?session=\(Self.sessionID)&page_size=5 key=gateway-key",
                "/api/usage/summary?session=\(Self.sessionID) key=gateway-key",
            ])
    }

    static let nodeIsInstalled = ["/usr/local/bin/node", "/usr/bin/node", "/bin/node"].contains { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: nodeIsInstalled, "needs node"))
    func scriptModulesRunThroughNodeAndASlowOrBrokenOneIsLeftOut() async throws {
        let ccr = try Processes.ccrBinary()
        let (home, input) = try Self.fixture(port: Processes.freePort())
        try """
            module.exports = async (variables, options) => { console.log("noise"); return `${variables.model}${options.mark}`; };
            """.write(to: home.appendingPathComponent("good.js"), atomically: true, encoding: .utf8)
        try #"module.exports = "plain string";"#.write(to: home.appendingPathComponent("string.js"), atomically: true, encoding: .utf8)
        try "module.exports = () => new Promise(r => setTimeout(() => r('late'), 5000));".write(
            to: home.appendingPathComponent("slow.js"), atomically: true, encoding: .utf8)
        try "throw new Error('broken');".write(to: home.appendingPathComponent("broken.js"), atomically: true, encoding: .utf8)
        try """
            {"StatusLine": {"default": {"modules": [
              {"type": "script", "icon": "S", "text": "", "scriptPath": "good.js", "options": {"mark": "!"}},
              {"type": "script", "text": "", "scriptPath": "\(home.path)/string.js"},
              {"type": "script", "text": "", "scriptPath": "slow.js"},
              {"type": "script", "text": "", "scriptPath": "broken.js"},
              {"type": "script", "text": "", "scriptPath": "missing.js"}
            ]}}}
            """.write(to: home.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        // Scripts get a second each: on a loaded machine node alone can take that long, so try again.
        var result = try await Self.statusline(ccr, input: input.path, home: home)
        for _ in 0..<2 where result.stdout != "S deepseek-chat! plain string\n" {
            result = try await Self.statusline(ccr, input: input.path, home: home)
        }
        #expect(result.status == 0)
        #expect(result.stdout == "S deepseek-chat! plain string\n")
        #expect(result.duration < .seconds(2), "took \(result.duration)")
    }

    @Test func hopelessInputPrintsAnEmptyLineAndSucceeds() async throws {
        let ccr = try Processes.ccrBinary()
        let (home, _) = try Self.fixture(port: Processes.freePort())
        for text in ["not json at all", "[1, 2]", "{\"cwd\": "] {
            let input = home.appendingPathComponent("bad.json")
            try text.write(to: input, atomically: true, encoding: .utf8)
            let result = try await Self.statusline(ccr, input: input.path, home: home)
            #expect(result.status == 0)
            #expect(result.stdout == "\n", "\(text)")
            #expect(result.stderr == "")
        }
        let odd = home.appendingPathComponent("odd.json")
        let oddInput = #"{"session_id": 1, "transcript_path": ["x"], "model": "flat", "workspace": 3, "cost": "none"}"#
        try oddInput.write(to: odd, atomically: true, encoding: .utf8)
        let result = try await Self.statusline(ccr, input: odd.path, home: home)
        #expect(result.status == 0)
        #expect(result.stdout == "\(Self.esc)[96mfrom-config\(Self.esc)[0m\n")
    }

    @Test func codeInstallsTheStatusLineUnlessTheUserPassedSettings() async throws {
        let ccr = try Processes.ccrBinary()
        let home = try Processes.temporaryDirectory("statusline-code")
        let fakeClaude = home.appendingPathComponent("fake-claude.sh")
        try """
            #!/bin/sh
            for a in "$@"; do echo "arg:$a"; done
            """.write(to: fakeClaude, atomically: true, encoding: .utf8)
        chmod(fakeClaude.path, 0o755)
        try #"{"CLAUDE_PATH": "\#(fakeClaude.path)", "StatusLine": {"enabled": true}}"#.write(
            to: home.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let env = ["CCR_HOME": home.path, "HOME": home.path, "PATH": "/usr/local/bin:/usr/bin:/bin", "SERVICE_PORT": "\(Processes.freePort())"]
        let (installed, theirs) = try await Processes.withStop(ccr, environment: env) {
            (
                try await Processes.run(ccr, ["code", "-p", "hi"], environment: env),
                try await Processes.run(ccr, ["code", "--settings", "/mine.json", "-p"], environment: env)
            )
        }
        let settingsFile = home.appendingPathComponent("claude-code-settings.json")
        #expect(installed.stdout == "arg:--settings\narg:\(settingsFile.path)\narg:-p\narg:hi\n", "\(installed.stderr)")
        let settings = try JSONParser.parse(Array(Data(contentsOf: settingsFile)))
        #expect(settings == ["statusLine": ["type": "command", "command": .string("\(ccr) statusline"), "padding": 0]])
        let mode = try FileManager.default.attributesOfItem(atPath: settingsFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(theirs.stdout == "arg:--settings\narg:/mine.json\narg:-p\n")
        #expect(theirs.stderr.contains("--settings given, so ccr's status line is not added"))
    }
}
