/// Totals over usage records, overall and grouped: what `GET /api/usage/summary` answers and
/// `ccr usage` prints.
public struct UsageSummary: Sendable, Equatable {
    /// Nearest-rank percentiles of a measurement, in milliseconds (`nil` without values).
    public struct Percentiles: Sendable, Equatable {
        public var p50: Int?
        public var p90: Int?
        public var p99: Int?

        public init(p50: Int? = nil, p90: Int? = nil, p99: Int? = nil) {
            self.p50 = p50
            self.p90 = p90
            self.p99 = p99
        }

        /// The percentiles of values sorted in ascending order.
        public init(sorted values: [Int]) {
            func rank(_ p: Double) -> Int? {
                guard !values.isEmpty else { return nil }
                let index = Int((p * Double(values.count)).rounded(.up)) - 1
                return values[min(max(index, 0), values.count - 1)]
            }
            self.init(p50: rank(0.5), p90: rank(0.9), p99: rank(0.99))
        }
    }

    /// Sums over a set of records.
    public struct Totals: Sendable, Equatable {
        public var requests = 0
        /// Records whose outcome is not `ok`.
        public var errors = 0
        public var inputTokens = 0
        public var outputTokens = 0
        public var cacheReadTokens = 0
        public var cacheWriteTokens = 0
        /// The cost of the priced records, in US dollars.
        public var costUSD = 0.0
        /// Records with tokens whose model has no known price (their cost is not in ``costUSD``).
        public var unpriced = 0
        /// Time to first token (streams).
        public var ttft = Percentiles()
        /// Time to the last byte.
        public var duration = Percentiles()
        /// The mean output speed of the records that produced output.
        public var tokensPerSecond: Double?

        public init() {}
    }

    /// The totals of one group (a model, a provider, a scenario, a day, a session).
    public struct Group: Sendable, Equatable {
        public var key: String
        public var totals: Totals

        public init(key: String, totals: Totals) {
            self.key = key
            self.totals = totals
        }
    }

    /// The dimensions a summary is grouped by.
    public enum Dimension: String, Sendable, CaseIterable {
        case model, provider, scenario, day, session, project
    }

    public var from: Int64?
    public var to: Int64?
    public var totals = Totals()
    /// Groups per dimension, largest first (days in date order).
    public var groups: [Dimension: [Group]] = [:]

    public init(from: Int64? = nil, to: Int64? = nil) {
        self.from = from
        self.to = to
    }
}

extension UsageSummary {
    /// `{"from", "to", "totals": {…}, "by_model": [{"key", …totals}], "by_provider", …}`.
    public var json: JSONValue {
        var object: JSONObject = ["totals": Self.json(self.totals)]
        object["from"] = self.from.map { .string(UsageTime.iso8601(milliseconds: $0)) } ?? .null
        object["to"] = self.to.map { .string(UsageTime.iso8601(milliseconds: $0)) } ?? .null
        for dimension in Dimension.allCases {
            guard let groups = self.groups[dimension] else { continue }
            object["by_\(dimension.rawValue)"] = .array(
                groups.map { group in
                    var entry: JSONObject = ["key": .string(group.key)]
                    for member in (Self.json(group.totals).objectValue ?? [:]).members { entry[member.key] = member.value }
                    return .object(entry)
                })
        }
        return .object(object)
    }

    /// Reads what ``json`` wrote (the CLI reads the server's answer with it).
    public init(json: JSONValue) {
        self.init(
            from: json["from"]?.stringValue.flatMap(UsageTime.parse), to: json["to"]?.stringValue.flatMap(UsageTime.parse))
        self.totals = Self.totals(json["totals"] ?? .null)
        for dimension in Dimension.allCases {
            guard let list = json["by_\(dimension.rawValue)"]?.arrayValue else { continue }
            self.groups[dimension] = list.map { Group(key: $0["key"]?.stringValue ?? "", totals: Self.totals($0)) }
        }
    }

    static func json(_ totals: Totals) -> JSONValue {
        func percentiles(_ p: Percentiles) -> JSONValue {
            ["p50": p.p50.map(JSONValue.int) ?? .null, "p90": p.p90.map(JSONValue.int) ?? .null, "p99": p.p99.map(JSONValue.int) ?? .null]
        }
        return [
            "requests": .int(totals.requests), "errors": .int(totals.errors), "input_tokens": .int(totals.inputTokens),
            "output_tokens": .int(totals.outputTokens), "cache_read_tokens": .int(totals.cacheReadTokens),
            "cache_write_tokens": .int(totals.cacheWriteTokens), "cost_usd": .double((totals.costUSD * 1_000_000).rounded() / 1_000_000),
            "unpriced_requests": .int(totals.unpriced), "ttft_ms": percentiles(totals.ttft), "duration_ms": percentiles(totals.duration),
            "tokens_per_second": totals.tokensPerSecond.map { .double(($0 * 10).rounded() / 10) } ?? .null,
        ]
    }

    static func totals(_ json: JSONValue) -> Totals {
        func int(_ key: String) -> Int { json[key]?.intValue ?? 0 }
        func percentiles(_ key: String) -> Percentiles {
            Percentiles(p50: json[key]?["p50"]?.intValue, p90: json[key]?["p90"]?.intValue, p99: json[key]?["p99"]?.intValue)
        }
        var totals = Totals()
        totals.requests = int("requests")
        totals.errors = int("errors")
        totals.inputTokens = int("input_tokens")
        totals.outputTokens = int("output_tokens")
        totals.cacheReadTokens = int("cache_read_tokens")
        totals.cacheWriteTokens = int("cache_write_tokens")
        totals.costUSD = json["cost_usd"]?.doubleValue ?? 0
        totals.unpriced = int("unpriced_requests")
        totals.ttft = percentiles("ttft_ms")
        totals.duration = percentiles("duration_ms")
        totals.tokensPerSecond = json["tokens_per_second"]?.doubleValue
        return totals
    }
}
