import CCRCore
import CCRServer
import Foundation

/// Where `ccr usage` reads records: the running router over HTTP, or `data/usage.sqlite` directly
/// (read-only) when the router is stopped.
enum UsageSource: CustomStringConvertible {
    case server(port: Int, headers: [String: String])
    case file(UsageStore)

    static func open(context: CLIContext, configuration: CCRConfiguration) throws -> UsageSource {
        let headers = context.authHeaders(configuration)
        if let answer = try? LocalHTTP.request(port: configuration.port, path: "/health", headers: headers, timeout: 1), answer.status == 200 {
            return .server(port: configuration.port, headers: headers)
        }
        let path = UsageStore.path(in: context.home)
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError(message: "ccr: no usage recorded yet (\(path) does not exist); requests are recorded while ccr runs", code: 1)
        }
        do {
            return .file(try UsageStore(path: path, readOnly: true))
        } catch {
            throw CLIError(message: "ccr: cannot read \(path): \(error)", code: 1)
        }
    }

    var description: String {
        switch self {
        case .server(let port, _): "the router on port \(port)"
        case .file(let store): store.path
        }
    }

    func summary(_ filter: UsageFilter, by dimension: UsageSummary.Dimension) async throws -> UsageSummary {
        switch self {
        case .server:
            return UsageSummary(json: try self.get("/api/usage/summary", filter, extra: [("by", dimension.rawValue)]))
        case .file(let store):
            return try await store.summary(filter, by: [dimension])
        }
    }

    /// The latest records, newest first, as `GET /api/usage` gives them.
    func latest(_ filter: UsageFilter, count: Int) async throws -> [JSONValue] {
        switch self {
        case .server:
            return try self.get("/api/usage", filter, extra: [("page_size", String(count))])["records"]?.arrayValue ?? []
        case .file(let store):
            return try await store.records(filter, page: 1, pageSize: count).records.map(\.json)
        }
    }

    /// Writes every selected record to standard output.
    func export(_ filter: UsageFilter, format: String) async throws {
        switch self {
        case .server:
            let answer = try self.request("/api/usage/export", filter, extra: [("format", format)], timeout: 300)
            FileHandle.standardOutput.write(answer)
        case .file(let store):
            if format == "csv" { FileHandle.standardOutput.write(Data((UsageRecord.csvHeader.joined(separator: ",") + "\r\n").utf8)) }
            try await store.forEachBatch(filter) { batch in
                var out = Data()
                for record in batch {
                    if format == "csv" {
                        out.append(Data((record.csvRow + "\r\n").utf8))
                    } else {
                        out.append(contentsOf: record.forkJSONLine.encoded())
                        out.append(0x0A)
                    }
                }
                FileHandle.standardOutput.write(out)
            }
        }
    }

    private func get(_ path: String, _ filter: UsageFilter, extra: [(String, String)]) throws -> JSONValue {
        let body = try self.request(path, filter, extra: extra, timeout: 30)
        guard let value = try? JSONParser.parse(Array(body)) else {
            throw CLIError(message: "ccr: the router's answer to \(path) is not JSON", code: 1)
        }
        return value
    }

    private func request(_ path: String, _ filter: UsageFilter, extra: [(String, String)], timeout: TimeInterval) throws -> Data {
        guard case .server(let port, let headers) = self else { return Data() }
        var components = URLComponents()
        components.path = path
        components.queryItems = (filter.queryItems + extra).map { URLQueryItem(name: $0.0, value: $0.1) }
        // `+` in a time zone offset must survive as itself.
        let target = (components.percentEncodedPath) + "?" + (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        let answer: LocalHTTP.Response
        do {
            answer = try LocalHTTP.request(port: port, path: target, headers: headers, timeout: timeout)
        } catch {
            throw CLIError(message: "ccr: the router on port \(port) did not answer \(path): \(error)", code: 1)
        }
        guard answer.status == 200 else {
            let message = (try? JSONParser.parse(Array(answer.body)))?["error"]?["message"]?.stringValue
                ?? String(decoding: answer.body.prefix(300), as: UTF8.self)
            throw CLIError(message: "ccr: \(message)", code: 1)
        }
        return answer.body
    }
}
