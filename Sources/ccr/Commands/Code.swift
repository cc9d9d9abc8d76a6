import ArgumentParser
import CCRCore
import CCRServer
import Foundation

extension CCRCommand {
    struct Code: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run Claude Code through ccr (starts the router if needed).",
            discussion: "Every argument after `code` goes to claude unchanged, e.g. ccr code -p \"explain this repo\" --model sonnet")

        @Argument(parsing: .captureForPassthrough, help: "Arguments for claude.")
        var arguments: [String] = []

        func run() async throws {
            try await CCRCommand.guarded {
                let context = CLIContext()
                let configuration = try context.loadConfiguration()
                let server = ServerProcess(context: context, configuration: configuration)
                if !server.isHealthy() {
                    if server.portIsTaken() {
                        throw CLIError(message: "ccr: port \(configuration.port) is in use by a program that is not ccr; set PORT in \(context.home.configFile.path)")
                    }
                    printError("ccr: the router is not running; starting it…")
                    _ = try server.startDaemon()
                }
                let claude = try Self.claudeExecutable(configuration: configuration, environment: context.environment)
                for (name, value) in ClaudeEnvironment.variables(for: configuration, current: context.environment) {
                    setenv(name, value, 1)
                }
                for name in ClaudeEnvironment.unset { unsetenv(name) }
                let settings = Self.statusLineArguments(configuration: configuration, home: context.home, userArguments: self.arguments)
                let argv = [claude] + settings + self.arguments
                var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
                fflush(nil)
                execv(claude, &cArguments)
                let reason = String(cString: strerror(errno))
                for pointer in cArguments { free(pointer) }
                throw CLIError(message: "ccr: cannot run \(claude): \(reason)", code: 127)
            }
        }

        /// `--settings <file>` installing ccr's status line when `StatusLine.enabled` is true: the file
        /// (`claude-code-settings.json` in the ccr home, rewritten on every run) holds only
        /// `statusLine`, so Claude Code's own settings files still apply. Nothing when the user
        /// passed `--settings` (theirs wins, with a note) or the file cannot be written.
        static func statusLineArguments(configuration: CCRConfiguration, home: CCRHome, userArguments: [String]) -> [String] {
            guard StatusLineConfiguration(json: configuration.resolved["StatusLine"]).enabled else { return [] }
            let command = Self.shellQuoted(Self.ccrExecutablePath()) + " statusline"
            if userArguments.contains(where: { $0 == "--settings" || $0.hasPrefix("--settings=") }) {
                let entry = #""statusLine": {"type": "command", "command": "\#(command)"}"#
                printError("ccr: --settings given, so ccr's status line is not added; to keep it, put \(entry) in your settings")
                return []
            }
            let file = home.root.appendingPathComponent("claude-code-settings.json")
            let settings: JSONValue = ["statusLine": ["type": "command", "command": .string(command), "padding": 0]]
            do {
                try home.prepare()
                try Data(settings.encoded()).write(to: file, options: .atomic)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
            } catch {
                printError("ccr: cannot write \(file.path) (\(error.localizedDescription)); Claude Code starts without ccr's status line")
                return []
            }
            return ["--settings", file.path]
        }

        /// The absolute path this ccr was started by (as found on PATH, so an upgrade behind a
        /// symlink keeps working), else the running binary's.
        static func ccrExecutablePath() -> String {
            let invoked = CommandLine.arguments.first ?? ""
            if invoked.contains("/") {
                let absolute = invoked.hasPrefix("/") ? invoked : FileManager.default.currentDirectoryPath + "/" + invoked
                return (absolute as NSString).standardizingPath
            }
            if !invoked.isEmpty {
                for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
                    let candidate = "\(directory)/\(invoked)"
                    if candidate.hasPrefix("/") && FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                }
            }
            return ServerProcess.currentExecutable()
        }

        /// The text as one shell word.
        static func shellQuoted(_ text: String) -> String {
            let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { scalar in
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || "/._-+@%:,".unicodeScalars.contains(scalar)
            }
            return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }

        /// `CLAUDE_PATH` from the config, then the environment, then `claude` on PATH.
        static func claudeExecutable(configuration: CCRConfiguration, environment: [String: String]) throws -> String {
            let wanted = configuration.claudePath ?? environment["CLAUDE_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? "claude"
            let expanded = (wanted as NSString).expandingTildeInPath
            if expanded.contains("/") {
                if FileManager.default.isExecutableFile(atPath: expanded) { return expanded }
                throw CLIError(message: "ccr: CLAUDE_PATH '\(wanted)' is not an executable file", code: 127)
            }
            for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
                let candidate = "\(directory)/\(expanded)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
            throw CLIError(
                message: "ccr: Claude Code ('\(wanted)') was not found on PATH. Install it (npm install -g @anthropic-ai/claude-code) or set CLAUDE_PATH in config.json.",
                code: 127)
        }
    }
}
