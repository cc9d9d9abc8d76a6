import CCRCore
import Metrics
import Synchronization

import class Prometheus.PrometheusCollectorRegistry
import struct Prometheus.PrometheusMetricsFactory

/// The Prometheus metrics of one server: what ``UsageRecord``s add up to, plus gauges read at
/// scrape time. Served as text by `GET /metrics`.
///
/// Each instance owns its registry and hands its factory to the swift-metrics types explicitly,
/// so that several servers in one process (the tests) keep separate numbers; `MetricsSystem` is
/// never bootstrapped. The metric objects are made once per label set and kept, so ``record(_:)``
/// costs one lock, a few dictionary look-ups and atomic adds, and allocates nothing once its
/// series exist.
public final class CCRMetrics: Sendable {
    /// The metric names.
    public enum Name {
        public static let requests = "ccr_requests_total"
        public static let requestErrors = "ccr_request_errors_total"
        public static let tokens = "ccr_tokens_total"
        public static let cost = "ccr_cost_usd_total"
        public static let ttft = "ccr_ttft_seconds"
        public static let requestDuration = "ccr_request_duration_seconds"
        public static let attempts = "ccr_attempts_total"
        public static let fallbacks = "ccr_fallbacks_total"
        public static let usageRecordsDropped = "ccr_usage_records_dropped_total"
        public static let requestsReceived = "ccr_requests_received_total"
        public static let streamsInFlight = "ccr_streams_in_flight"
        public static let circuitState = "ccr_circuit_state"
        public static let circuitRateLimited = "ccr_circuit_rate_limited"
        public static let buildInfo = "ccr_build_info"
    }

    /// Upper bounds of the time-to-first-token buckets.
    public static let ttftBuckets: [Duration] = [
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(15), .seconds(30),
        .seconds(60),
    ]
    /// Upper bounds of the request-duration buckets (answers with long thinking run for minutes).
    public static let durationBuckets: [Duration] = [
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(20), .seconds(40), .seconds(60),
        .seconds(120), .seconds(300), .seconds(600),
    ]

    /// The labels `provider`, `model`, `scenario`.
    private struct RouteKey: Hashable {
        var target: RouteTarget
        var scenario: RouteScenario
    }

    /// The labels `provider`, `model`, `result`.
    private struct AttemptKey: Hashable {
        var target: RouteTarget
        var result: String
    }

    /// The metrics of one `provider`, `model`, `scenario`; the optional ones are made when first
    /// needed, so that a series only appears once it has something to say.
    private struct RouteSeries {
        let labels: [(String, String)]
        let inputTokens: Counter
        let outputTokens: Counter
        let cacheReadTokens: Counter
        let cacheWriteTokens: Counter
        let duration: Timer
        /// By outcome, in the order of ``UsageRecord/Outcome``'s cases.
        var outcomes: [Counter?] = [nil, nil, nil, nil]
        var errors: [Int: Counter] = [:]
        var cost: FloatingPointCounter?
        var ttft: Timer?

        init(_ key: RouteKey, factory: PrometheusMetricsFactory) {
            let labels = [("provider", key.target.provider), ("model", key.target.model), ("scenario", key.scenario.rawValue)]
            func tokens(_ type: String) -> Counter {
                Counter(label: Name.tokens, dimensions: labels + [("type", type)], factory: factory)
            }
            self.labels = labels
            self.inputTokens = tokens("input")
            self.outputTokens = tokens("output")
            self.cacheReadTokens = tokens("cache_read")
            self.cacheWriteTokens = tokens("cache_write")
            self.duration = Timer(label: Name.requestDuration, dimensions: labels, factory: factory)
        }

        mutating func outcome(_ outcome: UsageRecord.Outcome, factory: PrometheusMetricsFactory) -> Counter {
            let index: Int
            switch outcome {
            case .ok: index = 0
            case .error: index = 1
            case .failedMidStream: index = 2
            case .clientClosed: index = 3
            }
            if let counter = self.outcomes[index] { return counter }
            let counter = Counter(label: Name.requests, dimensions: self.labels + [("outcome", outcome.rawValue)], factory: factory)
            self.outcomes[index] = counter
            return counter
        }

        mutating func error(status: Int, factory: PrometheusMetricsFactory) -> Counter {
            if let counter = self.errors[status] { return counter }
            let counter = Counter(label: Name.requestErrors, dimensions: self.labels + [("status", String(status))], factory: factory)
            self.errors[status] = counter
            return counter
        }

        mutating func cost(factory: PrometheusMetricsFactory) -> FloatingPointCounter {
            if let cost = self.cost { return cost }
            let cost = FloatingPointCounter(label: Name.cost, dimensions: self.labels, factory: factory)
            self.cost = cost
            return cost
        }

        mutating func ttft(factory: PrometheusMetricsFactory) -> Timer {
            if let ttft = self.ttft { return ttft }
            let ttft = Timer(label: Name.ttft, dimensions: self.labels, factory: factory)
            self.ttft = ttft
            return ttft
        }

        /// Adds one request to this series.
        mutating func add(_ record: UsageRecord, factory: PrometheusMetricsFactory) {
            self.outcome(record.outcome, factory: factory).increment()
            if record.outcome != .ok { self.error(status: record.status, factory: factory).increment() }
            let usage = record.usage
            self.inputTokens.increment(by: max(0, usage.inputTokens))
            self.outputTokens.increment(by: max(0, usage.outputTokens))
            self.cacheReadTokens.increment(by: max(0, usage.cacheReadInputTokens))
            self.cacheWriteTokens.increment(by: max(0, usage.cacheCreationInputTokens))
            if let cost = record.costUSD, cost.isFinite, cost >= 0 { self.cost(factory: factory).increment(by: cost) }
            if let ttft = record.ttftMilliseconds { self.ttft(factory: factory).recordMilliseconds(max(0, ttft)) }
            self.duration.recordMilliseconds(max(0, record.durationMilliseconds))
        }
    }

    /// The two gauges of one circuit breaker.
    private struct CircuitGauges {
        let state: Gauge
        let rateLimited: Gauge

        func destroy() {
            self.state.destroy()
            self.rateLimited.destroy()
        }
    }

    private struct State {
        var routes: [RouteKey: RouteSeries] = [:]
        var attempts: [AttemptKey: Counter] = [:]
        var fallbacks: [RouteScenario: Counter] = [:]
        var circuits: [RouteTarget: CircuitGauges] = [:]
        /// The ``ServerState/served`` count the last scrape saw.
        var lastReceived = 0
    }

    private let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let state = Mutex(State())
    private let dropped: Counter
    private let received: Counter
    private let streams: Gauge

    /// A registry of its own, with ccr's histogram buckets.
    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [Name.ttft: Self.ttftBuckets, Name.requestDuration: Self.durationBuckets]
        self.registry = registry
        self.factory = factory
        self.dropped = Counter(label: Name.usageRecordsDropped, factory: factory)
        self.received = Counter(label: Name.requestsReceived, factory: factory)
        self.streams = Gauge(label: Name.streamsInFlight, factory: factory)
        Gauge(label: Name.buildInfo, dimensions: [("version", CCRVersion.string)], factory: factory).record(1)
    }

    /// Adds one finished request: its outcome, tokens, cost, timings, attempts and fallback.
    public func record(_ record: UsageRecord) {
        let factory = self.factory
        let key = RouteKey(target: record.target, scenario: record.scenario)
        // The updates are atomic adds (histograms take their own short lock); doing them under this
        // lock too keeps `record` free of allocations once its series exist.
        self.state.withLock { state in
            state.routes[key, default: RouteSeries(key, factory: factory)].add(record, factory: factory)
            for attempt in record.attempts where attempt.wasSent {
                let attemptKey = AttemptKey(target: attempt.target, result: attempt.failure?.rawValue ?? "answered")
                if let counter = state.attempts[attemptKey] {
                    counter.increment()
                } else {
                    let labels = [("provider", attempt.target.provider), ("model", attempt.target.model), ("result", attemptKey.result)]
                    let counter = Counter(label: Name.attempts, dimensions: labels, factory: factory)
                    state.attempts[attemptKey] = counter
                    counter.increment()
                }
            }
            if record.target != record.route {
                if let counter = state.fallbacks[record.scenario] {
                    counter.increment()
                } else {
                    let counter = Counter(label: Name.fallbacks, dimensions: [("scenario", record.scenario.rawValue)], factory: factory)
                    state.fallbacks[record.scenario] = counter
                    counter.increment()
                }
            }
        }
    }

    /// Counts a usage record that could not be stored (the store's queue was full).
    public func usageDropped() {
        self.dropped.increment()
    }

    /// The Prometheus text exposition (format 0.0.4), after setting the gauges read at scrape time.
    ///
    /// `ccr_circuit_state` is 0 closed, 1 half-open, 2 open; a target the provider rate-limits is
    /// reported as open (2), since it is skipped all the same, and has `ccr_circuit_rate_limited` 1.
    /// Breakers that are gone from `circuits` lose their series.
    /// - Parameters:
    ///   - circuits: The circuit breakers now (``ResilienceStore/circuits()``).
    ///   - streamsInFlight: The answers being relayed now (``ServerState/inFlight``).
    ///   - requestsReceived: The `/v1/messages` requests received since start (``ServerState/served``).
    /// - Returns: The exposition's UTF-8 bytes.
    public func render(circuits: [CircuitStatus], streamsInFlight: Int, requestsReceived: Int) -> [UInt8] {
        let factory = self.factory
        self.state.withLock { state in
            self.streams.record(streamsInFlight)
            if requestsReceived > state.lastReceived {
                self.received.increment(by: requestsReceived - state.lastReceived)
                state.lastReceived = requestsReceived
            }
            var current = Set<RouteTarget>()
            for circuit in circuits {
                current.insert(circuit.target)
                let gauges: CircuitGauges
                if let existing = state.circuits[circuit.target] {
                    gauges = existing
                } else {
                    let labels = [("provider", circuit.target.provider), ("model", circuit.target.model)]
                    gauges = CircuitGauges(
                        state: Gauge(label: Name.circuitState, dimensions: labels, factory: factory),
                        rateLimited: Gauge(label: Name.circuitRateLimited, dimensions: labels, factory: factory))
                    state.circuits[circuit.target] = gauges
                }
                gauges.state.record(circuit.rateLimited ? CircuitStatus.State.open.rawValue : circuit.state.rawValue)
                gauges.rateLimited.record(circuit.rateLimited ? 1 : 0)
            }
            for (target, gauges) in state.circuits where !current.contains(target) {
                gauges.destroy()
                state.circuits[target] = nil
            }
        }
        // Outside the lock: emitting takes time proportional to the series, and `record` must not wait for it.
        return self.registry.emitToBuffer()
    }
}

