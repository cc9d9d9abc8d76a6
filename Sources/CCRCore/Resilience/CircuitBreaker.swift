/// A circuit breaker for one provider+model: a sliding window of recent outcomes (old buckets
/// drop out, so it is not a lifetime counter), open when the window's failure rate is too high,
/// half-open after a cool-off so that one probe can close it again; plus the provider's own
/// rate-limit window (`retry-after`, `x-ratelimit-*`), which rejects without counting failures.
public struct CircuitBreaker: Sendable {
    /// Settings (config `Resilience.breaker`).
    public struct Configuration: Sendable, Equatable {
        /// The window the failure rate is measured over.
        public var window: Duration
        /// Outcomes needed in the window before the breaker may open.
        public var minimumRequests: Int
        /// Failure share that opens it.
        public var failureRate: Double
        /// How long it stays open before a probe (doubles after each failed probe, up to 5 min).
        public var openFor: Duration

        public init(window: Duration = .seconds(60), minimumRequests: Int = 5, failureRate: Double = 0.5, openFor: Duration = .seconds(30)) {
            self.window = window
            self.minimumRequests = minimumRequests
            self.failureRate = failureRate
            self.openFor = openFor
        }
    }

    /// The breaker's state.
    public enum State: Sendable, Equatable {
        case closed
        case open(until: ContinuousClock.Instant)
        /// Cool-off over; one probe is in flight or may start.
        case halfOpen(probing: Bool)
    }

    /// What a caller may do now.
    public enum Admission: Sendable, Equatable {
        case allow
        /// The caller should send a probe (a minimal real request) and report its outcome.
        case probe
        /// Skip this target until then.
        case reject(until: ContinuousClock.Instant?)
    }

    private struct Bucket: Sendable {
        var start: ContinuousClock.Instant
        var successes = 0
        var failures = 0
    }

    public let configuration: Configuration
    public private(set) var state: State = .closed
    public private(set) var rateLimitedUntil: ContinuousClock.Instant?
    private var buckets: [Bucket] = []
    private var openings = 0
    static let bucketCount = 10

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether a request may go to this target now.
    public mutating func admission(now: ContinuousClock.Instant) -> Admission {
        if let until = self.rateLimitedUntil {
            if until > now { return .reject(until: until) }
            self.rateLimitedUntil = nil
        }
        switch self.state {
        case .closed:
            return .allow
        case .open(let until):
            guard until <= now else { return .reject(until: until) }
            self.state = .halfOpen(probing: true)
            return .probe
        case .halfOpen(let probing):
            if probing { return .reject(until: nil) }
            self.state = .halfOpen(probing: true)
            return .probe
        }
    }

    /// Records a request's outcome (a probe's too).
    public mutating func record(success: Bool, now: ContinuousClock.Instant) {
        switch self.state {
        case .halfOpen:
            if success {
                self.state = .closed
                self.buckets = []
                self.openings = 0
            } else {
                self.open(now: now)
            }
            return
        case .open:
            return  // late outcomes of requests sent before it opened
        case .closed:
            break
        }
        self.trim(now: now)
        let width = self.configuration.window / Self.bucketCount
        if let last = self.buckets.last, now - last.start < width {
            if success { self.buckets[self.buckets.count - 1].successes += 1 } else { self.buckets[self.buckets.count - 1].failures += 1 }
        } else {
            self.buckets.append(Bucket(start: now, successes: success ? 1 : 0, failures: success ? 0 : 1))
        }
        let (successes, failures) = self.totals
        let total = successes + failures
        if !success && total >= self.configuration.minimumRequests && Double(failures) / Double(total) >= self.configuration.failureRate {
            self.open(now: now)
        }
    }

    /// The provider said it is rate limited until then: reject without counting a failure.
    public mutating func recordRateLimit(until: ContinuousClock.Instant) {
        self.rateLimitedUntil = max(self.rateLimitedUntil ?? until, until)
    }

    /// Successes and failures in the window.
    public var totals: (successes: Int, failures: Int) {
        self.buckets.reduce((0, 0)) { ($0.0 + $1.successes, $0.1 + $1.failures) }
    }

    private mutating func open(now: ContinuousClock.Instant) {
        let factor = 1 << min(self.openings, 4)
        self.openings += 1
        self.state = .open(until: now + min(self.configuration.openFor * factor, .seconds(300)))
        self.buckets = []
    }

    private mutating func trim(now: ContinuousClock.Instant) {
        let window = self.configuration.window
        self.buckets.removeAll { now - $0.start >= window }
    }
}
