import ArgumentParser
import CCRCore
import Foundation

/// `ccr`: the Claude Code Router (the entry point is main.swift).
struct CCRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccr",
        abstract: "Claude Code Router: run Claude Code on any model provider.",
        discussion: "Config: ~/.claude-code-router/config.json (or $CCR_HOME/config.json). Docs: docs/configuration.md",
        version: "ccr \(CCRVersion.string)",
        subcommands: [
            Start.self, Stop.self, Restart.self, Status.self, StatusLine.self, Code.self, Activate.self, Env.self, ConfigCommand.self, Route.self,
            Usage.self, Version.self,
        ]
    )

    /// Runs a command body, turning ``CLIError`` into a message and an exit code.
    static func guarded(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as CLIError {
            printError(error.message)
            throw ExitCode(error.code)
        }
    }
}

extension CCRCommand {
    struct Version: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the version.")

        func run() {
            print("ccr \(CCRVersion.string)")
        }
    }
}

extension CCRCommand {
    /// Parses the command line and runs the command (what `@main` would do).
    static func runFromCommandLine() async {
        do {
            var command = try Self.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            Self.exit(withError: error)
        }
    }
}
