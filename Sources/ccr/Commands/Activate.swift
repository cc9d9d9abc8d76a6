import ArgumentParser
import CCRCore
import Foundation

/// Shell syntax for `ccr activate` / `ccr env`.
enum ShellKind: String, ExpressibleByArgument, CaseIterable {
    case bash, zsh, fish

    static func detect(_ environment: [String: String]) -> ShellKind {
        let shell = (environment["SHELL"] ?? "").split(separator: "/").last.map(String.init) ?? ""
        return ShellKind(rawValue: shell) ?? .bash
    }

    func export(_ name: String, _ value: String) -> String {
        switch self {
        case .fish: return "set -gx \(name) \(Self.quote(value))"
        case .bash, .zsh: return "export \(name)=\(Self.quote(value))"
        }
    }

    func unset(_ name: String) -> String {
        switch self {
        case .fish: return "set -e \(name)"
        case .bash, .zsh: return "unset \(name)"
        }
    }

    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Prints the environment that points Claude Code (or any Anthropic client) at ccr.
struct ActivationPrinter {
    var shell: ShellKind?

    func run() throws {
        let context = CLIContext()
        let configuration = try context.loadConfiguration(quietWarnings: true)
        let shell = self.shell ?? ShellKind.detect(context.environment)
        for (name, value) in ClaudeEnvironment.variables(for: configuration, current: context.environment) {
            print(shell.export(name, value))
        }
        for name in ClaudeEnvironment.unset { print(shell.unset(name)) }
    }
}

extension CCRCommand {
    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print shell exports that point claude (and IDE extensions) at ccr: eval \"$(ccr activate)\".")

        @Option(name: .long, help: "Shell syntax: bash, zsh or fish (default: from $SHELL).")
        var shell: ShellKind?

        func run() async throws {
            try await CCRCommand.guarded { try ActivationPrinter(shell: self.shell).run() }
        }
    }

    struct Env: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Same as activate.")

        @Option(name: .long, help: "Shell syntax: bash, zsh or fish (default: from $SHELL).")
        var shell: ShellKind?

        func run() async throws {
            try await CCRCommand.guarded { try ActivationPrinter(shell: self.shell).run() }
        }
    }
}
