/// Builds a ``UsageSummary`` from records fed one at a time (the store feeds it rows as SQLite
/// returns them): sums, error counts, nearest-rank percentiles, per requested dimension.
public struct UsageAggregator: Sendable {
    /// The parts of a record a summary needs.
    public struct Sample: Sendable {
        public var provider: String
        public var model: String
        public var scenario: String
        public var startedAtMilliseconds: Int64
        public var session: String?
        public var project: String?
        public var ok: Bool
        public var inputTokens: Int
        public var outputTokens: Int
        public var cacheReadTokens: Int
        public var cacheWriteTokens: Int
        public var costUSD: Double?
        public var ttftMilliseconds: Int?
        public var durationMilliseconds: Int
        public var tokensPerSecond: Double?

        public init(
            provider: String, model: String, scenario: String, startedAtMilliseconds: Int64, session: String?, project: String?, ok: Bool,
            inputTokens: Int, outputTokens: Int, cacheReadTokens: Int, cacheWriteTokens: Int, costUSD: Double?, ttftMilliseconds: Int?,
            durationMilliseconds: Int, tokensPerSecond: Double?
        ) {
            self.provider = provider
            self.model = model
            self.scenario = scenario
            self.startedAtMilliseconds = startedAtMilliseconds
            self.session = session
            self.project = project
            self.ok = ok
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.cacheReadTokens = cacheReadTokens
            self.cacheWriteTokens = cacheWriteTokens
            self.costUSD = costUSD
            self.ttftMilliseconds = ttftMilliseconds
            self.durationMilliseconds = durationMilliseconds
            self.tokensPerSecond = tokensPerSecond
        }

        public init(_ record: UsageRecord) {
            self.init(
                provider: record.target.provider, model: record.target.model, scenario: record.scenario.rawValue,
                startedAtMilliseconds: record.startedAtMilliseconds, session: record.session, project: record.project, ok: record.outcome == .ok,
                inputTokens: record.usage.inputTokens, outputTokens: record.usage.outputTokens, cacheReadTokens: record.usage.cacheReadInputTokens,
                cacheWriteTokens: record.usage.cacheCreationInputTokens, costUSD: record.costUSD, ttftMilliseconds: record.ttftMilliseconds,
                durationMilliseconds: record.durationMilliseconds, tokensPerSecond: record.tokensPerSecond)
        }
    }

    /// Running sums of one group.
    struct Accumulator: Sendable {
        var totals = UsageSummary.Totals()
        var ttft: [Int] = []
        var duration: [Int] = []
        var speedSum = 0.0
        var speedCount = 0

        mutating func add(_ sample: Sample) {
            self.totals.requests += 1
            if !sample.ok { self.totals.errors += 1 }
            self.totals.inputTokens += sample.inputTokens
            self.totals.outputTokens += sample.outputTokens
            self.totals.cacheReadTokens += sample.cacheReadTokens
            self.totals.cacheWriteTokens += sample.cacheWriteTokens
            if let cost = sample.costUSD {
                self.totals.costUSD += cost
            } else if sample.inputTokens + sample.outputTokens + sample.cacheReadTokens + sample.cacheWriteTokens > 0 {
                self.totals.unpriced += 1
            }
            if let ttft = sample.ttftMilliseconds { self.ttft.append(ttft) }
            self.duration.append(sample.durationMilliseconds)
            if let speed = sample.tokensPerSecond {
                self.speedSum += speed
                self.speedCount += 1
            }
        }

        func finished() -> UsageSummary.Totals {
            var totals = self.totals
            totals.ttft = UsageSummary.Percentiles(sorted: self.ttft.sorted())
            totals.duration = UsageSummary.Percentiles(sorted: self.duration.sorted())
            totals.tokensPerSecond = self.speedCount > 0 ? self.speedSum / Double(self.speedCount) : nil
            return totals
        }
    }

    private var summary: UsageSummary
    private let dimensions: [UsageSummary.Dimension]
    private var overall = Accumulator()
    private var groups: [UsageSummary.Dimension: [String: Accumulator]] = [:]

    /// - Parameter dimensions: the groupings wanted besides the totals.
    public init(from: Int64?, to: Int64?, dimensions: [UsageSummary.Dimension]) {
        self.summary = UsageSummary(from: from, to: to)
        self.dimensions = dimensions
    }

    public mutating func add(_ sample: Sample) {
        self.overall.add(sample)
        for dimension in self.dimensions {
            let key: String = switch dimension {
            case .model: sample.provider + "," + sample.model
            case .provider: sample.provider
            case .scenario: sample.scenario
            case .day: UsageTime.day(milliseconds: sample.startedAtMilliseconds)
            case .session: sample.session ?? "-"
            case .project: sample.project ?? "-"
            }
            self.groups[dimension, default: [:]][key, default: Accumulator()].add(sample)
        }
    }

    /// The summary of everything added.
    public func finished() -> UsageSummary {
        var summary = self.summary
        summary.totals = self.overall.finished()
        for dimension in self.dimensions {
            var list = (self.groups[dimension] ?? [:]).map { UsageSummary.Group(key: $0.key, totals: $0.value.finished()) }
            if dimension == .day {
                list.sort { $0.key < $1.key }
            } else {
                list.sort { ($0.totals.requests, $1.key) > ($1.totals.requests, $0.key) }
            }
            summary.groups[dimension] = list
        }
        return summary
    }
}
