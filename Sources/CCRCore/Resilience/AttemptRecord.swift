/// One try at a provider for a request: what was tried, with which key, and how it ended.
public struct AttemptRecord: Sendable, Equatable {
    public var target: RouteTarget
    /// The key's fingerprint (never the key).
    public var key: String?
    /// The provider's HTTP status, when one came.
    public var status: Int?
    /// `nil` for the attempt that answered.
    public var failure: FailureKind?
    public var milliseconds: Int
    /// When the attempt started, after the request reached the runner (failed attempts and
    /// backoff before it: the latency retries and fallbacks added).
    public var startedAfterMilliseconds: Int = 0
    /// What happened, for the log (`skipped: breaker open`, `429 rate limited`, …).
    public var note: String

    public init(
        target: RouteTarget, key: String?, status: Int?, failure: FailureKind?, milliseconds: Int, startedAfterMilliseconds: Int = 0, note: String
    ) {
        self.target = target
        self.key = key
        self.status = status
        self.failure = failure
        self.milliseconds = milliseconds
        self.startedAfterMilliseconds = startedAfterMilliseconds
        self.note = note
    }

    /// Whether a request actually went out (skipped targets have neither a status nor a failure).
    public var wasSent: Bool { self.status != nil || self.failure != nil }

    public var json: JSONValue {
        var object: JSONObject = [
            "target": .string(self.target.description), "ms": .int(self.milliseconds), "at": .int(self.startedAfterMilliseconds), "note": .string(self.note),
        ]
        object["key"] = self.key.map { .string($0) } ?? .null
        object["status"] = self.status.map { .int($0) } ?? .null
        object["failure"] = self.failure.map { .string($0.rawValue) } ?? .null
        return .object(object)
    }
}
