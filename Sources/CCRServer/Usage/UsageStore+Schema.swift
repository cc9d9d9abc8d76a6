import CCRCore
import GRDB

extension UsageStore {
    /// The schema, one migration per change; GRDB records which ran in `grdb_migrations`.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: requests and attempts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE request (
                        id TEXT PRIMARY KEY NOT NULL,
                        started_at INTEGER NOT NULL,
                        session TEXT,
                        project TEXT,
                        client_model TEXT NOT NULL,
                        scenario TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        route_provider TEXT NOT NULL,
                        route_model TEXT NOT NULL,
                        provider TEXT NOT NULL,
                        model TEXT NOT NULL,
                        upstream_model TEXT,
                        key_id TEXT,
                        status INTEGER NOT NULL,
                        outcome TEXT NOT NULL,
                        error TEXT,
                        stream INTEGER NOT NULL,
                        input_tokens INTEGER NOT NULL,
                        output_tokens INTEGER NOT NULL,
                        cache_read_tokens INTEGER NOT NULL,
                        cache_write_tokens INTEGER NOT NULL,
                        ttft_ms INTEGER,
                        duration_ms INTEGER NOT NULL,
                        tokens_per_second REAL,
                        cost_usd REAL,
                        attempts INTEGER NOT NULL,
                        client TEXT NOT NULL
                    );
                    CREATE INDEX request_started_at ON request(started_at);
                    CREATE INDEX request_session ON request(session, started_at);
                    CREATE INDEX request_provider_model ON request(provider, model, started_at);
                    CREATE TABLE attempt (
                        request_id TEXT NOT NULL REFERENCES request(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        provider TEXT NOT NULL,
                        model TEXT NOT NULL,
                        key_id TEXT,
                        status INTEGER,
                        failure TEXT,
                        duration_ms INTEGER NOT NULL,
                        started_after_ms INTEGER NOT NULL,
                        note TEXT NOT NULL,
                        PRIMARY KEY (request_id, position)
                    ) WITHOUT ROWID;
                    """)
        }
        return migrator
    }

    /// The `request` columns read back into a ``UsageRecord``, in ``record(from:)``'s order.
    static let columns = """
        id, started_at, session, project, client_model, scenario, reason, route_provider, route_model, provider, model, upstream_model, \
        key_id, status, outcome, error, stream, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, ttft_ms, duration_ms, \
        cost_usd, client
        """

    static let insertRequestSQL = """
        INSERT OR REPLACE INTO request (\(columns), tokens_per_second, attempts)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static let insertAttemptSQL = """
        INSERT OR REPLACE INTO attempt (request_id, position, provider, model, key_id, status, failure, duration_ms, started_after_ms, note)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static func arguments(of record: UsageRecord) -> StatementArguments {
        let values: [(any DatabaseValueConvertible)?] = [
            record.id, record.startedAtMilliseconds, record.session, record.project, record.clientModel, record.scenario.rawValue,
            record.reason, record.route.provider, record.route.model, record.target.provider, record.target.model, record.upstreamModel,
            record.keyID, record.status, record.outcome.rawValue, record.errorMessage, record.stream, record.usage.inputTokens,
            record.usage.outputTokens, record.usage.cacheReadInputTokens, record.usage.cacheCreationInputTokens, record.ttftMilliseconds,
            record.durationMilliseconds, record.costUSD, record.clientType, record.tokensPerSecond, record.sentAttempts,
        ]
        return StatementArguments(values)
    }

    /// A row of ``columns`` as a record (attempts empty); `nil` for a row this build cannot read.
    static func record(from row: Row) -> UsageRecord? {
        guard let scenario = RouteScenario(rawValue: row[5]), let outcome = UsageRecord.Outcome(rawValue: row[14]) else { return nil }
        return UsageRecord(
            id: row[0], startedAtMilliseconds: row[1], session: row[2], project: row[3], clientModel: row[4], scenario: scenario,
            reason: row[6], route: RouteTarget(provider: row[7], model: row[8]), target: RouteTarget(provider: row[9], model: row[10]),
            upstreamModel: row[11], keyID: row[12], status: row[13], outcome: outcome, errorMessage: row[15], stream: row[16],
            usage: AnthropicUsage(inputTokens: row[17], outputTokens: row[18], cacheReadInputTokens: row[19], cacheCreationInputTokens: row[20]),
            ttftMilliseconds: row[21], durationMilliseconds: row[22], costUSD: row[23], clientType: row[24])
    }

    /// Reads the attempts of records from the `attempt` table.
    static func attachAttempts(_ records: inout [UsageRecord], db: Database) throws {
        guard !records.isEmpty else { return }
        let placeholders = Array(repeating: "?", count: records.count).joined(separator: ",")
        var byRequest: [String: [AttemptRecord]] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT request_id, provider, model, key_id, status, failure, duration_ms, started_after_ms, note FROM attempt
                WHERE request_id IN (\(placeholders)) ORDER BY request_id, position
                """,
            arguments: StatementArguments(records.map(\.id)))
        while let row = try rows.next() {
            let failure: String? = row[5]
            byRequest[row[0], default: []].append(
                AttemptRecord(
                    target: RouteTarget(provider: row[1], model: row[2]), key: row[3], status: row[4], failure: failure.flatMap(FailureKind.init(rawValue:)),
                    milliseconds: row[6], startedAfterMilliseconds: row[7], note: row[8]))
        }
        for index in records.indices { records[index].attempts = byRequest[records[index].id] ?? [] }
    }

    /// ` WHERE …` for a filter (empty when it selects everything) and its arguments.
    static func whereClause(_ filter: UsageFilter) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let from = filter.from {
            conditions.append("started_at >= ?")
            arguments += [from]
        }
        if let to = filter.to {
            conditions.append("started_at < ?")
            arguments += [to]
        }
        for (column, value) in [("provider", filter.provider), ("model", filter.model), ("scenario", filter.scenario), ("session", filter.session), ("project", filter.project)] {
            guard let value else { continue }
            conditions.append("\(column) = ?")
            arguments += [value]
        }
        if let status = filter.status {
            if let code = Int(status) {
                conditions.append("status = ?")
                arguments += [code]
            } else if status == "error" {
                conditions.append("outcome <> 'ok'")
            } else {
                conditions.append("outcome = ?")
                arguments += [status]
            }
        }
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), arguments)
    }
}
