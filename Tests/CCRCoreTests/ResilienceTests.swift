import CCRCore
import Testing

/// A seedable generator for repeatable tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Key pools")
struct KeyPoolTests {
    static let keys = [ProviderKey(key: "k-a"), ProviderKey(key: "k-b", weight: 3), ProviderKey(key: "k-c", maxFailures: 2, cooldownSeconds: 5)]

    @Test func roundRobinTakesTurns() {
        var pool = KeyPool(keys: Self.keys, strategy: .roundRobin)
        var random = SplitMix(state: 1)
        let now = ContinuousClock.now
        #expect((0..<6).map { _ in pool.choose(now: now, random: &random)! } == [0, 1, 2, 0, 1, 2])
    }

    @Test func aRateLimitedKeyRestsForItsCooldownOrTheRetryAfterAndComesBack() {
        var pool = KeyPool(keys: Self.keys, strategy: .roundRobin)
        var random = SplitMix(state: 1)
        let start = ContinuousClock.now
        pool.recordFailure(0, kind: .rateLimited, retryAfter: .seconds(90), now: start)
        #expect(pool.choose(now: start, random: &random) == 1)
        #expect(pool.choose(now: start, random: &random) == 2)
        #expect(pool.choose(now: start, random: &random) == 1)  // 0 still rests
        #expect(pool.statuses(now: start)[0].state == "resting")
        #expect(pool.statuses(now: start)[0].restingForSeconds == 91)
        #expect(pool.choose(now: start + .seconds(91), excluding: [1, 2], random: &random) == 0)
    }

    @Test func repeatedAuthFailuresDisableAKeyAndASuccessResetsTheCount() {
        var pool = KeyPool(keys: Self.keys, strategy: .roundRobin)
        let now = ContinuousClock.now
        pool.recordFailure(2, kind: .authentication, retryAfter: nil, now: now)
        pool.recordSuccess(2)
        pool.recordFailure(2, kind: .authentication, retryAfter: nil, now: now)
        #expect(pool.statuses(now: now)[2].state == "resting")
        pool.recordFailure(2, kind: .authentication, retryAfter: nil, now: now + .seconds(6))
        #expect(pool.statuses(now: now + .seconds(6))[2].state == "disabled")
        var random = SplitMix(state: 3)
        for _ in 0..<20 { #expect(pool.choose(now: now + .seconds(3600), random: &random) != 2) }
    }

    @Test func networkFailuresAreNotTheKeysFault() {
        var pool = KeyPool(keys: [ProviderKey(key: "only")], strategy: .roundRobin)
        var random = SplitMix(state: 1)
        let now = ContinuousClock.now
        pool.recordFailure(0, kind: .network, retryAfter: nil, now: now)
        #expect(pool.choose(now: now, random: &random) == 0)
    }

    @Test func weightedFollowsTheWeightsAndLeastUsedPicksTheOldest() {
        var weighted = KeyPool(keys: Self.keys, strategy: .weighted)
        var random = SplitMix(state: 42)
        var counts = [0, 0, 0]
        for _ in 0..<5_000 { counts[weighted.choose(now: .now, random: &random)!] += 1 }
        #expect(abs(Double(counts[1]) / 5_000 - 0.6) < 0.03)
        var least = KeyPool(keys: Self.keys, strategy: .leastUsed)
        let now = ContinuousClock.now
        #expect(least.choose(now: now, random: &random) == 0)
        #expect(least.choose(now: now + .seconds(1), random: &random) == 1)
        #expect(least.choose(now: now + .seconds(2), random: &random) == 2)
        #expect(least.choose(now: now + .seconds(3), random: &random) == 0)
    }

    @Test func fingerprintsNeverShowTheKey() {
        let key = ProviderKey(key: "sk-secret-123456789")
        #expect(!key.fingerprint.contains("secret"))
        #expect(key.fingerprint == ProviderKey(key: "sk-secret-123456789").fingerprint)
        #expect(key.fingerprint != ProviderKey(key: "sk-secret-123456780").fingerprint)
    }
}

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    static let configuration = CircuitBreaker.Configuration(window: .seconds(60), minimumRequests: 4, failureRate: 0.5, openFor: .seconds(30))

    @Test func opensOnTheWindowsFailureRateThenProbesAndCloses() {
        var breaker = CircuitBreaker(configuration: Self.configuration)
        let t0 = ContinuousClock.now
        breaker.record(success: true, now: t0)
        breaker.record(success: true, now: t0)
        breaker.record(success: false, now: t0)
        #expect(breaker.admission(now: t0) == .allow)
        breaker.record(success: false, now: t0)  // 2 of 4 failed
        #expect(breaker.admission(now: t0 + .seconds(1)) == .reject(until: t0 + .seconds(30)))
        #expect(breaker.admission(now: t0 + .seconds(30)) == .probe)
        #expect(breaker.admission(now: t0 + .seconds(30)) == .reject(until: nil))  // one probe at a time
        breaker.record(success: true, now: t0 + .seconds(31))
        #expect(breaker.state == .closed)
        #expect(breaker.admission(now: t0 + .seconds(31)) == .allow)
    }

    @Test func oldFailuresDecayOutOfTheWindow() {
        var breaker = CircuitBreaker(configuration: Self.configuration)
        let t0 = ContinuousClock.now
        for _ in 0..<3 { breaker.record(success: false, now: t0) }
        breaker.record(success: true, now: t0 + .seconds(61))
        breaker.record(success: true, now: t0 + .seconds(61))
        breaker.record(success: false, now: t0 + .seconds(62))
        breaker.record(success: true, now: t0 + .seconds(62))
        #expect(breaker.state == .closed)  // 1 of 4 in the window, not 4 of 7 in a lifetime
        #expect(breaker.totals == (3, 1))
    }

    @Test func aFailedProbeReopensForLonger() {
        var breaker = CircuitBreaker(configuration: Self.configuration)
        let t0 = ContinuousClock.now
        for _ in 0..<4 { breaker.record(success: false, now: t0) }
        #expect(breaker.admission(now: t0 + .seconds(30)) == .probe)
        breaker.record(success: false, now: t0 + .seconds(30))
        #expect(breaker.state == .open(until: t0 + .seconds(90)))
    }

    @Test func aRateLimitRejectsWithoutCountingAFailure() {
        var breaker = CircuitBreaker(configuration: Self.configuration)
        let t0 = ContinuousClock.now
        breaker.recordRateLimit(until: t0 + .seconds(20))
        #expect(breaker.admission(now: t0 + .seconds(5)) == .reject(until: t0 + .seconds(20)))
        #expect(breaker.admission(now: t0 + .seconds(20)) == .allow)
        #expect(breaker.totals == (0, 0))
    }
}

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test func backoffGrowsWithJitterAndIsCapped() {
        let policy = RetryPolicy(attemptsPerTarget: 5, baseDelay: .milliseconds(200), maxDelay: .seconds(1), maxRetryAfter: .seconds(10))
        var random = SplitMix(state: 9)
        for _ in 0..<50 {
            let first = policy.delay(retry: 1, retryAfter: nil, random: &random)!
            #expect(first >= .milliseconds(100) && first <= .milliseconds(200))
            let third = policy.delay(retry: 3, retryAfter: nil, random: &random)!
            #expect(third >= .milliseconds(400) && third <= .milliseconds(800))
            let tenth = policy.delay(retry: 10, retryAfter: nil, random: &random)!
            #expect(tenth <= .seconds(1))
        }
        #expect(policy.delay(retry: 1, retryAfter: .seconds(3), random: &random) == .seconds(3))
        #expect(policy.delay(retry: 1, retryAfter: .seconds(30), random: &random) == nil)
    }

    @Test(arguments: [
        (["retry-after": "5"], Duration.seconds(5)), (["retry-after-ms": "1500"], .milliseconds(1500)),
        (["x-ratelimit-reset-requests": "6m0s", "x-ratelimit-reset-tokens": "1.5s"], .seconds(360)),
        (["x-ratelimit-reset-tokens": "250ms"], .milliseconds(250)), (["retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"], nil),
        ([String: String](), nil),
    ])
    func retryAfterIsReadFromTheProvidersHeaders(headers: [String: String], expected: Duration?) {
        #expect(RetryPolicy.retryAfter { headers[$0] } == expected)
    }

    @Test(arguments: [(429, FailureKind.rateLimited), (401, .authentication), (403, .authentication), (404, .notFound), (400, .client), (413, .client), (500, .server), (502, .server), (503, .server), (529, .server), (408, .timeout)])
    func statusesAreClassified(status: Int, kind: FailureKind) {
        #expect(FailureKind.of(status: status) == kind)
        #expect(FailureKind.of(status: 200) == nil)
    }
}

@Suite("Resilience config")
struct ResilienceConfigTests {
    @Test func keysFallbacksAndSettingsAreRead() throws {
        let text = #"""
            {"Providers": [{"name": "p", "api_base_url": "https://p.example/v1/chat/completions", "models": ["a", "b"],
                            "api_keys": ["k1", {"key": "k2", "weight": 3, "maxFailures": 2, "cooldownTime": 120000}], "rotation_strategy": "weighted"}],
             "Router": {"default": "p,a", "families": {"opus": {"fallback": {"think": ["p,b"]}}}},
             "fallback": {"default": ["p,b"], "think": ["p,a", "p,b"]},
             "Resilience": {"retries": 2, "retryBaseMs": 100, "breaker": {"failureRate": 0.25, "openSeconds": 10}, "promotionSeconds": 60}}
            """#
        let (config, warnings) = try ConfigLoader(environment: [:]).load(text: Array(text.utf8))
        #expect(warnings.isEmpty)
        let provider = try #require(config.providers.first)
        #expect(provider.keys == [ProviderKey(key: "k1"), ProviderKey(key: "k2", weight: 3, maxFailures: 2, cooldownSeconds: 120)])
        #expect(provider.apiKey == "k1")
        #expect(provider.rotation == .weighted)
        #expect(config.secrets.contains("k2"))
        #expect(config.fallback.targets(for: .think).map(\.description) == ["p,a", "p,b"])
        #expect(config.fallback.targets(for: .background).map(\.description) == ["p,b"])
        #expect(config.router.families[.opus]?.fallback.targets(for: .think).map(\.description) == ["p,b"])
        #expect(config.resilience.retry.attemptsPerTarget == 3)
        #expect(config.resilience.retry.baseDelay == .milliseconds(100))
        #expect(config.resilience.breaker.failureRate == 0.25)
        #expect(config.resilience.breaker.openFor == .seconds(10))
        #expect(config.resilience.promotion == .seconds(60))
    }

    @Test func mistakesArePointedAt() throws {
        let text = #"""
            {"Providers": [{"name": "p", "api_base_url": "https://p.example/v1/chat/completions", "models": ["a"], "api_key": "k",
                            "api_keys": [{"weight": 1}], "rotation_strategy": "fastest"}],
             "Router": {"default": "p,a"}, "fallback": {"thinking": ["p,a"], "default": ["p,zz"]}, "Resilience": {"retries": -1}}
            """#
        #expect {
            try ConfigLoader(environment: [:]).load(text: Array(text.utf8))
        } throws: { error in
            let paths = (error as! ConfigError).diagnostics.filter { $0.severity == .error }.map(\.path)
            return Set(paths) == ["Providers[0].api_keys[0]", "Providers[0].rotation_strategy", "fallback.thinking", "fallback.default[0]", "Resilience.retries"]
        }
    }
}
