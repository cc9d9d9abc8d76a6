import CCRCore
import Synchronization

/// ``ResilienceStore`` in this process's memory.
public final class InMemoryResilienceStore: ResilienceStore {
    private struct PoolKey: Hashable {
        var provider: String
        var keys: [String]
    }

    private struct Promotion {
        var target: RouteTarget
        var until: ContinuousClock.Instant
    }

    private struct State {
        var pools: [PoolKey: KeyPool] = [:]
        var breakers: [RouteTarget: CircuitBreaker] = [:]
        var promotions: [String: Promotion] = [:]
        var random = SystemRandomNumberGenerator()
    }

    private let state = Mutex(State())
    private let breakerConfiguration: CircuitBreaker.Configuration

    public init(breaker: CircuitBreaker.Configuration = .init()) {
        self.breakerConfiguration = breaker
    }

    private static func poolKey(_ provider: ProviderConfiguration) -> PoolKey {
        PoolKey(provider: provider.name, keys: provider.keys.map(\.key))
    }

    public func chooseKey(provider: ProviderConfiguration, excluding: Set<Int>) -> (index: Int, key: ProviderKey)? {
        guard !provider.keys.isEmpty else { return nil }
        let id = Self.poolKey(provider)
        return self.state.withLock { state in
            var pool = state.pools[id] ?? KeyPool(keys: provider.keys, strategy: provider.rotation)
            defer { state.pools[id] = pool }
            return pool.choose(now: .now, excluding: excluding, random: &state.random).map { ($0, pool.key(at: $0)) }
        }
    }

    public func lastResortKey(provider: ProviderConfiguration) -> (index: Int, key: ProviderKey)? {
        guard !provider.keys.isEmpty else { return nil }
        let id = Self.poolKey(provider)
        return self.state.withLock { state in
            let pool = state.pools[id] ?? KeyPool(keys: provider.keys, strategy: provider.rotation)
            return pool.soonestBack().map { ($0, pool.key(at: $0)) }
        }
    }

    public func recordKey(provider: ProviderConfiguration, index: Int, failure: FailureKind?, retryAfter: Duration?) {
        guard !provider.keys.isEmpty else { return }
        let id = Self.poolKey(provider)
        self.state.withLock { state in
            var pool = state.pools[id] ?? KeyPool(keys: provider.keys, strategy: provider.rotation)
            if let failure { pool.recordFailure(index, kind: failure, retryAfter: retryAfter, now: .now) } else { pool.recordSuccess(index) }
            state.pools[id] = pool
        }
    }

    public func admission(target: RouteTarget) -> CircuitBreaker.Admission {
        self.state.withLock { state in
            guard var breaker = state.breakers[target] else { return .allow }
            defer { state.breakers[target] = breaker }
            return breaker.admission(now: .now)
        }
    }

    public func record(target: RouteTarget, success: Bool) {
        self.state.withLock { state in
            var breaker = state.breakers[target] ?? CircuitBreaker(configuration: self.breakerConfiguration)
            breaker.record(success: success, now: .now)
            state.breakers[target] = breaker
        }
    }

    public func recordRateLimit(target: RouteTarget, for duration: Duration) {
        self.state.withLock { state in
            var breaker = state.breakers[target] ?? CircuitBreaker(configuration: self.breakerConfiguration)
            breaker.recordRateLimit(until: .now + duration)
            state.breakers[target] = breaker
        }
    }

    private static func promotionKey(_ primary: RouteTarget, _ scenario: RouteScenario) -> String {
        "\(primary):\(scenario.rawValue)"
    }

    public func promotion(primary: RouteTarget, scenario: RouteScenario) -> RouteTarget? {
        self.state.withLock { state in
            let key = Self.promotionKey(primary, scenario)
            guard let promotion = state.promotions[key] else { return nil }
            if promotion.until <= .now {
                state.promotions[key] = nil
                return nil
            }
            return promotion.target
        }
    }

    public func promote(_ fallback: RouteTarget, primary: RouteTarget, scenario: RouteScenario, for duration: Duration) {
        guard duration > .zero else { return }
        self.state.withLock { $0.promotions[Self.promotionKey(primary, scenario)] = Promotion(target: fallback, until: .now + duration) }
    }

    public func clearPromotion(primary: RouteTarget, scenario: RouteScenario) {
        _ = self.state.withLock { $0.promotions.removeValue(forKey: Self.promotionKey(primary, scenario)) }
    }

    public func clearPromotions(primary: RouteTarget) {
        let prefix = "\(primary):"
        self.state.withLock { state in state.promotions = state.promotions.filter { !$0.key.hasPrefix(prefix) } }
    }

    public func circuits() -> [CircuitStatus] {
        self.state.withLock { state in
            let now = ContinuousClock.now
            return state.breakers.map { target, breaker in
                let current: CircuitStatus.State
                switch breaker.state {
                case .closed: current = .closed
                case .open(let until): current = until > now ? .open : .halfOpen
                case .halfOpen: current = .halfOpen
                }
                let rateLimited = breaker.rateLimitedUntil.map { $0 > now } ?? false
                return CircuitStatus(target: target, state: current, rateLimited: rateLimited)
            }
        }
    }

    public func report() -> JSONValue {
        self.state.withLock { state in
            let now = ContinuousClock.now
            var keys: [JSONValue] = []
            for (id, pool) in state.pools.sorted(by: { $0.key.provider < $1.key.provider }) {
                for status in pool.statuses(now: now) {
                    var entry: JSONObject = [
                        "provider": .string(id.provider), "key": .string(status.fingerprint), "state": .string(status.state),
                        "uses": .int(status.uses), "failures": .int(status.failures),
                    ]
                    if let resting = status.restingForSeconds { entry["restingForSeconds"] = .int(resting) }
                    if let failure = status.lastFailure { entry["lastFailure"] = .string(failure.rawValue) }
                    keys.append(.object(entry))
                }
            }
            var breakers: [JSONValue] = []
            for (target, breaker) in state.breakers.sorted(by: { $0.key.description < $1.key.description }) {
                let (successes, failures) = breaker.totals
                var entry: JSONObject = ["target": .string(target.description), "successes": .int(successes), "failures": .int(failures)]
                switch breaker.state {
                case .closed: entry["state"] = "closed"
                case .open(let until):
                    entry["state"] = "open"
                    entry["openForSeconds"] = .int(max(0, Int((until - now).components.seconds)))
                case .halfOpen: entry["state"] = "half-open"
                }
                if let limited = breaker.rateLimitedUntil, limited > now { entry["rateLimitedForSeconds"] = .int(Int((limited - now).components.seconds) + 1) }
                breakers.append(.object(entry))
            }
            var promotions: [JSONValue] = []
            for (key, promotion) in state.promotions where promotion.until > now {
                promotions.append(["for": .string(key), "target": .string(promotion.target.description), "forSeconds": .int(Int((promotion.until - now).components.seconds))])
            }
            return ["keys": .array(keys), "breakers": .array(breakers), "promotions": .array(promotions)]
        }
    }
}
