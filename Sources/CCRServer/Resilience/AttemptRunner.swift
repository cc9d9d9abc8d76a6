import CCRCore
import HTTPTypes
import Hummingbird
import Logging

/// Runs a routed request against its target and, when that fails before anything reached Claude
/// Code, against other keys, retries and the fallback chain (SPEC §S6):
///
/// - the plan is the routed target, then `Router.families.<tier>.fallback[scenario]`, then
///   `fallback[scenario]` (each scenario's list, else `default`'s), a promoted fallback first;
/// - targets whose circuit is open (or that the provider rate-limited) are skipped, unless nothing
///   else is left; a half-open breaker lets one request through as its probe;
/// - a 429 or an auth failure moves to another key of the same provider at once; 5xx, 529,
///   timeouts, refused connections and bad first events are retried on the same target with
///   jittered backoff honouring `Retry-After` (capped), then the next target; other 4xx answers
///   go back to Claude Code as they are;
/// - a fallback that answered is promoted for `Resilience.promotionSeconds`.
///
/// Every attempt is recorded and logged.
struct AttemptRunner {
    /// Sends the request to one target with one key; returns ccr's answer (an error answer has a
    /// status ≥ 400), or throws an ``AnthropicError`` for a transport failure.
    typealias Forward = @Sendable (_ target: RouteTarget, _ provider: ProviderConfiguration, _ decision: RouteDecision) async throws -> Response

    /// A failure with the attempts that led to it (``run(_:forward:)`` throws it).
    struct Failure: Error {
        var error: AnthropicError
        var attempts: [AttemptRecord]
    }

    let store: any ResilienceStore
    let configuration: CCRConfiguration
    let table: RouterTable
    let logger: Logger

    /// The targets to try, in order.
    func plan(for decision: RouteDecision) -> [RouteTarget] {
        var targets = [decision.target]
        if let family = decision.family, let routes = self.table.families[family] {
            targets += routes.fallback.targets(for: decision.scenario)
        }
        targets += self.configuration.fallback.targets(for: decision.scenario)
        var seen: Set<RouteTarget> = []
        targets = targets.filter { seen.insert($0).inserted }
        if let promoted = self.store.promotion(primary: decision.target, scenario: decision.scenario), let index = targets.firstIndex(of: promoted), index > 0 {
            targets.remove(at: index)
            targets.insert(promoted, at: 0)
        }
        return targets
    }

    /// Sends a minimal real request to a target whose circuit is half-open; `true` when it answered.
    typealias Probe = @Sendable (_ target: RouteTarget, _ provider: ProviderConfiguration) async -> Bool

    /// Sends the probe in the background; its outcome closes or reopens the circuit.
    private func launch(_ probe: @escaping Probe, target: RouteTarget, provider: ProviderConfiguration) {
        let store = self.store
        let keyed = self.keyed(provider)
        Task {
            let healthy = await probe(target, keyed)
            store.record(target: target, success: healthy)
            if healthy { store.clearPromotions(primary: target) }
        }
    }

    /// The provider with a usable key in place (for probes).
    private func keyed(_ provider: ProviderConfiguration) -> ProviderConfiguration {
        var keyed = provider
        if let chosen = self.store.chooseKey(provider: provider, excluding: []) ?? self.store.lastResortKey(provider: provider) {
            keyed.apiKey = chosen.key.key
        }
        return keyed
    }

    func run(_ decision: RouteDecision, probe: Probe? = nil, forward: Forward) async throws -> (Response, [AttemptRecord]) {
        let runStarted = ContinuousClock.now
        var plan = self.plan(for: decision)
        let policy = self.configuration.resilience.retry
        var records: [AttemptRecord] = []
        if plan.first != decision.target, let provider = self.configuration.provider(named: decision.target.provider) {
            // A promoted fallback goes first only while the primary's circuit is not closed; when
            // its cool-off is over, a probe decides whether the primary is back.
            switch self.store.admission(target: decision.target) {
            case .allow:
                self.store.clearPromotions(primary: decision.target)
                plan = self.plan(for: decision)
            case .probe:
                if let probe { self.launch(probe, target: decision.target, provider: provider) }
                records.append(self.stamped(runStarted, AttemptRecord(target: decision.target, key: nil, status: nil, failure: nil, milliseconds: 0, note: "skipped: circuit half-open, probe sent")))
            case .reject:
                break
            }
        }
        var lastAnswer: Response?
        var lastError: AnthropicError?
        var random = SystemRandomNumberGenerator()

        for (position, target) in plan.enumerated() {
            guard let provider = self.configuration.provider(named: target.provider) else { continue }
            let nothingLeft = position == plan.count - 1 && lastAnswer == nil && lastError == nil
            switch self.store.admission(target: target) {
            case .allow:
                break
            case .reject(let until):
                if nothingLeft { break }
                let wait = until.map { " for \(max(0, ($0 - .now).components.seconds + 1)) s" } ?? ""
                records.append(self.stamped(runStarted, AttemptRecord(target: target, key: nil, status: nil, failure: nil, milliseconds: 0, note: "skipped: circuit open or rate limited\(wait)")))
                continue
            case .probe:
                // Cool-off over: a minimal real request decides whether the circuit closes; this
                // request does not wait for it unless nothing else is left.
                if let probe {
                    self.launch(probe, target: target, provider: provider)
                    if nothingLeft { break }
                    records.append(self.stamped(runStarted, AttemptRecord(target: target, key: nil, status: nil, failure: nil, milliseconds: 0, note: "skipped: circuit half-open, probe sent")))
                    continue
                }
            }
            var triedKeys: Set<Int> = []
            var attempt = 0
            while attempt < policy.attemptsPerTarget {
                attempt += 1
                let chosen = self.store.chooseKey(provider: provider, excluding: triedKeys) ?? (triedKeys.isEmpty ? self.store.lastResortKey(provider: provider) : nil)
                if !provider.keys.isEmpty && chosen == nil { break }  // every key tried or disabled
                var keyed = provider
                if let chosen {
                    keyed.apiKey = chosen.key.key
                    triedKeys.insert(chosen.index)
                }
                var attemptDecision = decision
                attemptDecision.target = target
                let started = ContinuousClock.now
                var status: Int?
                var failure: FailureKind?
                var retryAfter: Duration?
                var note: String
                do {
                    let answer = try await forward(target, keyed, attemptDecision)
                    let code = Int(answer.status.code)
                    if code < 400 {
                        records.append(self.stamped(runStarted, AttemptRecord(target: target, key: chosen?.key.fingerprint, status: code, failure: nil, milliseconds: Self.milliseconds(since: started), note: "answered")))
                        if let chosen { self.store.recordKey(provider: provider, index: chosen.index, failure: nil, retryAfter: nil) }
                        self.store.record(target: target, success: true)
                        if position > 0 {
                            self.store.promote(target, primary: decision.target, scenario: decision.scenario, for: self.configuration.resilience.promotion)
                        } else {
                            self.store.clearPromotion(primary: decision.target, scenario: decision.scenario)
                        }
                        self.log(records, decision: decision)
                        return (answer, records)
                    }
                    status = code
                    failure = FailureKind.of(status: code)
                    retryAfter = RetryPolicy.retryAfter { answer.headers[HTTPField.Name($0)!] }
                    note = "\(code)"
                    lastAnswer = answer
                    lastError = nil
                } catch let error as AnthropicError {
                    failure = error.status == 504 ? .timeout : (FailureKind.of(status: error.status) == .client ? .client : .network)
                    note = error.message
                    lastError = error
                    lastAnswer = nil
                }
                let kind = failure ?? .server
                records.append(self.stamped(runStarted, AttemptRecord(target: target, key: chosen?.key.fingerprint, status: status, failure: kind, milliseconds: Self.milliseconds(since: started), note: note)))
                if let chosen { self.store.recordKey(provider: provider, index: chosen.index, failure: kind, retryAfter: retryAfter) }
                guard kind.isRetryable else {
                    self.log(records, decision: decision)
                    return (try self.answer(lastAnswer, lastError, records), records)
                }
                if kind == .rateLimited || kind == .authentication {
                    // The key's problem: another key is not a retry; with none left, the next target.
                    if kind == .rateLimited && provider.keys.count <= 1 {
                        self.store.recordRateLimit(target: target, for: retryAfter ?? .seconds(5))
                    }
                    attempt = provider.keys.count > triedKeys.count ? attempt - 1 : policy.attemptsPerTarget
                    continue
                }
                self.store.record(target: target, success: false)
                guard kind.retriesSameTarget, attempt < policy.attemptsPerTarget else { break }
                guard let wait = policy.delay(retry: attempt, retryAfter: retryAfter, random: &random) else { break }
                triedKeys = []
                try await Task.sleep(for: wait)
            }
        }
        self.log(records, decision: decision)
        return (try self.answer(lastAnswer, lastError, records), records)
    }

    /// The last failure as Claude Code's answer.
    private func answer(_ answer: Response?, _ error: AnthropicError?, _ records: [AttemptRecord]) throws(Failure) -> Response {
        if let answer { return answer }
        if let error { throw Failure(error: error, attempts: records) }
        throw Failure(
            error: AnthropicError(status: 503, kind: .overloaded, message: "ccr: every route for this request is unavailable right now (circuits open or keys resting); see ccr status"),
            attempts: records)
    }

    private func log(_ records: [AttemptRecord], decision: RouteDecision) {
        guard records.count > 1 || records.first?.failure != nil else { return }
        self.logger.warning(
            "attempts",
            metadata: [
                "route": "\(decision.target)", "scenario": "\(decision.scenario.rawValue)",
                "attempts": "\(String(decoding: JSONValue.array(records.map(\.json)).encoded(), as: UTF8.self))",
            ])
    }

    /// The record with its start offset (its duration is already measured).
    private func stamped(_ runStarted: ContinuousClock.Instant, _ record: AttemptRecord) -> AttemptRecord {
        var record = record
        record.startedAfterMilliseconds = max(0, Self.milliseconds(since: runStarted) - record.milliseconds)
        return record
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        Int((ContinuousClock.now - start).milliseconds)
    }
}
