/// The values a theme's `{{name}}` placeholders are replaced by.
///
/// The original's variables (`workDirName`, `gitBranch`, `model`, `inputTokens`, `outputTokens`,
/// and v2's `tokenSpeed`, `timeToFirstToken`, `cost`, `duration`, `sessionId`, `version`,
/// `contextPercent`, `contextWindowSize`, `totalInputTokens`, `totalOutputTokens`, `linesAdded`,
/// `linesRemoved`, `netLines`) plus ccr's (`route`, `scenario`, `provider`, `sessionCost`,
/// `sessionRequests`). A name without a value (unknown, or nothing to show yet) is replaced by
/// nothing.
public struct StatusLineVariables: Sendable, Equatable {
    /// The variables ccr fills, in the order the docs list them.
    public static let names = [
        "workDirName", "gitBranch", "model", "inputTokens", "outputTokens", "tokenSpeed", "timeToFirstToken", "cost", "duration",
        "sessionId", "version", "contextPercent", "contextWindowSize", "totalInputTokens", "totalOutputTokens", "linesAdded",
        "linesRemoved", "netLines", "route", "scenario", "provider", "sessionCost", "sessionRequests",
    ]

    /// Name to value; missing names read as `""`.
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// The value of a variable, `""` when it has none.
    public subscript(name: String) -> String {
        self.values[name] ?? ""
    }

    /// Collects the variables from every source; each may be missing or partial.
    /// - Parameters:
    ///   - input: Claude Code's status JSON (`session_id`, `cwd`, `model`, `workspace`, `version`,
    ///     `cost`, `context_window`); members of the wrong type are ignored.
    ///   - session: what the ccr server recorded for the session, when it answered.
    ///   - transcript: the transcript's last assistant turn (used when `session` has no turn).
    ///   - defaultModel: the model part of `Router.default` (used when neither knows the model).
    ///   - gitBranch: the branch checked out in the work dir.
    public init(
        input: JSONValue, session: StatusLineSessionUsage? = nil, transcript: StatusLineTranscriptTurn? = nil,
        defaultModel: String? = nil, gitBranch: String? = nil
    ) {
        var values: [String: String] = [:]
        func set(_ name: String, _ value: String?) {
            if let value, !value.isEmpty { values[name] = value }
        }
        func string(_ value: JSONValue?) -> String? {
            guard let text = value?.stringValue?.trimmingSpaces(), !text.isEmpty else { return nil }
            return text
        }
        let directory = string(input["workspace"]?["current_dir"]) ?? string(input["cwd"])
        set("workDirName", directory.map(Self.lastPathComponent))
        set("gitBranch", gitBranch?.trimmingSpaces())
        set(
            "model",
            session?.model ?? transcript?.model ?? defaultModel.flatMap { $0.isEmpty ? nil : $0 } ?? string(input["model"]?["display_name"])
                ?? string(input["model"]?["id"]))
        let tokens = session?.inputTokens != nil || session?.outputTokens != nil
            ? (session?.inputTokens, session?.outputTokens) : (transcript?.inputTokens, transcript?.outputTokens)
        set("inputTokens", tokens.0.map(Self.tokens))
        set("outputTokens", tokens.1.map(Self.tokens))
        set("tokenSpeed", session?.tokensPerSecond.flatMap(Self.speed))
        set("timeToFirstToken", session?.ttftMilliseconds.map(Self.milliseconds))
        let cost = input["cost"]
        set("cost", cost?["total_cost_usd"]?.doubleValue.flatMap(Self.dollars))
        set("duration", cost?["total_duration_ms"]?.intValue.map(Self.duration))
        let added = cost?["total_lines_added"]?.intValue
        let removed = cost?["total_lines_removed"]?.intValue
        set("linesAdded", added.map { String($0) })
        set("linesRemoved", removed.map { String($0) })
        if added != nil || removed != nil {
            let net = (added ?? 0) - (removed ?? 0)
            set("netLines", net > 0 ? "+\(net)" : String(net))
        }
        set("sessionId", string(input["session_id"]).map { String($0.prefix(8)) })
        set("version", string(input["version"]))
        let window = input["context_window"]
        let size = window?["context_window_size"]?.intValue
        set("contextWindowSize", size.flatMap { $0 > 0 ? Self.compactTokens($0) : nil })
        if let percent = window?["used_percentage"]?.doubleValue, percent.isFinite {
            set("contextPercent", String(Int(percent.rounded())))
        } else if let size, size > 0, let usage = window?["current_usage"]?.objectValue {
            let used = ["input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"].compactMap { usage[$0]?.intValue }
            if !used.isEmpty { set("contextPercent", String(Int((Double(used.reduce(0, +)) * 100 / Double(size)).rounded()))) }
        }
        set("totalInputTokens", (window?["total_input_tokens"]?.intValue ?? session?.sessionInputTokens).map(Self.tokens))
        set("totalOutputTokens", (window?["total_output_tokens"]?.intValue ?? session?.sessionOutputTokens).map(Self.tokens))
        set("route", session?.route)
        set("scenario", session?.scenario)
        set("provider", session?.provider)
        set("sessionCost", session?.sessionCostUSD.flatMap(Self.dollars))
        set("sessionRequests", session?.sessionRequests.map { String($0) })
        self.values = values
    }

    /// The variables as a JSON object (what a script module's function receives).
    public var json: JSONValue {
        .object(JSONObject(Self.names.map { JSONObject.Member(key: $0, value: .string(self[$0])) }))
    }

    /// The last component of a path (`/home/me/repo/` gives `repo`; `/` stays `/`).
    static func lastPathComponent(_ path: String) -> String {
        let parts = path.split(separator: "/")
        return parts.last.map(String.init) ?? path
    }
}
