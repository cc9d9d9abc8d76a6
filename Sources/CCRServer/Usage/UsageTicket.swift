import CCRCore
import Synchronization

/// One request's ``UsageRecord`` in the making: opened when the request is routed, filled in as the
/// answer passes (first content, usage, the model the provider named), closed once when the last
/// byte is sent, the request fails, or Claude Code goes away. Closing hands the record to the
/// sink (metrics and the usage queue).
///
/// If nothing closes it (a response body that was never written), it closes itself as
/// `client_closed` when released, so no request goes unrecorded.
public final class UsageTicket: Sendable {
    private struct State {
        var record: UsageRecord
        var firstContent: ContinuousClock.Instant?
        /// The last failed attempt's message.
        var lastError: String?
        var closed = false
    }

    private let state: Mutex<State>
    private let started: ContinuousClock.Instant
    private let prices: PriceTable
    private let sink: @Sendable (UsageRecord) -> Void

    /// - Parameters:
    ///   - record: what is known when the request is routed (its target is the route).
    ///   - started: when the request reached ccr.
    ///   - prices: the price table in force for this request.
    ///   - sink: receives the finished record, once.
    public init(record: UsageRecord, started: ContinuousClock.Instant, prices: PriceTable, sink: @escaping @Sendable (UsageRecord) -> Void) {
        self.state = Mutex(State(record: record))
        self.started = started
        self.prices = prices
        self.sink = sink
    }

    deinit {
        let record = self.state.withLock { state -> UsageRecord? in
            guard !state.closed else { return nil }
            state.closed = true
            return self.finished(&state, status: state.record.status, outcome: .clientClosed, error: "the answer was never sent")
        }
        if let record { self.sink(record) }
    }

    /// The first content delta went to Claude Code now (the first call counts).
    public func noteFirstContent() {
        let now = ContinuousClock.now
        self.state.withLock { state in
            if state.firstContent == nil { state.firstContent = now }
        }
    }

    /// The usage and model the answer carried.
    public func noteAnswer(usage: AnthropicUsage?, model: String?) {
        self.state.withLock { state in
            if let usage { state.record.usage = usage }
            if let model, !model.isEmpty { state.record.upstreamModel = model }
        }
    }

    /// An attempt failed with this message (the last one is the request's error, if it fails).
    public func noteError(_ message: String) {
        self.state.withLock { $0.lastError = message }
    }

    /// The attempts made: the last one that reached a provider is the target that answered.
    public func noteAttempts(_ attempts: [AttemptRecord]) {
        self.state.withLock { state in
            state.record.attempts = attempts
            if let last = attempts.last(where: \.wasSent) {
                state.record.target = last.target
                state.record.keyID = last.key
            }
        }
    }

    /// Closes the ticket (later calls do nothing).
    /// - Parameters:
    ///   - status: the HTTP status Claude Code got.
    ///   - outcome: how the request ended.
    ///   - error: what went wrong, for failures.
    public func close(status: Int, outcome: UsageRecord.Outcome, error: String? = nil) {
        let record = self.state.withLock { state -> UsageRecord? in
            guard !state.closed else { return nil }
            state.closed = true
            return self.finished(&state, status: status, outcome: outcome, error: error)
        }
        if let record { self.sink(record) }
    }

    private func finished(_ state: inout State, status: Int, outcome: UsageRecord.Outcome, error: String?) -> UsageRecord {
        let now = ContinuousClock.now
        var record = state.record
        record.status = status
        record.outcome = outcome
        record.errorMessage = (error ?? (outcome == .ok ? nil : state.lastError)).map { String($0.prefix(1_000)) }
        record.durationMilliseconds = Int((now - self.started).milliseconds)
        if record.stream, let first = state.firstContent {
            record.ttftMilliseconds = Int((first - self.started).milliseconds)
        }
        if record.upstreamModel == record.target.model { record.upstreamModel = nil }
        let usage = record.usage
        if usage.inputTokens + usage.outputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens > 0 {
            record.costUSD = self.prices.cost(of: usage, target: record.target, upstreamModel: record.upstreamModel)
        } else {
            record.costUSD = 0
        }
        return record
    }
}
