/// Which usage records a query is about: a time range and equality filters, as the query
/// parameters of `GET /api/usage`, `/api/usage/summary`, `/api/usage/export` and `DELETE /api/usage`
/// carry them.
public struct UsageFilter: Sendable, Equatable {
    /// From this instant (inclusive), milliseconds since 1970.
    public var from: Int64?
    /// Up to this instant (exclusive).
    public var to: Int64?
    public var provider: String?
    public var model: String?
    public var scenario: String?
    /// `ok`, `error` (every outcome but ok), `client_closed`, `failed_midstream`, or an HTTP status.
    public var status: String?
    public var session: String?
    public var project: String?

    public init(
        from: Int64? = nil, to: Int64? = nil, provider: String? = nil, model: String? = nil, scenario: String? = nil, status: String? = nil,
        session: String? = nil, project: String? = nil
    ) {
        self.from = from
        self.to = to
        self.provider = provider
        self.model = model
        self.scenario = scenario
        self.status = status
        self.session = session
        self.project = project
    }

    /// Why a parameter could not be read.
    public struct ParameterError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The query parameter names.
    public static let parameterNames: Set<String> = ["from", "to", "since", "provider", "model", "scenario", "status", "session", "project"]

    /// Reads the filter from query parameters: `from`/`since` and `to` as times (``parseTime(_:now:)``),
    /// the others as exact values. `model` may be `provider,model`.
    /// - Parameter now: the current time in milliseconds since 1970, for relative times.
    public static func parse(_ parameters: [String: String], now: Int64) throws(ParameterError) -> UsageFilter {
        var filter = UsageFilter()
        func nonEmpty(_ name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let since = nonEmpty("from") ?? nonEmpty("since") {
            let name = nonEmpty("from") == nil ? "since" : "from"
            guard let time = Self.parseTime(since, now: now) else { throw ParameterError(description: Self.timeHelp(name: name, value: since)) }
            filter.from = time
        }
        if let until = nonEmpty("to") {
            guard let time = Self.parseTime(until, now: now) else { throw ParameterError(description: Self.timeHelp(name: "to", value: until)) }
            filter.to = time
        }
        filter.provider = nonEmpty("provider")
        if let model = nonEmpty("model") {
            if let target = RouteTarget(parsing: model), filter.provider == nil || filter.provider == target.provider {
                filter.provider = target.provider
                filter.model = target.model
            } else {
                filter.model = model
            }
        }
        if let scenario = nonEmpty("scenario") {
            guard RouteScenario(rawValue: scenario) != nil else {
                throw ParameterError(description: "scenario '\(scenario)' is not one of \(RouteScenario.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.scenario = scenario
        }
        if let status = nonEmpty("status") {
            guard status == "error" || UsageRecord.Outcome(rawValue: status) != nil || (Int(status).map { (100...599).contains($0) } ?? false) else {
                throw ParameterError(description: "status '\(status)' is not ok, error, client_closed, failed_midstream or an HTTP status")
            }
            filter.status = status
        }
        filter.session = nonEmpty("session")
        filter.project = nonEmpty("project")
        return filter
    }

    /// The filter as query parameters (for the CLI), in a fixed order.
    public var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if let from = self.from { items.append(("from", UsageTime.iso8601(milliseconds: from))) }
        if let to = self.to { items.append(("to", UsageTime.iso8601(milliseconds: to))) }
        if let provider = self.provider { items.append(("provider", provider)) }
        if let model = self.model { items.append(("model", model)) }
        if let scenario = self.scenario { items.append(("scenario", scenario)) }
        if let status = self.status { items.append(("status", status)) }
        if let session = self.session { items.append(("session", session)) }
        if let project = self.project { items.append(("project", project)) }
        return items
    }

    /// Reads a time: `today`, `yesterday`, `all`, a duration back from now (`30m`, `24h`, `7d`,
    /// `2w`), an ISO 8601 date or date-time (``UsageTime/parse(_:)``), or seconds or milliseconds
    /// since 1970. `all` is 0. `nil` for anything else.
    public static func parseTime(_ text: String, now: Int64) -> Int64? {
        let lowered = text.lowercased()
        switch lowered {
        case "all": return 0
        case "now": return now
        case "today": return UsageTime.startOfDay(milliseconds: now)
        case "yesterday": return UsageTime.startOfDay(milliseconds: now) - UsageTime.millisecondsPerDay
        default: break
        }
        if let unit = lowered.last, let amount = Int64(lowered.dropLast()), amount >= 0 {
            let scale: Int64? = switch unit {
            case "s": 1_000
            case "m": 60_000
            case "h": 3_600_000
            case "d": UsageTime.millisecondsPerDay
            case "w": 7 * UsageTime.millisecondsPerDay
            default: nil
            }
            if let scale { return now - amount * scale }
        }
        if let number = Int64(lowered), number >= 0 {
            return number >= 100_000_000_000 ? number : number * 1_000
        }
        return UsageTime.parse(text)
    }

    static func timeHelp(name: String, value: String) -> String {
        "\(name) '\(value)' is not a time: use today, yesterday, all, 30m, 24h, 7d, 2026-11-30, 2026-11-30T14:00:00Z or seconds since 1970"
    }
}
