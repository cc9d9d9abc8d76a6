import ArgumentParser
import CCRCore
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
                let argv = [claude] + self.arguments
                var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
                fflush(nil)
                execv(claude, &cArguments)
                let reason = String(cString: strerror(errno))
                for pointer in cArguments { free(pointer) }
                throw CLIError(message: "ccr: cannot run \(claude): \(reason)", code: 127)
            }
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
