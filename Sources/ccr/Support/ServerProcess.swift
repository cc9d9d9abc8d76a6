import CCRCore
import CCRServer
import Foundation

/// Finds, starts and stops the background server.
struct ServerProcess {
    let context: CLIContext
    let configuration: CCRConfiguration

    var port: Int { self.configuration.port }

    /// The PID in the PID file, if that process is alive.
    func recordedPID() -> pid_t? {
        guard let text = try? String(contentsOf: self.context.home.pidFile, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return nil }
        if Self.isAlive(pid) { return pid }
        try? FileManager.default.removeItem(at: self.context.home.pidFile)
        return nil
    }

    /// Whether a ccr answers `/health` on the configured port.
    func isHealthy(timeout: TimeInterval = 1) -> Bool {
        guard let response = try? LocalHTTP.request(port: self.port, path: "/health", timeout: timeout) else { return false }
        guard response.status == 200, let body = try? JSONParser.parse(Array(response.body)) else { return false }
        return body["status"]?.stringValue == "ok"
    }

    /// Whether anything at all accepts connections on the port.
    func portIsTaken() -> Bool {
        do {
            _ = try LocalHTTP.request(port: self.port, path: "/health", timeout: 0.5)
            return true
        } catch LocalHTTP.Failure.notListening {
            return false
        } catch {
            return true
        }
    }

    /// Starts `ccr start --foreground` in its own session and waits until `/health` answers.
    /// - Returns: the server's PID.
    func startDaemon(timeout: TimeInterval = 10) throws -> pid_t {
        try self.context.home.prepare()
        let outputPath = self.context.home.daemonOutputFile.path
        let executable = Self.currentExecutable()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (0x80 in glibc): a session of its own, so the terminal's signals do not reach it.
        posix_spawnattr_setflags(&attributes, Int16(0x80))
        let arguments = [executable, "start", "--foreground"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
        guard result == 0 else {
            throw CLIError(message: "ccr: cannot start the server process: \(String(cString: strerror(result)))")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
                let lines = output.split(separator: "\n").suffix(12).joined(separator: "\n")
                throw CLIError(message: lines.isEmpty ? "ccr: the server exited during start-up" : lines)
            }
            if self.isHealthy(timeout: 0.5) { return pid }
            usleep(10_000)
        }
        kill(pid, SIGTERM)
        throw CLIError(message: "ccr: the server did not answer on http://127.0.0.1:\(self.port)/health within \(Int(timeout)) s; see \(outputPath)")
    }

    /// Sends SIGTERM, waits for the bounded drain, then SIGKILL; removes the PID file.
    /// - Returns: `true` when the process had to be killed.
    @discardableResult
    func stop(pid: pid_t, grace: TimeInterval = 8) -> Bool {
        defer { try? FileManager.default.removeItem(at: self.context.home.pidFile) }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline {
            if !Self.isAlive(pid) { return false }
            usleep(5_000)
        }
        kill(pid, SIGKILL)
        usleep(50_000)
        return true
    }

    /// Whether a process exists and has not exited. A daemon whose parent is gone is reaped by
    /// init, which can take a while; until then it is a zombie, which counts as exited.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        {
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
            if state == "Z" || state == "X" { return false }
        }
        return true
    }

    static func currentExecutable() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return CommandLine.arguments[0]
    }
}
