import CCRCore
import Logging
import ServiceLifecycle
import Synchronization

/// Takes finished requests' records on the request path without waiting, and writes them to the
/// ``UsageStore`` in batches from its own task.
///
/// The queue is bounded (``UsageSettings/queueCapacity``): when the disk cannot keep up, new
/// records are dropped, counted and logged, and no stream ever waits for SQLite. Queries call
/// ``writeQueued()`` first, so they see every finished request. Runs as a
/// ServiceLifecycle service: on shutdown it writes what is queued, then returns. Records older
/// than the retention are deleted with the first write and then every hour.
///
/// The database is opened when first needed (the first record or query), so an idle router does
/// not pay SQLite's memory.
public final class UsageRecorder: Service, Sendable {
    private struct Queue {
        var records: [UsageRecord] = []
        var dropped = 0
        var droppedSinceLog = 0
        var written = 0
    }

    private enum Opening {
        case open(UsageStore)
        case pending(path: String)
        case failed(String)
    }

    private let opening: Mutex<Opening>
    public let capacity: Int
    public let retentionDays: Int
    private let queue = Mutex(Queue())
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation
    private let logger: Logger

    /// How long the writer waits after a record arrives, to write more in one transaction (one
    /// transaction per record would cost three times as much). Readers flush first, so a query
    /// right after a request still sees it.
    static let batchDelay: Duration = .milliseconds(250)
    static let pruneInterval: Duration = .seconds(3_600)

    /// A recorder over a store already open.
    public convenience init(store: UsageStore, settings: UsageSettings, logger: Logger) {
        self.init(opening: .open(store), settings: settings, logger: logger)
    }

    /// A recorder that opens (creating and migrating) the store at `path` when first needed.
    public convenience init(path: String, settings: UsageSettings, logger: Logger) {
        self.init(opening: .pending(path: path), settings: settings, logger: logger)
    }

    private init(opening: Opening, settings: UsageSettings, logger: Logger) {
        self.opening = Mutex(opening)
        self.capacity = settings.queueCapacity
        self.retentionDays = settings.retentionDays
        self.logger = logger
        (self.doorbell, self.ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The store, opened on first use.
    /// - Throws: ``UnavailableStore`` when it cannot be opened (said once in the log, then remembered).
    public func store() throws(UnavailableStore) -> UsageStore {
        let outcome: Result<UsageStore, UnavailableStore> = self.opening.withLock { opening in
            switch opening {
            case .open(let store):
                return .success(store)
            case .failed(let reason):
                return .failure(UnavailableStore(reason: reason))
            case .pending(let path):
                do {
                    let store = try UsageStore(path: path)
                    opening = .open(store)
                    return .success(store)
                } catch {
                    let reason = "cannot open \(path): \(error)"
                    opening = .failed(reason)
                    self.logger.error("usage records are off: \(reason)")
                    return .failure(UnavailableStore(reason: reason))
                }
            }
        }
        return try outcome.get()
    }

    /// Why the usage store cannot be used.
    public struct UnavailableStore: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { self.reason }
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
        var lastPrune: ContinuousClock.Instant?
        await withGracefulShutdownHandler {
            for await _ in self.doorbell {
                try? await Task.sleep(for: Self.batchDelay)
                await self.writeQueued()
                if lastPrune.map({ ContinuousClock.now - $0 > Self.pruneInterval }) ?? true {
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
            guard let store = try? self.store() else { continue }  // said once when opening failed
            do {
                try await store.insert(batch)
                self.queue.withLock { $0.written += batch.count }
            } catch {
                self.logger.error("usage records not written: \(error)", metadata: ["records": "\(batch.count)", "store": "\(store.path)"])
            }
        }
    }

    private func prune() async {
        guard self.retentionDays > 0 else { return }
        let cutoff = UsageClock.nowMilliseconds() - Int64(self.retentionDays) * 86_400_000
        do {
            let deleted = try await self.store().prune(before: cutoff)
            if deleted > 0 { self.logger.info("usage records older than \(self.retentionDays) days deleted", metadata: ["deleted": "\(deleted)"]) }
        } catch {
            self.logger.warning("usage retention failed: \(error)")
        }
    }
}
