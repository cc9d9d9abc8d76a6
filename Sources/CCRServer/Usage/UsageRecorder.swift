import CCRCore
import Logging
import ServiceLifecycle
import Synchronization

/// Takes finished requests' records on the request path without waiting, and writes them to the
/// ``UsageStore`` in batches from its own task.
///
/// The queue is bounded (``UsageSettings/queueCapacity``): when the disk cannot keep up, new
/// records are dropped, counted and logged, and no stream ever waits for SQLite. Runs as a
/// ServiceLifecycle service: on shutdown it writes what is queued, then returns. Records older
/// than the retention are deleted at start and every hour.
public final class UsageRecorder: Service, Sendable {
    private struct Queue {
        var records: [UsageRecord] = []
        var dropped = 0
        var droppedSinceLog = 0
        var written = 0
    }

    public let store: UsageStore
    public let capacity: Int
    public let retentionDays: Int
    private let queue = Mutex(Queue())
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation
    private let logger: Logger

    /// How long the writer waits after a record arrives, to write more in one transaction.
    static let batchDelay: Duration = .milliseconds(50)
    static let pruneInterval: Duration = .seconds(3_600)

    public init(store: UsageStore, settings: UsageSettings, logger: Logger) {
        self.store = store
        self.capacity = settings.queueCapacity
        self.retentionDays = settings.retentionDays
        self.logger = logger
        (self.doorbell, self.ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues a record; never waits. A full queue drops it.
    /// - Returns: `false` when the record was dropped.
    @discardableResult
    public func enqueue(_ record: UsageRecord) -> Bool {
        let accepted = self.queue.withLock { queue in
            guard queue.records.count < self.capacity else {
                queue.dropped += 1
                queue.droppedSinceLog += 1
                return false
            }
            queue.records.append(record)
            return true
        }
        if accepted { self.ring.yield() }
        return accepted
    }

    /// Records dropped because the queue was full, since start.
    public var droppedCount: Int { self.queue.withLock { $0.dropped } }
    /// Records written since start.
    public var writtenCount: Int { self.queue.withLock { $0.written } }
    /// Records waiting to be written.
    public var pendingCount: Int { self.queue.withLock { $0.records.count } }

    public func run() async throws {
        await self.prune()
        var lastPrune = ContinuousClock.now
        await withGracefulShutdownHandler {
            for await _ in self.doorbell {
                try? await Task.sleep(for: Self.batchDelay)
                await self.writeQueued()
                if ContinuousClock.now - lastPrune > Self.pruneInterval {
                    await self.prune()
                    lastPrune = .now
                }
            }
        } onGracefulShutdown: {
            self.ring.finish()
        }
        await self.writeQueued()
    }

    /// Writes everything queued now (also what tests call to flush).
    public func writeQueued() async {
        while true {
            let (batch, dropped) = self.queue.withLock { queue in
                let taken = Array(queue.records.prefix(1_000))
                queue.records.removeFirst(taken.count)
                let dropped = queue.droppedSinceLog
                queue.droppedSinceLog = 0
                return (taken, dropped)
            }
            if dropped > 0 {
                self.logger.warning("usage queue full: \(dropped) records dropped", metadata: ["capacity": "\(self.capacity)"])
            }
            if batch.isEmpty { return }
            do {
                try await self.store.insert(batch)
                self.queue.withLock { $0.written += batch.count }
            } catch {
                self.logger.error("usage records not written: \(error)", metadata: ["records": "\(batch.count)", "store": "\(self.store.path)"])
            }
        }
    }

    private func prune() async {
        guard self.retentionDays > 0 else { return }
        let cutoff = UsageClock.nowMilliseconds() - Int64(self.retentionDays) * 86_400_000
        do {
            let deleted = try await self.store.prune(before: cutoff)
            if deleted > 0 { self.logger.info("usage records older than \(self.retentionDays) days deleted", metadata: ["deleted": "\(deleted)"]) }
        } catch {
            self.logger.warning("usage retention failed: \(error)")
        }
    }
}
