import CCRCore
import Foundation
import Logging
import Synchronization

/// Per-project and per-session route tables, as the original keeps them (ccr-behaviour §1.1):
/// the Claude Code session's project folder is the one under `~/.claude/projects` that holds
/// `<session>.jsonl`; `<ccr home>/<project folder>/<session>.json` then
/// `<ccr home>/<project folder>/config.json` hold a `Router` that replaces the global one.
///
/// Lookups are cached: a session's project folder once found, a miss for 10 s, a parsed file until
/// its modification time changes. When the ccr home has no project folders at all (names start
/// with `-`, as Claude Code's do), nothing is looked up.
public final class ProjectRouterOverrides: Sendable {
    private struct ParsedFile {
        var modified: Date
        var table: RouterTable?
    }

    private struct State {
        var folders: [String: String] = [:]
        var misses: [String: ContinuousClock.Instant] = [:]
        var files: [String: ParsedFile] = [:]
        var homeCheckedAt: ContinuousClock.Instant?
        var homeHasProjects = false
    }

    private let home: URL
    private let projectsDirectory: URL
    private let environment: [String: String]
    private let state = Mutex(State())
    private let logger: Logger

    public init(home: CCRHome, environment: [String: String], logger: Logger) {
        self.home = home.root
        let claudeDirectory =
            environment["CLAUDE_CONFIG_DIR"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory(), isDirectory: true).appendingPathComponent(".claude", isDirectory: true)
        self.projectsDirectory = claudeDirectory.appendingPathComponent("projects", isDirectory: true)
        self.environment = environment
        self.logger = logger
    }

    /// The route table in force for a session, and the file it came from; `nil` for the global one.
    public func table(session: String?, configuration: CCRConfiguration) -> (RouterTable, String)? {
        guard let session, !session.isEmpty, !session.contains("/"), self.homeHasProjectFolders() else { return nil }
        guard let folder = self.projectFolder(of: session) else { return nil }
        let directory = self.home.appendingPathComponent(folder, isDirectory: true)
        for file in [directory.appendingPathComponent("\(session).json"), directory.appendingPathComponent("config.json")] {
            if let table = self.parsed(file, configuration: configuration) { return (table, file.path) }
        }
        return nil
    }

    /// The Claude Code project folder of a session (`-home-me-repo`), found through
    /// `~/.claude/projects/*/<session>.jsonl` and cached.
    public func project(of session: String) -> String? {
        guard !session.isEmpty, !session.contains("/") else { return nil }
        return self.projectFolder(of: session)
    }

    private func homeHasProjectFolders() -> Bool {
        let now = ContinuousClock.now
        if let known = self.state.withLock({ state in
            state.homeCheckedAt.map { now - $0 < .seconds(5) } == true ? state.homeHasProjects : nil
        }) {
            return known
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: self.home.path)) ?? []
        let found = names.contains { $0.hasPrefix("-") }
        self.state.withLock {
            $0.homeCheckedAt = now
            $0.homeHasProjects = found
        }
        return found
    }

    private func projectFolder(of session: String) -> String? {
        let now = ContinuousClock.now
        let cached: String?? = self.state.withLock { state in
            if let folder = state.folders[session] { return .some(folder) }
            if let missed = state.misses[session], now - missed < .seconds(10) { return .some(nil) }
            return nil
        }
        if let cached { return cached }
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: self.projectsDirectory.path)) ?? []
        let found = folders.first { folder in
            FileManager.default.fileExists(atPath: self.projectsDirectory.appendingPathComponent(folder).appendingPathComponent("\(session).jsonl").path)
        }
        self.state.withLock { state in
            if let found {
                state.folders[session] = found
            } else {
                if state.misses.count > 10_000 { state.misses.removeAll() }
                state.misses[session] = now
            }
        }
        return found
    }

    private func parsed(_ file: URL, configuration: CCRConfiguration) -> RouterTable? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
            let modified = attributes[.modificationDate] as? Date
        else { return nil }
        if let cached = self.state.withLock({ $0.files[file.path] }), cached.modified == modified { return cached.table }
        var table: RouterTable?
        if let data = FileManager.default.contents(atPath: file.path) {
            do {
                table = try ConfigLoader(environment: self.environment, fileName: file.path).loadRouterOverride(text: Array(data), configuration: configuration)
            } catch {
                self.logger.warning("route override ignored", metadata: ["file": "\(file.path)", "problems": "\(error.diagnostics.map(\.description).joined(separator: "; "))"])
            }
        }
        self.state.withLock { state in
            if state.files.count > 1_000 { state.files.removeAll() }
            state.files[file.path] = ParsedFile(modified: modified, table: table)
        }
        return table
    }
}
