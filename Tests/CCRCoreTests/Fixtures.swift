import CCRCore
import Foundation

/// The recorded traffic copied into this test target (see Fixtures/*/NOTICE.md).
enum Fixtures {
    static let root: URL = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    /// One recorded provider response and what the recording says the client should get.
    struct ProviderCase: CustomStringConvertible, Sendable {
        var id: String
        var wire: String
        var stream: Bool
        var status: Int
        var body: [UInt8]
        var expect: JSONValue
        var followup: JSONValue?
        var request: JSONValue?
        var description: String { self.id }
    }

    static func providerCases(wire: String) -> [ProviderCase] {
        let index = try! JSONParser.parse(Array(Data(contentsOf: root.appendingPathComponent("providers/INDEX.json"))))
        return (index.arrayValue ?? []).filter { $0["wire"]?.stringValue == wire }.map { entry in
            let path = root.appendingPathComponent("providers").appendingPathComponent(entry["path"]!.stringValue!)
            let file = try! JSONParser.parse(Array(Data(contentsOf: path)))
            let body: [UInt8] = file["body"]?.stringValue.map { Array($0.utf8) } ?? Base64URL.decode(file["body_base64"]?.stringValue ?? "") ?? []
            return ProviderCase(
                id: file["id"]!.stringValue!, wire: wire, stream: file["stream"] == true, status: file["status"]?.intValue ?? 200,
                body: body, expect: file["expect"] ?? .null, followup: file["followup"].flatMap { $0.isNull ? nil : $0 },
                request: file["request"].flatMap { $0.isNull ? nil : $0 })
        }
    }

    /// A real Claude Code request body (Fixtures/claude-code).
    static func claudeCodeRequest(_ name: String) -> JSONValue {
        let file = try! JSONParser.parse(Array(Data(contentsOf: root.appendingPathComponent("claude-code/\(name)"))))
        return file["body"]!
    }

    /// A real Claude Code request's headers, names lowercased.
    static func claudeCodeHeaders(_ name: String) -> [String: String] {
        let file = try! JSONParser.parse(Array(Data(contentsOf: root.appendingPathComponent("claude-code/\(name)"))))
        var headers: [String: String] = [:]
        for member in file["headers"]?.objectValue?.members ?? [] { headers[member.key.lowercased()] = member.value.stringValue }
        return headers
    }

    static var claudeCodeRequestNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("claude-code").path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
    }

    /// Collapses whitespace runs, as the conformance harness compares text.
    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func noWhitespace(_ text: String) -> String {
        text.filter { !$0.isWhitespace }
    }
}
