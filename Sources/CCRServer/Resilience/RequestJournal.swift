import CCRCore
import Synchronization

/// The most recent requests and their attempts, in memory (the usage store keeps them for good).
public final class RequestJournal: Sendable {
    /// One request as the router handled it.
    public struct Entry: Sendable {
        public var requestID: String
        public var decision: RouteDecision
        public var attempts: [AttemptRecord]
        /// The status Claude Code got.
        public var status: Int
    }

    private let entries = Mutex<[Entry]>([])
    public let capacity: Int

    public init(capacity: Int = 1_000) {
        self.capacity = capacity
    }

    public func append(_ entry: Entry) {
        self.entries.withLock { entries in
            entries.append(entry)
            if entries.count > self.capacity { entries.removeFirst(entries.count - self.capacity) }
        }
    }

    /// Oldest first.
    public var recent: [Entry] { self.entries.withLock { $0 } }
}
