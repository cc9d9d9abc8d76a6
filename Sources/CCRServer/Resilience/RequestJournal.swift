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

    private struct Ring {
        var entries: [Entry] = []
        var next = 0
    }

    private let ring = Mutex(Ring())
    public let capacity: Int

    public init(capacity: Int = 1_000) {
        self.capacity = capacity
    }

    public func append(_ entry: Entry) {
        self.ring.withLock { ring in
            if ring.entries.count < self.capacity {
                ring.entries.append(entry)
            } else {
                ring.entries[ring.next] = entry
            }
            ring.next = (ring.next + 1) % self.capacity
        }
    }

    /// Oldest first.
    public var recent: [Entry] {
        self.ring.withLock { ring in
            ring.entries.count < self.capacity ? ring.entries : Array(ring.entries[ring.next...] + ring.entries[..<ring.next])
        }
    }
}
