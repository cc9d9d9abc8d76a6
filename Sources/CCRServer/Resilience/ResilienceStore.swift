import CCRCore

/// The runtime state the resilience layer shares between requests: key pools, circuit breakers,
/// promoted fallbacks. Behind a protocol so that several ccr replicas could share it (DESIGN §4);
/// ``InMemoryResilienceStore`` is the single-process implementation.
public protocol ResilienceStore: Sendable {
    /// A usable key of the provider, skipping keys this request already tried; `nil` when none is
    /// usable (all resting, disabled or tried) or the provider has no key.
    func chooseKey(provider: ProviderConfiguration, excluding: Set<Int>) -> (index: Int, key: ProviderKey)?
    /// The key that is back soonest, as a last resort when every key rests.
    func lastResortKey(provider: ProviderConfiguration) -> (index: Int, key: ProviderKey)?
    func recordKey(provider: ProviderConfiguration, index: Int, failure: FailureKind?, retryAfter: Duration?)
    /// Whether a target may be tried now.
    func admission(target: RouteTarget) -> CircuitBreaker.Admission
    func record(target: RouteTarget, success: Bool)
    func recordRateLimit(target: RouteTarget, for duration: Duration)
    /// A fallback that worked recently for this primary and scenario.
    func promotion(primary: RouteTarget, scenario: RouteScenario) -> RouteTarget?
    func promote(_ fallback: RouteTarget, primary: RouteTarget, scenario: RouteScenario, for duration: Duration)
    func clearPromotion(primary: RouteTarget, scenario: RouteScenario)
    /// Drops every promotion away from this primary (it recovered).
    func clearPromotions(primary: RouteTarget)
    /// What `ccr status` shows.
    func report() -> JSONValue
    /// Every circuit breaker and its state now, for `/metrics`.
    func circuits() -> [CircuitStatus]
}

/// One circuit breaker as `/metrics` shows it.
public struct CircuitStatus: Sendable, Equatable {
    /// Where the breaker stands, as a caller would see it now.
    public enum State: Int, Sendable, Equatable {
        /// Requests go through.
        case closed = 0
        /// The cool-off is over (or a probe is out): the next request is a probe.
        case halfOpen = 1
        /// Requests are skipped until the cool-off ends.
        case open = 2
    }

    public var target: RouteTarget
    public var state: State
    /// The provider said it is rate limited: requests are skipped without the breaker being open.
    public var rateLimited: Bool

    public init(target: RouteTarget, state: State, rateLimited: Bool) {
        self.target = target
        self.state = state
        self.rateLimited = rateLimited
    }
}
