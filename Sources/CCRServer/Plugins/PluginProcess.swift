import CCRCore
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One long-lived child process that answers JSON-lines requests on its stdin/stdout
/// (docs/plugins.md).
///
/// The process is started on the first call (or by ``start()``) and restarted after it exits, with
/// a short backoff; one that keeps exiting is marked failed for a while, during which calls fail at
/// once. Requests carry an id, so any number may be in flight; each has a time limit, after which
/// the caller gets ``CallError/timedOut`` and a late answer is dropped (the process is not killed
/// for one slow answer). The child's stderr is logged line by line at info level. ``shutdown()``
/// closes its stdin, sends SIGTERM and reaps it.
actor PluginProcess {
    /// What to run.
    struct Command: Sendable, Equatable {
        /// Absolute path of the program.
        var executable: String
        /// Arguments after the program name.
        var arguments: [String]
        /// The child's whole environment.
        var environment: [String: String]
    }

    /// When to restart a process that exited, and when to give up for a while.
    struct RestartPolicy: Sendable {
        /// Delay before the restart after one exit; doubled for each further exit in ``window``.
        var firstDelay: Duration = .milliseconds(50)
        /// The longest delay before a restart.
        var maximumDelay: Duration = .seconds(1)
        /// How far back exits are counted.
        var window: Duration = .seconds(30)
        /// This many exits within ``window`` mark the plugin failed.
        var maximumExits: Int = 5
        /// How long a failed plugin stays failed (calls fail at once meanwhile).
        var failedFor: Duration = .seconds(30)
        /// How long ``shutdown()`` waits after closing stdin before SIGTERM, and after SIGTERM before SIGKILL.
        var terminationGrace: Duration = .milliseconds(200)
        /// How long a process whose stdout closed may take to exit before SIGTERM.
        var exitGrace: Duration = .milliseconds(500)

        init() {}
    }

    /// Why a call has no result.
    enum CallError: Error, Sendable, Equatable {
        /// No answer within the time limit.
        case timedOut
        /// The process exited (or closed its stdout) before answering.
        case exited
        /// The process could not be started; the message says why (already logged).
        case startFailed(String)
        /// The plugin kept exiting and is disabled for a while (already logged).
        case disabled
        /// The plugin answered `{"error": …}`.
        case answeredWithError(String)
        /// ``shutdown()`` was called.
        case shutDown
        /// The calling task was cancelled.
        case cancelled
    }

    private enum State {
        case idle
        case starting(generation: Int)
        case running(Running)
        case disabled(until: ContinuousClock.Instant)
        case shutDown
    }

    private struct Running {
        let generation: Int
        let pid: pid_t
        /// Reads the child's stdout, writes its stdin.
        let stdio: any Channel
        let stderr: any Channel
    }

    private struct Pending {
        let continuation: CheckedContinuation<Result<JSONValue, CallError>, Never>
        /// The line, until it is written.
        var line: ByteBuffer?
        /// The process it was written to; `nil` while queued for a process being started.
        var generation: Int?
        var timer: Task<Void, Never>?
    }

    let name: String
    let command: Command
    private let policy: RestartPolicy
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    /// Longest line read from the child; longer ones are dropped.
    private let maximumLineLength: Int

    private var state: State = .idle
    private var pending: [Int: Pending] = [:]
    private var nextID = 1
    private var generations = 0
    private var recentExits: [ContinuousClock.Instant] = []
    private var launchTask: Task<Void, Never>?
    private var reapers: [Int: Task<Void, Never>] = [:]
    private var shutdownTask: Task<Void, Never>?

    /// - Parameters:
    ///   - name: How the plugin is named in log lines.
    ///   - command: The program to run.
    ///   - policy: Restart and termination timing.
    ///   - eventLoopGroup: Where the pipes are read and written.
    ///   - maximumLineLength: Longest answer line accepted.
    ///   - logger: Receives the child's stderr and the process's life events.
    init(
        name: String,
        command: Command,
        policy: RestartPolicy = RestartPolicy(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        maximumLineLength: Int = 64 * 1024 * 1024,
        logger: Logger
    ) {
        self.name = name
        self.command = command
        self.policy = policy
        self.eventLoopGroup = eventLoopGroup
        self.maximumLineLength = maximumLineLength
        var logger = logger
        logger[metadataKey: "plugin"] = "\(name)"
        self.logger = logger
    }

    /// The running child's process id, if one is running.
    var processID: pid_t? {
        if case .running(let running) = self.state { return running.pid }
        return nil
    }

    /// Starts the process now instead of on the first call; returns once it runs or failed to start.
    func start() async {
        if case .disabled(let until) = self.state, ContinuousClock.now >= until {
            self.state = .idle
            self.recentExits.removeAll()
        }
        if case .idle = self.state { self.beginLaunch() }
        if case .starting = self.state { await self.launchTask?.value }
    }

    /// Sends one request and waits for its answer, for at most `timeout`.
    ///
    /// The time limit covers starting the process when none runs.
    func call(_ request: PluginRequest, timeout: Duration) async -> Result<JSONValue, CallError> {
        switch self.state {
        case .shutDown:
            return .failure(.shutDown)
        case .disabled(let until):
            if ContinuousClock.now < until { return .failure(.disabled) }
            self.state = .idle
            self.recentExits.removeAll()
        case .idle, .starting, .running:
            break
        }
        let id = self.nextID
        self.nextID += 1
        let line = request.line(id: id)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                self.pending[id] = Pending(continuation: continuation, line: line, generation: nil, timer: nil)
                self.pending[id]?.timer = Task {
                    try? await Task.sleep(for: timeout)
                    guard !Task.isCancelled else { return }
                    self.finish(id, with: .failure(.timedOut))
                }
                switch self.state {
                case .running(let running): self.send(id, to: running)
                case .idle: self.beginLaunch()
                case .starting: break
                case .disabled: self.finish(id, with: .failure(.disabled))
                case .shutDown: self.finish(id, with: .failure(.shutDown))
                }
            }
        } onCancel: {
            Task { await self.finish(id, with: .failure(.cancelled)) }
        }
    }

    /// Stops the process: closes its stdin, sends SIGTERM (SIGKILL if it lingers) and reaps it,
    /// along with any earlier process still being reaped. Calls fail with ``CallError/shutDown`` from now on.
    func shutdown() async {
        if let task = self.shutdownTask {
            await task.value
            return
        }
        let task = Task { await self.performShutdown() }
        self.shutdownTask = task
        await task.value
    }

    private func performShutdown() async {
        let previous = self.state
        self.state = .shutDown
        for id in Array(self.pending.keys) { self.finish(id, with: .failure(.shutDown)) }
        switch previous {
        case .running(let running):
            try? await running.stdio.close(mode: .output).get()
            let status = await Self.terminate(running.pid, signalAfter: self.policy.terminationGrace, killAfter: self.policy.terminationGrace)
            await Self.closeQuietly(running.stdio)
            await Self.closeQuietly(running.stderr)
            self.logger.debug("plugin process stopped", metadata: ["pid": "\(running.pid)", "status": "\(Self.describe(status: status))"])
        case .starting:
            await self.launchTask?.value
        case .idle, .disabled, .shutDown:
            break
        }
        while let (generation, reaper) = self.reapers.first {
            await reaper.value
            self.reapers[generation] = nil
        }
    }

    // MARK: - Requests

    private func send(_ id: Int, to running: Running) {
        guard let line = self.pending[id]?.line else { return }
        self.pending[id]?.line = nil
        self.pending[id]?.generation = running.generation
        running.stdio.writeAndFlush(line).whenFailure { _ in
            Task { await self.finish(id, with: .failure(.exited)) }
        }
    }

    private func finish(_ id: Int, with result: Result<JSONValue, CallError>) {
        guard let entry = self.pending.removeValue(forKey: id) else { return }
        entry.timer?.cancel()
        entry.continuation.resume(returning: result)
    }

    /// An answer from process `generation`.
    fileprivate func deliver(_ response: PluginResponse, from generation: Int) {
        guard let entry = self.pending[response.id], entry.generation == generation else {
            self.logger.debug("dropped an answer nobody waits for (late or unknown id)", metadata: ["id": "\(response.id)"])
            return
        }
        switch response.outcome {
        case .result(let value): self.finish(response.id, with: .success(value))
        case .error(let message): self.finish(response.id, with: .failure(.answeredWithError(message)))
        }
    }

    // MARK: - Process life

    private func beginLaunch() {
        guard case .idle = self.state else { return }
        self.generations += 1
        let generation = self.generations
        self.state = .starting(generation: generation)
        let delay = self.restartDelay()
        self.launchTask = Task { await self.launch(generation, after: delay) }
    }

    private func restartDelay() -> Duration {
        let now = ContinuousClock.now
        self.recentExits.removeAll { now - $0 > self.policy.window }
        guard !self.recentExits.isEmpty else { return .zero }
        var delay = self.policy.firstDelay
        for _ in 1..<self.recentExits.count where delay < self.policy.maximumDelay { delay *= 2 }
        return min(delay, self.policy.maximumDelay)
    }

    private func launch(_ generation: Int, after delay: Duration) async {
        if delay > .zero { try? await Task.sleep(for: delay) }
        guard case .starting(generation) = self.state else { return }
        let child: Child
        do {
            child = try Self.spawn(self.command)
        } catch {
            self.startFailed(generation, message: error.description)
            return
        }
        let channels: (stdio: any Channel, stderr: any Channel)
        do {
            channels = try await self.attach(child, generation: generation)
        } catch {
            _ = await Self.terminate(child.pid, signalAfter: .zero, killAfter: self.policy.terminationGrace)
            self.startFailed(generation, message: "cannot read the plugin's pipes: \(error)")
            return
        }
        guard case .starting(generation) = self.state else {
            // Shut down while starting: this child is ours to stop.
            try? await channels.stdio.close(mode: .output).get()
            _ = await Self.terminate(child.pid, signalAfter: self.policy.terminationGrace, killAfter: self.policy.terminationGrace)
            await Self.closeQuietly(channels.stdio)
            await Self.closeQuietly(channels.stderr)
            return
        }
        let running = Running(generation: generation, pid: child.pid, stdio: channels.stdio, stderr: channels.stderr)
        self.state = .running(running)
        self.logger.debug("plugin process started", metadata: ["pid": "\(child.pid)", "executable": "\(self.command.executable)"])
        for (id, entry) in self.pending where entry.generation == nil { self.send(id, to: running) }
    }

    private func startFailed(_ generation: Int, message: String) {
        guard case .starting(generation) = self.state else { return }
        self.logger.error("cannot start plugin \(self.name): \(message)")
        self.state = .idle
        self.noteExit()
        for (id, entry) in self.pending where entry.generation == nil { self.finish(id, with: .failure(.startFailed(message))) }
    }

    /// Process `generation` closed its stdout: it exited or is about to.
    fileprivate func ended(_ generation: Int) {
        guard case .running(let running) = self.state, running.generation == generation else { return }
        self.state = .idle
        for (id, entry) in self.pending where entry.generation == generation { self.finish(id, with: .failure(.exited)) }
        let policy = self.policy
        let logger = self.logger
        self.reapers[generation] = Task {
            let status = await Self.terminate(running.pid, signalAfter: policy.exitGrace, killAfter: policy.terminationGrace)
            await Self.closeQuietly(running.stdio)
            // Give the last stderr lines (a crash report, say) a moment to arrive.
            try? await Task.sleep(for: .milliseconds(100))
            await Self.closeQuietly(running.stderr)
            logger.warning("plugin process exited", metadata: ["pid": "\(running.pid)", "status": "\(Self.describe(status: status))"])
            self.reaped(generation)
        }
        self.noteExit()
        if case .disabled = self.state { return }
        self.beginLaunch()
    }

    private func reaped(_ generation: Int) {
        self.reapers[generation] = nil
    }

    /// Counts an exit (or failed start); too many in the window disable the plugin for a while.
    private func noteExit() {
        let now = ContinuousClock.now
        self.recentExits.removeAll { now - $0 > self.policy.window }
        self.recentExits.append(now)
        guard self.recentExits.count >= self.policy.maximumExits else { return }
        self.state = .disabled(until: now + self.policy.failedFor)
        let message =
            "plugin \(self.name) stopped \(self.recentExits.count) times within \(self.policy.window); "
            + "disabled for \(self.policy.failedFor), requests use the built-in rules meanwhile"
        self.logger.error("\(message)")
        for (id, entry) in self.pending where entry.generation == nil { self.finish(id, with: .failure(.disabled)) }
    }

    /// Hands the child's pipes to NIO: stdout lines go to ``deliver(_:from:)`` through one ordered
    /// stream, stderr lines to the log.
    private func attach(_ child: Child, generation: Int) async throws -> (stdio: any Channel, stderr: any Channel) {
        let (lines, sink) = AsyncStream<ByteBuffer>.makeStream()
        let maximumLineLength = self.maximumLineLength
        let logger = self.logger
        let stdio: any Channel
        do {
            stdio = try await NIOPipeBootstrap(group: self.eventLoopGroup)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let splitter = LineSplitter(maximumLength: maximumLineLength) { line in
                            sink.yield(line)
                        } onOverflow: {
                            logger.warning("dropped a line longer than \(maximumLineLength) bytes from the plugin's stdout")
                        } onEnd: {
                            sink.finish()
                        }
                        try channel.pipeline.syncOperations.addHandler(splitter)
                    }
                }
                .takingOwnershipOfDescriptors(input: child.stdoutRead, output: child.stdinWrite)
                .get()
        } catch {
            close(child.stdoutRead)
            close(child.stdinWrite)
            close(child.stderrRead)
            sink.finish()
            throw error
        }
        let stderr: any Channel
        do {
            stderr = try await NIOPipeBootstrap(group: self.eventLoopGroup)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let splitter = LineSplitter(maximumLength: 64 * 1024) { line in
                            logger.info("\(Self.logText(line))")
                        } onOverflow: {
                        } onEnd: {
                        }
                        try channel.pipeline.syncOperations.addHandler(splitter)
                    }
                }
                .takingOwnershipOfDescriptor(input: child.stderrRead)
                .get()
        } catch {
            close(child.stderrRead)
            await Self.closeQuietly(stdio)
            throw error
        }
        Task.detached {
            for await line in lines {
                do {
                    let response = try PluginResponse.parse(line.readableBytesView)
                    await self.deliver(response, from: generation)
                } catch {
                    logger.warning("ignored a line on the plugin's stdout that is not a protocol message (\(error)): \(Self.logText(line))")
                }
            }
            await self.ended(generation)
        }
        return (stdio, stderr)
    }

    /// A line for the log: at most 2,000 characters.
    private static func logText(_ line: ByteBuffer) -> String {
        let limit = 2000
        let text = String(decoding: line.readableBytesView.prefix(limit * 4), as: UTF8.self)
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    private static func closeQuietly(_ channel: any Channel) async {
        try? await channel.close().get()
    }
}

// MARK: - Spawning and reaping

extension PluginProcess {
    /// A started child and the parent's ends of its three pipes.
    struct Child: Sendable {
        var pid: pid_t
        var stdinWrite: CInt
        var stdoutRead: CInt
        var stderrRead: CInt
    }

    /// Why a child could not be started.
    struct SpawnError: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// Starts `command` with its stdin, stdout and stderr connected to new pipes.
    ///
    /// Every descriptor ccr opens here is close-on-exec, so the child gets only its three; signal
    /// dispositions and mask are reset to the defaults, and the child leads its own process group
    /// (a Ctrl-C on ccr's terminal reaches ccr, which then stops the plugin in order).
    static func spawn(_ command: Command) throws(SpawnError) -> Child {
        let stdin = try self.makePipe()
        let stdout: (read: CInt, write: CInt)
        let stderr: (read: CInt, write: CInt)
        do {
            stdout = try self.makePipe()
        } catch {
            close(stdin.read)
            close(stdin.write)
            throw error
        }
        do {
            stderr = try self.makePipe()
        } catch {
            for fd in [stdin.read, stdin.write, stdout.read, stdout.write] { close(fd) }
            throw error
        }

        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin.read, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout.write, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr.write, 2)

        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETPGROUP)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = [command.executable] + command.arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = command.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in cArguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        var result = posix_spawn(&pid, command.executable, &actions, &attributes, &cArguments, &cEnvironment)
        // ETXTBSY: the script was just written and a process forked meanwhile still holds it open
        // for writing until it execs; that passes within milliseconds.
        var retries = 0
        while result == ETXTBSY && retries < 10 {
            retries += 1
            usleep(10_000)
            result = posix_spawn(&pid, command.executable, &actions, &attributes, &cArguments, &cEnvironment)
        }
        close(stdin.read)
        close(stdout.write)
        close(stderr.write)
        guard result == 0 else {
            close(stdin.write)
            close(stdout.read)
            close(stderr.read)
            throw SpawnError(description: "\(command.executable): \(String(cString: strerror(result)))")
        }
        return Child(pid: pid, stdinWrite: stdin.write, stdoutRead: stdout.read, stderrRead: stderr.read)
    }

    /// A close-on-exec pipe whose two descriptors are above 2 (so that `dup2` onto 0–2 never
    /// meets the same number, which would keep close-on-exec set).
    private static func makePipe() throws(SpawnError) -> (read: CInt, write: CInt) {
        var fds: [CInt] = [-1, -1]
        // pipe2(O_CLOEXEC) is not visible to Swift through Glibc; the flag is set right after.
        guard pipe(&fds) == 0 else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        for index in fds.indices where fds[index] <= 2 {
            let moved = fcntl(fds[index], F_DUPFD_CLOEXEC, 3)
            let error = errno
            close(fds[index])
            fds[index] = moved
            guard moved >= 0 else {
                for fd in fds where fd >= 0 { close(fd) }
                throw SpawnError(description: "fcntl: \(String(cString: strerror(error)))")
            }
        }
        return (fds[0], fds[1])
    }

    /// Waits for `pid` to exit and reaps it: SIGTERM after `signalAfter`, SIGKILL `killAfter` later.
    /// Polls without blocking a thread. Returns the wait status, or `nil` if the child was reaped elsewhere.
    static func terminate(_ pid: pid_t, signalAfter: Duration, killAfter: Duration) async -> Int32? {
        let start = ContinuousClock.now
        var terminated = false
        var killed = false
        var pause = Duration.milliseconds(1)
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return status }
            if result < 0 {
                if errno == EINTR { continue }
                return nil
            }
            let elapsed = ContinuousClock.now - start
            if !terminated, elapsed >= signalAfter {
                kill(pid, SIGTERM)
                terminated = true
            }
            if !killed, elapsed >= signalAfter + killAfter {
                kill(pid, SIGKILL)
                killed = true
            }
            // Reapers and launches run in tasks nobody cancels, so this sleep does not throw early.
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(20))
        }
    }

    /// `exit code 3`, `signal 15`.
    static func describe(status: Int32?) -> String {
        guard let status else { return "unknown" }
        let signal = status & 0x7F
        return signal == 0 ? "exit code \((status >> 8) & 0xFF)" : "signal \(signal)"
    }
}

// MARK: - Line splitting

extension PluginProcess {
    /// Splits a pipe's bytes into lines (a trailing `\r` removed, empty lines skipped) and reports
    /// the end of the stream. A final line without a newline is delivered at the end.
    final class LineSplitter: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private let maximumLength: Int
        private let onLine: (ByteBuffer) -> Void
        private let onOverflow: () -> Void
        private let onEnd: () -> Void
        private var buffer: ByteBuffer?
        /// How many bytes of `buffer` are known to hold no newline.
        private var scanned = 0
        /// Inside a line that was too long: drop bytes up to the next newline.
        private var discarding = false
        private var ended = false

        init(maximumLength: Int, onLine: @escaping (ByteBuffer) -> Void, onOverflow: @escaping () -> Void, onEnd: @escaping () -> Void) {
            self.maximumLength = maximumLength
            self.onLine = onLine
            self.onOverflow = onOverflow
            self.onEnd = onEnd
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = Self.unwrapInboundIn(data)
            if self.buffer == nil {
                self.buffer = chunk
            } else {
                self.buffer!.writeBuffer(&chunk)
            }
            self.splitLines()
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.end()
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            self.end()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }

        private func splitLines() {
            guard var buffer = self.buffer else { return }
            self.buffer = nil
            while true {
                let from = self.scanned
                let newline: Int? = buffer.withUnsafeReadableBytes { bytes in
                    guard from < bytes.count else { return nil }
                    return bytes[from...].firstIndex(of: UInt8(ascii: "\n"))
                }
                guard let newline else { break }
                let line = buffer.readSlice(length: newline)!
                buffer.moveReaderIndex(forwardBy: 1)
                self.scanned = 0
                if self.discarding {
                    self.discarding = false
                } else {
                    self.emit(line)
                }
            }
            if self.discarding {
                // No newline yet: all of it belongs to the line being dropped.
                self.scanned = 0
                return
            }
            if buffer.readableBytes > self.maximumLength {
                self.onOverflow()
                self.discarding = true
                self.scanned = 0
                return
            }
            self.scanned = buffer.readableBytes
            if buffer.readableBytes > 0 { self.buffer = buffer }
        }

        private func emit(_ line: ByteBuffer) {
            var line = line
            if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
            guard line.readableBytes > 0 else { return }
            self.onLine(line)
        }

        private func end() {
            guard !self.ended else { return }
            self.ended = true
            if let rest = self.buffer, !self.discarding { self.emit(rest) }
            self.buffer = nil
            self.onEnd()
        }
    }
}
