import CCRCore
import Foundation
import GRDB

/// The durable record of requests: `data/usage.sqlite` under the ccr home, in SQLite through GRDB
/// (WAL, so that `ccr usage` can read while the server writes; a busy timeout; migrations).
///
/// One row per request in `request`, one per attempt at a provider in `attempt`. Writes come in
/// batches from ``UsageRecorder``, off the request path.
public final class UsageStore: Sendable {
    /// The database file.
    public let path: String
    private let pool: DatabasePool

    /// The file name under `data/`.
    public static let fileName = "usage.sqlite"

    /// Opens (creating and migrating when writable) the store.
    /// - Parameter readOnly: open an existing store for reading only (the CLI, when no server runs).
    /// - Throws: when the file cannot be opened or migrated.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.readonly = readOnly
        configuration.label = "ccr.usage"
        if !readOnly {
            configuration.prepareDatabase { db in
                // A crash may lose the last transaction, never corrupt the file: enough for a usage log.
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        }
        self.pool = try DatabasePool(path: path, configuration: configuration)
        if !readOnly {
            try Self.migrator.migrate(self.pool)
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
    }

    /// The store of a ccr home.
    public static func path(in home: CCRHome) -> String {
        home.dataDirectory.appendingPathComponent(Self.fileName).path
    }

    // MARK: - Writing

    /// Inserts records and their attempts in one transaction (an existing id is replaced), on
    /// GRDB's writer queue.
    public func insert(_ records: [UsageRecord]) async throws {
        guard !records.isEmpty else { return }
        try await self.pool.write { db in try Self.insert(records, db: db) }
    }

    private static func insert(_ records: [UsageRecord], db: Database) throws {
        let request = try db.cachedStatement(sql: Self.insertRequestSQL)
        let attempt = try db.cachedStatement(sql: Self.insertAttemptSQL)
        for record in records {
            try request.execute(arguments: Self.arguments(of: record))
            for (index, item) in record.attempts.enumerated() {
                try attempt.execute(arguments: [
                    record.id, index, item.target.provider, item.target.model, item.key, item.status, item.failure?.rawValue,
                    item.milliseconds, item.startedAfterMilliseconds, item.note,
                ])
            }
        }
    }

    /// Deletes records that started before an instant (retention).
    public func prune(before milliseconds: Int64) async throws -> Int {
        try await self.pool.write { db in try Self.delete(UsageFilter(to: milliseconds), db: db) }
    }

    /// Deletes the records a filter selects (and their attempts).
    /// - Returns: how many requests were deleted.
    @discardableResult
    public func delete(_ filter: UsageFilter) async throws -> Int {
        try await self.pool.write { db in try Self.delete(filter, db: db) }
    }

    private static func delete(_ filter: UsageFilter, db: Database) throws -> Int {
        let (clause, arguments) = Self.whereClause(filter)
        try db.execute(sql: "DELETE FROM request" + clause, arguments: arguments)
        return db.changesCount
    }

    /// Deletes records that started before an instant (retention).

    // MARK: - Reading

    /// A page of records, newest first, with their attempts, and how many match in all.
    /// - Parameters:
    ///   - page: from 1.
    ///   - pageSize: records per page.
    public func records(_ filter: UsageFilter, page: Int = 1, pageSize: Int = 50) async throws -> (records: [UsageRecord], total: Int) {
        let (clause, arguments) = Self.whereClause(filter)
        return try await self.pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request" + clause, arguments: arguments) ?? 0
            var pageArguments = arguments
            pageArguments += [pageSize, max(0, page - 1) * pageSize]
            var records = try Row.fetchAll(
                db, sql: "SELECT \(Self.columns) FROM request\(clause) ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?",
                arguments: pageArguments
            ).compactMap(Self.record(from:))
            try Self.attachAttempts(&records, db: db)
            return (records, total)
        }
    }

    /// Every record a filter selects, oldest first, with their attempts, handed over in batches
    /// (for exports).
    public func forEachBatch(_ filter: UsageFilter, batchSize: Int = 1_000, _ body: ([UsageRecord]) async throws -> Void) async throws {
        var after: (Int64, String)?
        while true {
            var (clause, arguments) = Self.whereClause(filter)
            if let after {
                clause += clause.isEmpty ? " WHERE " : " AND "
                clause += "(started_at > ? OR (started_at = ? AND id > ?))"
                arguments += [after.0, after.0, after.1]
            }
            arguments += [batchSize]
            let batchArguments = arguments
            let sql = "SELECT \(Self.columns) FROM request\(clause) ORDER BY started_at, id LIMIT ?"
            let batch = try await self.pool.read { db in
                var records = try Row.fetchAll(db, sql: sql, arguments: batchArguments).compactMap(Self.record(from:))
                try Self.attachAttempts(&records, db: db)
                return records
            }
            if batch.isEmpty { return }
            try await body(batch)
            guard batch.count == batchSize, let last = batch.last else { return }
            after = (last.startedAtMilliseconds, last.id)
        }
    }

    /// Totals, percentiles and groups over the records a filter selects.
    public func summary(_ filter: UsageFilter, by dimensions: [UsageSummary.Dimension]) async throws -> UsageSummary {
        let (clause, arguments) = Self.whereClause(filter)
        return try await self.pool.read { db in
            var aggregator = UsageAggregator(from: filter.from, to: filter.to, dimensions: dimensions)
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT provider, model, scenario, started_at, session, project, outcome = 'ok', input_tokens, output_tokens,
                    cache_read_tokens, cache_write_tokens, cost_usd, ttft_ms, duration_ms, tokens_per_second FROM request
                    """ + clause,
                arguments: arguments)
            while let row = try rows.next() {
                aggregator.add(
                    UsageAggregator.Sample(
                        provider: row[0], model: row[1], scenario: row[2], startedAtMilliseconds: row[3], session: row[4], project: row[5],
                        ok: row[6], inputTokens: row[7], outputTokens: row[8], cacheReadTokens: row[9], cacheWriteTokens: row[10],
                        costUSD: row[11], ttftMilliseconds: row[12], durationMilliseconds: row[13], tokensPerSecond: row[14]))
            }
            return aggregator.finished()
        }
    }

    /// How many requests are stored.
    public func count() async throws -> Int {
        try await self.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request") ?? 0 }
    }
}
