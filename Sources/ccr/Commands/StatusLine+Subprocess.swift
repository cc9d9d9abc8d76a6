import Foundation

/// Runs a short helper program (git, node) for `ccr statusline` and collects its standard output,
/// killing it when it overruns its time.
enum StatusLineSubprocess {
    struct Result {
        var status: Int32
        var output: [UInt8]
    }

    /// Output past this is dropped: a status line is one short line.
    static let outputLimit = 64 << 10

    /// Runs `program` (looked up on `PATH`) with stdin and stderr on /dev/null.
    /// - Returns: the exit status and output, or `nil` when it could not start or took longer than
    ///   `timeout` (it is then killed).
    static func run(_ program: String, _ arguments: [String], environment: [String: String], timeout: Duration) -> Result? {
        let deadline = ContinuousClock.now + timeout
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return nil }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)
        var argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, program, &actions, nil, &argv, &envp)
        close(writeEnd)
        defer { close(readEnd) }
        guard spawned == 0 else { return nil }

        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        var timedOut = false
        while true {
            let remaining = Self.milliseconds(until: deadline)
            if remaining <= 0 {
                timedOut = true
                break
            }
            var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(remaining))
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if ready == 0 { continue }
            let count = read(readEnd, &chunk, chunk.count)
            if count > 0 {
                if output.count < Self.outputLimit { output += chunk[0..<count] }
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        var status: Int32 = 0
        while !timedOut {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited < 0 && errno != EINTR { return nil }
            if Self.milliseconds(until: deadline) <= 0 {
                timedOut = true
                break
            }
            usleep(1000)
        }
        if timedOut {
            kill(pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return nil
        }
        let exitStatus: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Result(status: exitStatus, output: output)
    }

    private static func milliseconds(until deadline: ContinuousClock.Instant) -> Int {
        let remaining = deadline - ContinuousClock.now
        return Int(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
    }
}
