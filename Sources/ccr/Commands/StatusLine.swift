import ArgumentParser
import CCRCore
import Foundation
import Synchronization

extension CCRCommand {
    struct StatusLine: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "statusline",
            abstract: "Print Claude Code's status line (Claude Code runs this; `ccr code` installs it).",
            discussion: """
                Reads Claude Code's status JSON on standard input and prints one line drawn with the StatusLine theme \
                of config.json (docs/configuration.md#statusline). Enable it with "StatusLine": {"enabled": true}.
                """)

        @Argument(help: "A preset name (accepted for compatibility with the original; ignored).")
        var preset: String?

        func run() {
            // Whatever happens, Claude Code gets one line and a zero exit: a failing status
            // command would only blank its status bar.
            let environment = ProcessInfo.processInfo.environment
            let line = Self.input().map { Self.line(input: $0, environment: environment) } ?? ""
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }

        /// The status JSON from standard input: `{}` when there is none (a terminal, or nothing
        /// piped), `nil` when it is not a JSON object.
        static func input() -> JSONValue? {
            if isatty(STDIN_FILENO) != 0 { return .object([:]) }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while bytes.count < 8 << 20 {
                let count = read(STDIN_FILENO, &chunk, chunk.count)
                if count > 0 {
                    bytes += chunk[0..<count]
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .object([:]) }
            guard let value = try? JSONParser.parse(bytes), value.objectValue != nil else { return nil }
            return value
        }

        /// Runs the theme's script modules side by side, so that the line waits for the slowest
        /// (at most a second), not for their sum.
        static func runScripts(
            of theme: StatusLineTheme, sources: StatusLineSources, variables: StatusLineVariables
        ) -> [(module: StatusLineModule, output: String?)] {
            let scripts = theme.modules.prefix(StatusLineTheme.maximumModules).filter { $0.type == .script && $0.scriptPath != nil }
            if scripts.isEmpty { return [] }
            let outputs = Mutex<[Int: String]>([:])
            DispatchQueue.concurrentPerform(iterations: scripts.count) { index in
                if let output = sources.runScript(scripts[index], variables: variables) {
                    outputs.withLock { $0[index] = output }
                }
            }
            let collected = outputs.withLock { $0 }
            return scripts.indices.map { (scripts[$0], collected[$0]) }
        }

        /// The variables that come from the server or the transcript.
        static let turnVariables: Set<String> = [
            "model", "inputTokens", "outputTokens", "tokenSpeed", "timeToFirstToken", "route", "scenario", "provider", "sessionCost",
            "sessionRequests", "totalInputTokens", "totalOutputTokens",
        ]

        /// Gathers the variables from every source and draws the theme.
        static func line(input: JSONValue, environment: [String: String]) -> String {
            let sources = StatusLineSources(environment: environment)
            let settings = sources.settings()
            let theme = settings.statusLine.theme(environment: environment)
            if theme.modules.isEmpty { return "" }
            let modules = theme.modules.prefix(StatusLineTheme.maximumModules)
            let used = Set(modules.flatMap { StatusLineVariables.references(in: $0.text) })
            let runsScripts = modules.contains { $0.type == .script && $0.scriptPath != nil }
            let directory = [input["workspace"]?["current_dir"], input["cwd"]].lazy.compactMap { $0?.stringValue }.first { !$0.isEmpty }

            // The server and the transcript only matter to a theme that shows what they know.
            let needsTurn = runsScripts || !used.isDisjoint(with: Self.turnVariables)
            let session = input["session_id"]?.stringValue.flatMap { id in
                id.isEmpty || !needsTurn ? nil : sources.sessionUsage(session: id, port: settings.port, apiKey: settings.apiKey)
            }
            var transcript: StatusLineTranscriptTurn?
            if needsTurn, session?.model == nil, let path = input["transcript_path"]?.stringValue, !path.isEmpty {
                transcript = StatusLineSources.lastTranscriptTurn(path: path)
            }
            var branch: String?
            if let directory, used.contains("gitBranch") || runsScripts {
                branch = StatusLineSources.gitBranch(directory: directory, environment: environment)
            }
            let variables = StatusLineVariables(
                input: input, session: session, transcript: transcript, defaultModel: settings.defaultModel, gitBranch: branch)
            let outputs = Self.runScripts(of: theme, sources: sources, variables: variables)
            return StatusLineRenderer(theme: theme).render(variables) { module in
                outputs.first { $0.module == module }?.output
            }
        }
    }
}
