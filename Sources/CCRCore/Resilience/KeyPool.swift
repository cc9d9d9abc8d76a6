/// A provider's keys taking turns, resting after failures and recovering after their cooldown.
///
/// A key rests for its `cooldownTime` after a 429 (or longer when the provider's `retry-after`
/// says so), a 5xx or an authentication failure; `maxFailures` authentication failures in a row
/// disable it until ccr restarts. Any success clears its failure count. Times are passed in, so
/// the pool is a plain value that tests drive with a fake clock.
public struct KeyPool: Sendable {
    /// One key's state; the key itself never leaves the pool (``KeyStatus`` shows a fingerprint).
    struct Entry: Sendable {
        var key: ProviderKey
        var restingUntil: ContinuousClock.Instant?
        var authFailuresInARow = 0
        var failures = 0
        var uses = 0
        var lastUsed: ContinuousClock.Instant?
        var disabled = false
        var lastFailure: FailureKind?
    }

    /// What `ccr status` shows for a key.
    public struct KeyStatus: Sendable, Equatable {
        public var fingerprint: String
        /// `active`, `resting`, or `disabled`.
        public var state: String
        public var restingForSeconds: Int?
        public var uses: Int
        public var failures: Int
        public var lastFailure: FailureKind?
    }

    private var entries: [Entry]
    public let strategy: RotationStrategy
    private var cursor = 0

    public init(keys: [ProviderKey], strategy: RotationStrategy) {
        self.entries = keys.map { Entry(key: $0) }
        self.strategy = strategy
    }

    public var count: Int { self.entries.count }

    /// The key at an index.
    public func key(at index: Int) -> ProviderKey { self.entries[index].key }

    /// Picks a usable key, skipping `excluding` (keys this request already tried).
    /// - Returns: the key's index, or `nil` when every key is resting, disabled or excluded.
    public mutating func choose(now: ContinuousClock.Instant, excluding: Set<Int> = [], random: inout some RandomNumberGenerator) -> Int? {
        let usable = self.entries.indices.filter { index in
            let entry = self.entries[index]
            return !entry.disabled && !excluding.contains(index) && (entry.restingUntil.map { $0 <= now } ?? true)
        }
        guard !usable.isEmpty else { return nil }
        let chosen: Int
        switch self.strategy {
        case .roundRobin:
            chosen = usable.first { $0 >= self.cursor } ?? usable[0]
            self.cursor = chosen + 1
        case .random:
            chosen = usable.randomElement(using: &random)!
        case .weighted:
            let total = usable.reduce(0) { $0 + max(1, self.entries[$1].key.weight) }
            var ticket = Int.random(in: 0..<total, using: &random)
            var pick = usable[0]
            for index in usable {
                ticket -= max(1, self.entries[index].key.weight)
                if ticket < 0 {
                    pick = index
                    break
                }
            }
            chosen = pick
        case .leastUsed:
            chosen = usable.min { a, b in
                let left = self.entries[a].lastUsed
                let right = self.entries[b].lastUsed
                switch (left, right) {
                case (nil, nil): return a < b
                case (nil, _): return true
                case (_, nil): return false
                case (let l?, let r?): return l < r
                }
            }!
        }
        self.entries[chosen].uses += 1
        self.entries[chosen].lastUsed = now
        if self.entries[chosen].restingUntil != nil { self.entries[chosen].restingUntil = nil }
        return chosen
    }

    /// The key that is back soonest, when every key rests (a last resort, ignoring the rest).
    public func soonestBack() -> Int? {
        self.entries.indices.filter { !self.entries[$0].disabled }.min { a, b in
            (self.entries[a].restingUntil ?? .now) < (self.entries[b].restingUntil ?? .now)
        }
    }

    public mutating func recordSuccess(_ index: Int) {
        self.entries[index].authFailuresInARow = 0
        self.entries[index].lastFailure = nil
    }

    public mutating func recordFailure(_ index: Int, kind: FailureKind, retryAfter: Duration?, now: ContinuousClock.Instant) {
        var entry = self.entries[index]
        entry.failures += 1
        entry.lastFailure = kind
        let cooldown = Duration.seconds(entry.key.cooldownSeconds)
        switch kind {
        case .rateLimited:
            entry.restingUntil = now + max(cooldown, retryAfter ?? .zero)
        case .authentication:
            entry.authFailuresInARow += 1
            if entry.authFailuresInARow >= entry.key.maxFailures {
                entry.disabled = true
            } else {
                entry.restingUntil = now + cooldown
            }
        case .server:
            entry.restingUntil = now + min(cooldown, .seconds(10))
        case .network, .timeout, .badStream, .notFound, .client:
            break  // not the key's fault
        }
        self.entries[index] = entry
    }

    public func statuses(now: ContinuousClock.Instant) -> [KeyStatus] {
        self.entries.map { entry in
            let resting = entry.restingUntil.flatMap { $0 > now ? Int(($0 - now).components.seconds) + 1 : nil }
            return KeyStatus(
                fingerprint: entry.key.fingerprint, state: entry.disabled ? "disabled" : resting != nil ? "resting" : "active",
                restingForSeconds: resting, uses: entry.uses, failures: entry.failures, lastFailure: entry.lastFailure)
        }
    }
}
