extension UsageRecord {
    /// The record as `GET /api/usage` returns it (snake_case, times in ISO 8601 UTC).
    public var json: JSONValue {
        var object: JSONObject = [
            "id": .string(self.id),
            "time": .string(UsageTime.iso8601(milliseconds: self.startedAtMilliseconds)),
            "client_model": .string(self.clientModel),
            "scenario": .string(self.scenario.rawValue),
            "reason": .string(self.reason),
            "route": .string(self.route.description),
            "provider": .string(self.target.provider),
            "model": .string(self.target.model),
            "status": .int(self.status),
            "outcome": .string(self.outcome.rawValue),
            "stream": .bool(self.stream),
            "input_tokens": .int(self.usage.inputTokens),
            "output_tokens": .int(self.usage.outputTokens),
            "cache_read_tokens": .int(self.usage.cacheReadInputTokens),
            "cache_write_tokens": .int(self.usage.cacheCreationInputTokens),
            "duration_ms": .int(self.durationMilliseconds),
            "attempts": .array(self.attempts.map(\.json)),
            "client": .string(self.clientType),
        ]
        object["session"] = self.session.map(JSONValue.string) ?? .null
        object["project"] = self.project.map(JSONValue.string) ?? .null
        object["upstream_model"] = self.upstreamModel.map(JSONValue.string) ?? .null
        object["key"] = self.keyID.map(JSONValue.string) ?? .null
        object["error"] = self.errorMessage.map(JSONValue.string) ?? .null
        object["ttft_ms"] = self.ttftMilliseconds.map(JSONValue.int) ?? .null
        object["tokens_per_second"] = self.tokensPerSecond.map(JSONValue.double) ?? .null
        object["cost_usd"] = self.costUSD.map(JSONValue.double) ?? .null
        return .object(object)
    }

    /// One line of the JSONL export, with the field names of claude-code-router-next's
    /// `usage.jsonl` (so its tools read it) plus ccr's own (`route`, `reason`, `costUsd`, …).
    public var forkJSONLine: JSONValue {
        var object: JSONObject = [
            "id": .string(self.id),
            "timestamp": .string(UsageTime.iso8601(milliseconds: self.startedAtMilliseconds)),
            "sessionId": .string(self.session ?? ""),
            "provider": .string(self.target.provider),
            "originalModel": .string(self.clientModel),
            "model": .string(self.target.model),
            "modelFamily": .string(ModelFamily.of(model: self.clientModel)?.family.rawValue ?? ""),
            "scenarioType": .string(self.scenario.rawValue),
            "clientType": .string(self.clientType),
            "stream": .bool(self.stream),
            "inputTokens": .int(self.usage.inputTokens),
            "outputTokens": .int(self.usage.outputTokens),
            "cacheReadInputTokens": .int(self.usage.cacheReadInputTokens),
            "cacheCreationInputTokens": .int(self.usage.cacheCreationInputTokens),
            "durationMs": .int(self.durationMilliseconds),
            "status": .string(self.outcome == .ok ? "success" : "error"),
            "httpStatus": .int(self.status),
            "outcome": .string(self.outcome.rawValue),
            "route": .string(self.route.description),
            "reason": .string(self.reason),
            "attempts": .int(self.sentAttempts),
        ]
        object["upstreamModel"] = self.upstreamModel.map(JSONValue.string) ?? .null
        object["ttft"] = self.ttftMilliseconds.map(JSONValue.int) ?? .null
        object["tokensPerSecond"] = self.tokensPerSecond.map(JSONValue.double) ?? .null
        object["errorMessage"] = self.errorMessage.map(JSONValue.string) ?? .null
        object["costUsd"] = self.costUSD.map(JSONValue.double) ?? .null
        object["project"] = self.project.map(JSONValue.string) ?? .null
        object["keyId"] = self.keyID.map(JSONValue.string) ?? .null
        return .object(object)
    }

    /// The CSV export's columns, in order.
    public static let csvHeader = [
        "id", "time", "session", "project", "client_model", "scenario", "reason", "route", "provider", "model", "upstream_model", "key",
        "status", "outcome", "stream", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "ttft_ms",
        "duration_ms", "tokens_per_second", "cost_usd", "attempts", "error",
    ]

    /// The record as one CSV row (RFC 4180 quoting), in ``csvHeader``'s order.
    public var csvRow: String {
        let fields: [String] = [
            self.id, UsageTime.iso8601(milliseconds: self.startedAtMilliseconds), self.session ?? "", self.project ?? "", self.clientModel,
            self.scenario.rawValue, self.reason, self.route.description, self.target.provider, self.target.model, self.upstreamModel ?? "",
            self.keyID ?? "", String(self.status), self.outcome.rawValue, self.stream ? "true" : "false", String(self.usage.inputTokens),
            String(self.usage.outputTokens), String(self.usage.cacheReadInputTokens), String(self.usage.cacheCreationInputTokens),
            self.ttftMilliseconds.map(String.init) ?? "", String(self.durationMilliseconds), self.tokensPerSecond.map { String($0) } ?? "",
            self.costUSD.map { String($0) } ?? "", String(self.sentAttempts), self.errorMessage ?? "",
        ]
        return fields.map(Self.csvField).joined(separator: ",")
    }

    /// Quotes a CSV field when it holds a comma, a quote or a line break; a field that a
    /// spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`.
    static func csvField(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@".contains(first), Double(text) == nil { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
