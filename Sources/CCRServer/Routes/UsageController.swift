import Foundation
import CCRCore
import HTTPTypes
import Hummingbird
import NIOCore

/// The usage API over ``UsageStore`` (SPEC §S7):
/// - `GET /api/usage`: records, newest first (filters, `page`, `page_size` ≤ 1,000);
/// - `GET /api/usage/summary`: totals, percentiles, groups (`by=model,provider,scenario,day,session,project`);
/// - `GET /api/usage/export?format=jsonl|csv`: every selected record, streamed;
/// - `DELETE /api/usage?confirm=delete`: deletes the selected records.
///
/// Filters: `from`/`since`, `to`, `provider`, `model`, `scenario`, `status`, `session`, `project`.
struct UsageController {
    let state: ServerState

    /// The value `DELETE` needs in `confirm`.
    static let deleteConfirmation = "delete"
    static let maximumPageSize = 1_000

    func addRoutes(to router: Router<CCRRequestContext>) {
        router.get("/api/usage") { request, _ in
            try await self.list(request)
        }
        router.get("/api/usage/summary") { request, _ in
            try await self.summary(request)
        }
        router.get("/api/usage/export") { request, _ in
            try await self.export(request)
        }
        router.delete("/api/usage") { request, _ in
            try await self.delete(request)
        }
    }

    func list(_ request: Request) async throws -> Response {
        let (store, parameters, filter) = try await self.prepare(request)
        let page = try Self.positive(parameters["page"], name: "page") ?? 1
        let pageSize = min(try Self.positive(parameters["page_size"] ?? parameters["limit"], name: "page_size") ?? 50, Self.maximumPageSize)
        let (records, total) = try await Self.reading { try await store.records(filter, page: page, pageSize: pageSize) }
        return Self.json([
            "records": .array(records.map(\.json)), "total": .int(total), "page": .int(page), "page_size": .int(pageSize),
        ])
    }

    func summary(_ request: Request) async throws -> Response {
        let (store, parameters, filter) = try await self.prepare(request)
        var dimensions: [UsageSummary.Dimension] = [.model, .provider, .scenario, .day]
        if let by = parameters["by"], !by.isEmpty {
            dimensions = []
            for name in by.split(separator: ",") {
                guard let dimension = UsageSummary.Dimension(rawValue: String(name).trimmingCharacters(in: .whitespaces)) else {
                    throw AnthropicError.invalidRequest(
                        "by '\(name)' is not one of \(UsageSummary.Dimension.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                if !dimensions.contains(dimension) { dimensions.append(dimension) }
            }
        }
        let summary = try await Self.reading { try await store.summary(filter, by: dimensions) }
        return Self.json(summary.json)
    }

    func export(_ request: Request) async throws -> Response {
        let (store, parameters, filter) = try await self.prepare(request)
        let format = parameters["format"] ?? "jsonl"
        guard format == "jsonl" || format == "csv" else {
            throw AnthropicError.invalidRequest("format '\(format)' is not jsonl or csv")
        }
        var headers = HTTPFields()
        headers[.contentType] = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson"
        headers[.contentDisposition] = "attachment; filename=\"ccr-usage.\(format)\""
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                if format == "csv" { try await writer.write(ByteBuffer(string: UsageRecord.csvHeader.joined(separator: ",") + "\r\n")) }
                do {
                    try await store.forEachBatch(filter) { batch in
                        var buffer = ByteBuffer()
                        for record in batch {
                            if format == "csv" {
                                buffer.writeString(record.csvRow + "\r\n")
                            } else {
                                buffer.writeBytes(record.forkJSONLine.encoded())
                                buffer.writeInteger(UInt8(ascii: "\n"))
                            }
                        }
                        try await writer.write(buffer)
                    }
                } catch {
                    // The head is sent: say so in the body rather than end it silently short.
                    try? await writer.write(ByteBuffer(string: format == "csv" ? "# export failed: \(error)\r\n" : "{\"error\":\"export failed\"}\n"))
                }
                try await writer.finish(nil)
            })
    }

    func delete(_ request: Request) async throws -> Response {
        let (store, parameters, filter) = try await self.prepare(request)
        guard parameters["confirm"] == Self.deleteConfirmation else {
            throw AnthropicError.invalidRequest(
                "deleting usage records needs confirm=\(Self.deleteConfirmation) (with no filter it deletes every record)")
        }
        let deleted = try await Self.reading { try await store.delete(filter) }
        return Self.json(["deleted": .int(deleted)])
    }

    /// The store (with every finished request written), the query parameters and the filter; a
    /// clear error when usage is off or a parameter is wrong.
    private func prepare(_ request: Request) async throws -> (UsageStore, [String: String], UsageFilter) {
        guard let recorder = self.state.usage else {
            throw AnthropicError(
                status: 503, kind: .api,
                message: "ccr: usage recording is off (Usage.enabled is false in config.json, or data/usage.sqlite could not be opened: see the log)")
        }
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { parameters[String(name)] = String(value) }
        do {
            let filter = try UsageFilter.parse(parameters, now: UsageClock.nowMilliseconds())
            await recorder.writeQueued()
            return (try recorder.store(), parameters, filter)
        } catch let error as UsageFilter.ParameterError {
            throw AnthropicError.invalidRequest(error.description)
        } catch {
            throw AnthropicError(status: 503, kind: .api, message: "ccr: usage records are unavailable: \(error)")
        }
    }

    private static func positive(_ text: String?, name: String) throws -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Int(text), value >= 1 else { throw AnthropicError.invalidRequest("\(name) must be a whole number ≥ 1, found '\(text)'") }
        return value
    }

    /// Runs a store call; a database failure becomes a 500 that says so.
    private static func reading<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AnthropicError {
            throw error
        } catch {
            throw AnthropicError(status: 500, kind: .api, message: "ccr: the usage store failed: \(error)")
        }
    }

    static func json(_ value: JSONValue) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.encoded())))
    }
}
