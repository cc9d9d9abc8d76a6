/// `Resilience`: retries, the circuit breaker, and how long a working fallback stays promoted.
///
/// ```json
/// "Resilience": { "retries": 1, "retryBaseMs": 250, "retryMaxMs": 4000, "maxRetryAfterMs": 10000,
///                 "breaker": { "windowSeconds": 60, "minimumRequests": 5, "failureRate": 0.5, "openSeconds": 30 },
///                 "promotionSeconds": 600 }
/// ```
public struct ResilienceConfiguration: Sendable, Equatable {
    public var retry = RetryPolicy()
    public var breaker = CircuitBreaker.Configuration()
    /// How long a fallback that worked is used first for its primary's requests.
    public var promotion: Duration = .seconds(600)

    public init() {}
}
