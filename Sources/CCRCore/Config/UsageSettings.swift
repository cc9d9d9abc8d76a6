/// `Usage` in config.json: whether and how long ccr keeps its record of requests.
public struct UsageSettings: Sendable, Equatable {
    /// Record requests in `data/usage.sqlite` (default true).
    public var enabled: Bool
    /// Records older than this are deleted (hourly); 0 keeps them for ever. Default 180 days.
    public var retentionDays: Int
    /// Records waiting to be written; when full, new ones are dropped (counted and logged), so
    /// that a slow disk never holds up a stream. Default 10,000.
    public var queueCapacity: Int

    public init(enabled: Bool = true, retentionDays: Int = 180, queueCapacity: Int = 10_000) {
        self.enabled = enabled
        self.retentionDays = retentionDays
        self.queueCapacity = queueCapacity
    }
}
