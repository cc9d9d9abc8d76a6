/// What the running ccr server knows about a Claude Code session: its last request (from
/// `GET /api/usage?session=…`) and its totals (from `GET /api/usage/summary?session=…`).
public struct StatusLineSessionUsage: Sendable, Equatable {
    /// The provider that answered the last request.
    public var provider: String?
    /// The model that answered: the name the provider reported, else the configured one.
    public var model: String?
    /// The target that answered, as `provider,model` with the configured model name.
    public var route: String?
    /// The scenario that chose the route (`default`, `think`, `longContext`, …).
    public var scenario: String?
    /// The prompt of the last turn: input, cache read and cache write tokens together.
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var tokensPerSecond: Double?
    public var ttftMilliseconds: Int?
    public var durationMilliseconds: Int?
    /// The session's cost in US dollars (`nil` when no model of it has a known price).
    public var sessionCostUSD: Double?
    public var sessionRequests: Int?
    public var sessionInputTokens: Int?
    public var sessionOutputTokens: Int?

    public init() {}

    /// Reads the two answers; either may be missing or malformed.
    /// - Parameters:
    ///   - records: the `/api/usage` answer (`{"records": [newest first], …}`).
    ///   - summary: the `/api/usage/summary` answer (`{"totals": {…}, …}`).
    /// - Returns: `nil` when neither holds anything about the session.
    public init?(records: JSONValue?, summary: JSONValue?) {
        self.init()
        var found = false
        if let record = Self.latestTurn(records?["records"]?.arrayValue ?? []) {
            found = true
            self.provider = Self.text(record["provider"])
            self.model = Self.text(record["upstream_model"]) ?? Self.text(record["model"])
            self.scenario = Self.text(record["scenario"])
            if let provider = self.provider, let model = Self.text(record["model"]) { self.route = "\(provider),\(model)" }
            let input = [record["input_tokens"], record["cache_read_tokens"], record["cache_write_tokens"]].compactMap { $0?.intValue }
            self.inputTokens = input.isEmpty ? nil : input.reduce(0, +)
            self.outputTokens = record["output_tokens"]?.intValue
            self.tokensPerSecond = record["tokens_per_second"]?.doubleValue
            self.ttftMilliseconds = record["ttft_ms"]?.intValue
            self.durationMilliseconds = record["duration_ms"]?.intValue
        }
        if let totals = summary?["totals"], let requests = totals["requests"]?.intValue, requests > 0 {
            found = true
            self.sessionRequests = requests
            // No cost when none of the requests had a known price (the server then says 0).
            let unpriced = totals["unpriced_requests"]?.intValue ?? 0
            self.sessionCostUSD = unpriced >= requests ? nil : totals["cost_usd"]?.doubleValue
            let input = [totals["input_tokens"], totals["cache_read_tokens"], totals["cache_write_tokens"]].compactMap { $0?.intValue }
            self.sessionInputTokens = input.isEmpty ? nil : input.reduce(0, +)
            self.sessionOutputTokens = totals["output_tokens"]?.intValue
            if self.tokensPerSecond == nil { self.tokensPerSecond = totals["tokens_per_second"]?.doubleValue }
        }
        if !found { return nil }
    }

    /// The record that best describes where the conversation is: the newest successful request
    /// that is not Claude Code's background side work (titles, quota checks on a small model),
    /// else the newest successful one, else the newest.
    static func latestTurn(_ records: [JSONValue]) -> JSONValue? {
        let objects = records.filter { $0.objectValue != nil }
        let ok = objects.filter { ($0["outcome"]?.stringValue ?? "ok") == "ok" }
        return ok.first { $0["scenario"]?.stringValue != "background" } ?? ok.first ?? objects.first
    }

    private static func text(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        return text
    }
}
