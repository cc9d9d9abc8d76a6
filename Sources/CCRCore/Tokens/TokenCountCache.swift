import Synchronization

/// A bounded, thread-safe memo of the token counts of long strings.
///
/// Claude Code sends the same system prompt and tool schemas (tens of kilobytes) on every turn;
/// with this cache they are tokenized once. Only strings of at least ``minimumBytes`` UTF-8 bytes
/// are kept. Keys compare byte for byte (not as Swift `String`s, which equate canonically
/// equivalent texts that tokenize differently). When ``capacity`` entries or ``maximumTotalBytes``
/// of keys are held, entries are evicted in CLOCK order: an entry used since the hand last passed
/// gets a second chance, so the strings that repeat on every request stay while one-off ones go.
public final class TokenCountCache: Sendable {
    /// Strings shorter than this many UTF-8 bytes are not cached (counting them is cheaper than a lookup).
    public let minimumBytes: Int
    /// The most entries held.
    public let capacity: Int
    /// The most key bytes held; a string longer than this is never cached.
    public let maximumTotalBytes: Int

    private let state = Mutex(State())

    /// - Parameters:
    ///   - capacity: the most entries held (at least 1).
    ///   - minimumBytes: the shortest string cached, in UTF-8 bytes.
    ///   - maximumTotalBytes: the most key bytes held.
    public init(capacity: Int = 2_048, minimumBytes: Int = 256, maximumTotalBytes: Int = 32 << 20) {
        self.capacity = max(1, capacity)
        self.minimumBytes = minimumBytes
        self.maximumTotalBytes = maximumTotalBytes
    }

    /// The cached count of a text, or the result of `compute` (then cached) when there is none.
    /// `compute` runs outside the lock, so concurrent callers may both compute a new text once.
    public func count(_ text: String, compute: (String) -> Int) -> Int {
        let size = text.utf8.count
        guard size >= self.minimumBytes && size <= self.maximumTotalBytes else { return compute(text) }
        let key = Key(text)
        if let cached = self.state.withLock({ $0.lookUp(key) }) { return cached }
        let count = compute(text)
        self.state.withLock { $0.insert(key, count: count, size: size, capacity: self.capacity, maximumBytes: self.maximumTotalBytes) }
        return count
    }

    /// The number of entries held.
    public var entryCount: Int {
        self.state.withLock { $0.slotOf.count }
    }

    /// Forgets every entry.
    public func removeAll() {
        self.state.withLock { $0 = State() }
    }

    /// A string hashed and compared by its UTF-8 bytes.
    struct Key: Hashable, Sendable {
        let text: String

        init(_ text: String) {
            var text = text
            text.makeContiguousUTF8()
            self.text = text
        }

        static func == (lhs: Key, rhs: Key) -> Bool {
            let left = lhs.text.utf8
            let right = rhs.text.utf8
            guard left.count == right.count else { return false }
            return left.withContiguousStorageIfAvailable { leftBytes in
                right.withContiguousStorageIfAvailable { rightBytes in
                    Self.equal(leftBytes, rightBytes)
                }
            }.flatMap { $0 } ?? left.elementsEqual(right)
        }

        func hash(into hasher: inout Hasher) {
            let utf8 = self.text.utf8
            let hashed: Void? = utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            if hashed == nil {
                for byte in utf8 { hasher.combine(byte) }
            }
        }

        private static func equal(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
            guard var a = left.baseAddress, var b = right.baseAddress else { return left.count == right.count }
            var remaining = left.count
            while remaining >= 8 {
                if UnsafeRawPointer(a).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b).loadUnaligned(as: UInt64.self) { return false }
                a += 8
                b += 8
                remaining -= 8
            }
            while remaining > 0 {
                if a.pointee != b.pointee { return false }
                a += 1
                b += 1
                remaining -= 1
            }
            return true
        }
    }

    /// The entries, their slots and the CLOCK hand.
    private struct State {
        struct Entry {
            var key: Key
            var count: Int
            var size: Int
            var referenced: Bool
        }

        var slotOf: [Key: Int] = [:]
        var entries: [Entry?] = []
        var freeSlots: [Int] = []
        var hand = 0
        var totalBytes = 0

        mutating func lookUp(_ key: Key) -> Int? {
            guard let slot = self.slotOf[key] else { return nil }
            self.entries[slot]?.referenced = true
            return self.entries[slot]?.count
        }

        mutating func insert(_ key: Key, count: Int, size: Int, capacity: Int, maximumBytes: Int) {
            guard self.slotOf[key] == nil else { return }
            while self.slotOf.count >= capacity || self.totalBytes + size > maximumBytes {
                self.evictOne()
            }
            let entry = Entry(key: key, count: count, size: size, referenced: false)
            let slot: Int
            if let free = self.freeSlots.popLast() {
                slot = free
                self.entries[slot] = entry
            } else {
                slot = self.entries.count
                self.entries.append(entry)
            }
            self.slotOf[key] = slot
            self.totalBytes += size
        }

        /// Moves the hand to the first entry not used since the last pass and removes it.
        private mutating func evictOne() {
            while true {
                if self.hand >= self.entries.count { self.hand = 0 }
                let slot = self.hand
                self.hand += 1
                guard let entry = self.entries[slot] else { continue }
                if entry.referenced {
                    self.entries[slot]?.referenced = false
                    continue
                }
                self.slotOf[entry.key] = nil
                self.entries[slot] = nil
                self.freeSlots.append(slot)
                self.totalBytes -= entry.size
                return
            }
        }
    }
}
