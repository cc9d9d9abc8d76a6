import Foundation
import Testing

/// Runs the built `ccr` and the real Claude Code CLI as child processes.
enum Processes {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var duration: Duration
    }

    /// The package root, from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `ccr` built next to this test bundle (`$CCR_BIN` overrides).
    static func ccrBinary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["CCR_BIN"], !path.isEmpty { return path }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ccr").path
        for candidate in [besideTests, packageRoot.appendingPathComponent(".build/debug/ccr").path] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw TestFailure("no ccr binary found (looked beside the test bundle and in .build/debug); run swift build first or set CCR_BIN")
    }

    /// The real Claude Code CLI: `$CCR_CLAUDE_BIN`, else installed by scripts/install-claude-code.sh.
    static func claudeBinary() async throws -> String {
        if let path = ProcessInfo.processInfo.environment["CCR_CLAUDE_BIN"], !path.isEmpty { return path }
        let result = try await self.run(packageRoot.appendingPathComponent("scripts/install-claude-code.sh").path, [], environment: ProcessInfo.processInfo.environment, timeout: .seconds(300))
        guard result.status == 0, let path = result.stdout.split(separator: "\n").last.map(String.init), FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure("cannot install Claude Code (scripts/install-claude-code.sh): \(result.stderr)")
        }
        return path
    }

    /// Runs a program to completion (killed after `timeout`), its output captured in files so
    /// that a daemon it leaves behind cannot hold a pipe open.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String], timeout: Duration = .seconds(60)) async throws -> Result {
        let directory = try self.temporaryDirectory("out")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outPath = directory.appendingPathComponent("stdout").path
        let errPath = directory.appendingPathComponent("stderr").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = [executable] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in cArguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let spawned = posix_spawn(&pid, executable, &actions, nil, &cArguments, &cEnvironment)
        guard spawned == 0 else { throw TestFailure("cannot run \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        let deadline = start + timeout
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR { break }
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            // Sleep without holding a cooperative thread: the mock upstreams of these tests run
            // in this process and need the (two) threads while the child works.
            try await Task.sleep(for: .milliseconds(2))
        }
        let duration = ContinuousClock.now - start
        let exitCode: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return Result(status: exitCode, stdout: out, stderr: err, duration: duration)
    }

    /// Runs `ccr code <arguments>` with the real Claude Code CLI, from a fresh home whose config
    /// has the one provider given (JSON), routed by default; stops the router afterwards.
    /// - Parameter router: the `Router` object's JSON; `{"default": "mock,<model>"}` when `nil`.
    static func runClaudeThroughCCR(
        provider: String, model: String, arguments: [String], extraEnvironment: [String: String] = [:], router: String? = nil
    ) async throws -> Result {
        let ccr = try self.ccrBinary()
        let claude = try await self.claudeBinary()
        let home = try self.temporaryDirectory("claude")
        let port = self.freePort()
        try """
            {"PORT": \(port), "CLAUDE_PATH": "\(claude)", "Providers": [\(provider)], "Router": \(router ?? #"{"default": "mock,\#(model)"}"#)}
            """.write(to: home.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        var env = [
            "HOME": home.path, "CCR_HOME": home.path, "PATH": "/usr/local/bin:/usr/bin:/bin", "TERM": "dumb", "LANG": "C.UTF-8",
            "IS_SANDBOX": "1", "DISABLE_AUTOUPDATER": "1", "DISABLE_ERROR_REPORTING": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        ]
        env.merge(extraEnvironment) { $1 }
        return try await self.withStop(ccr, environment: env) {
            try await self.run(ccr, ["code"] + arguments, environment: env, timeout: .seconds(120))
        }
    }

    /// Runs `body`, then `ccr stop` whether it threw or not (a `defer` cannot await, and a
    /// blocking wait there would hold one of the two cooperative threads the in-process mocks need).
    static func withStop<T>(_ ccr: String, environment: [String: String], _ body: () async throws -> T) async throws -> T {
        let result: T
        do {
            result = try await body()
        } catch {
            _ = try? await self.run(ccr, ["stop"], environment: environment)
            throw error
        }
        _ = try? await self.run(ccr, ["stop"], environment: environment)
        return result
    }

    /// A port nobody listens on right now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A fresh folder under the temporary directory.
    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-e2e-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
