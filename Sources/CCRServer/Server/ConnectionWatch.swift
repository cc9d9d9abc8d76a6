import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// Tells a request handler when its client connection has gone away.
///
/// Hummingbird does not cancel a handler when the client disconnects; a relay that is waiting for
/// an upstream (its head, or the next event of a quiet stream) would go on for minutes. A
/// ``ConnectionCloseHandler`` in each connection's pipeline marks the watch closed on EOF or
/// channel close, and ``withCancellationOnClose(_:)`` turns that into task cancellation, which
/// AsyncHTTPClient turns into closing the upstream connection.
public final class ConnectionWatch: Sendable {
    private struct State {
        var closed = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Whether the client has closed its side.
    public var isClosed: Bool { self.state.withLock { $0.closed } }

    /// Marks the connection closed and wakes every waiter.
    public func markClosed() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.closed else { return [] }
            state.closed = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when the connection closes, or when the calling task is cancelled.
    public func waitUntilClosed() async {
        let id = self.state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state -> Bool in
                    if state.closed || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Runs `operation` in the calling task and cancels that task if the client disconnects
    /// before `operation` returns. The watcher is a child task that is finished before this
    /// returns, so nothing outlives the request (a leftover watcher would break keep-alive).
    /// - Throws: ``ClientDisconnected`` when the client went away; whatever `operation` throws.
    public func cancellingOnClose<T>(_ operation: () async throws -> T) async throws -> T {
        if self.isClosed { throw ClientDisconnected() }
        let task = withUnsafeCurrentTask { TaskHandle(task: $0) }
        do {
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await self.waitUntilClosed()
                    if self.isClosed { task.cancel() }
                }
                defer { group.cancelAll() }
                return try await operation()
            }
        } catch {
            if self.isClosed { throw ClientDisconnected() }
            throw error
        }
    }
}

/// The task running a request, so the connection watcher can cancel it.
private struct TaskHandle: @unchecked Sendable {
    // Only used while the task is suspended inside `cancellingOnClose`, which outlives the watcher.
    let task: UnsafeCurrentTask?

    func cancel() {
        self.task?.cancel()
    }
}

/// The client closed its connection before the answer was complete.
public struct ClientDisconnected: Error, Sendable {}
