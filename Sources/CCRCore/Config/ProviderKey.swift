/// One of a provider's keys (`api_keys` entries; `api_key` is a pool of one).
public struct ProviderKey: Sendable, Equatable {
    public var key: String
    /// Share of requests under the `weighted` strategy (default 1).
    public var weight: Int
    /// Consecutive authentication failures (401/403) after which the key is disabled until ccr
    /// restarts (default 3).
    public var maxFailures: Int
    /// How long a key rests after a 429, 5xx or auth failure, in seconds (default 60; a 429's
    /// `retry-after` is used when longer).
    public var cooldownSeconds: Int

    public init(key: String, weight: Int = 1, maxFailures: Int = 3, cooldownSeconds: Int = 60) {
        self.key = key
        self.weight = weight
        self.maxFailures = maxFailures
        self.cooldownSeconds = cooldownSeconds
    }

    /// A short, stable, non-reversible name for the key, safe to show: `…` plus a hash.
    public var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in self.key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "key-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex.prefix(8)
    }
}

/// How a provider's keys take turns (`rotation_strategy`).
public enum RotationStrategy: String, Sendable, Equatable, CaseIterable {
    case roundRobin = "round_robin"
    case random
    case weighted
    case leastUsed = "least_used"
}
