import Foundation

/// The folder ccr keeps its files in: `~/.claude-code-router`, or `$CCR_HOME`.
public struct CCRHome: Sendable {
    public var root: URL

    public init(root: URL) {
        self.root = root
    }

    /// `$CCR_HOME` when set, else `~/.claude-code-router`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> CCRHome {
        if let custom = environment["CCR_HOME"], !custom.isEmpty {
            return CCRHome(root: URL(fileURLWithPath: (custom as NSString).expandingTildeInPath, isDirectory: true))
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return CCRHome(root: home.appendingPathComponent(".claude-code-router", isDirectory: true))
    }

    public var configFile: URL { self.root.appendingPathComponent("config.json") }
    public var logsDirectory: URL { self.root.appendingPathComponent("logs", isDirectory: true) }
    public var dataDirectory: URL { self.root.appendingPathComponent("data", isDirectory: true) }
    public var pluginsDirectory: URL { self.root.appendingPathComponent("plugins", isDirectory: true) }
    /// The original's PID file name, so its tools and ours agree on what is running.
    public var pidFile: URL { self.root.appendingPathComponent(".claude-code-router.pid") }
    /// Where a background server's own stdout/stderr go (start-up failures end up here).
    public var daemonOutputFile: URL { self.logsDirectory.appendingPathComponent("ccr-daemon.out") }

    /// Creates the folders ccr writes into.
    public func prepare() throws {
        for directory in [self.root, self.logsDirectory, self.dataDirectory, self.pluginsDirectory] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
    }
}
