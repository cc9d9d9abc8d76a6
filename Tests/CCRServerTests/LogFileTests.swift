import CCRCore
import CCRServer
import Foundation
import Logging
import Synchronization
import Testing

@Suite("Log files: JSON lines, redaction, rotation")
struct LogFileTests {
    static func directory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ccr-logs-\(UUID().uuidString.prefix(8))")
    }

    static func lines(_ url: URL) throws -> [JSONValue] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
    }

    @Test func writesOneJSONObjectPerLineWithTheRequestIDAndNoSecret() throws {
        let directory = Self.directory()
        let sink = try LogFileSink(directory: directory)
        let secret = "sk-live-provider-abcdef123456"
        var logger = Logger(label: "ccr") { label in
            JSONLinesLogHandler(label: label, sink: sink, level: .info, redactor: Redactor(secrets: [secret]))
        }
        logger[metadataKey: "request_id"] = "req_0000001"
        logger.info("calling provider with key \(secret)", metadata: ["headers": ["authorization": "Bearer \(secret)"], "attempt": "1"])
        logger.debug("below the level, not written")
        let text = try String(contentsOf: sink.currentFile, encoding: .utf8)
        #expect(!text.contains(secret))
        let lines = try Self.lines(sink.currentFile)
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line["request_id"] == "req_0000001")
        #expect(line["level"] == "info")
        #expect(line["attempt"] == "1")
        #expect(line["msg"]?.stringValue?.hasPrefix("calling provider with key ") == true)
        #expect(line["headers"]?["authorization"]?.stringValue?.contains("sk-live") == false)
        #expect(line["time"]?.stringValue.flatMap(UsageTime.parse) != nil)
        // The log file is the user's own.
        let mode = try FileManager.default.attributesOfItem(atPath: sink.currentFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func rotatesBySizeAndKeepsTheNewestFiles() throws {
        let directory = Self.directory()
        let sink = try LogFileSink(directory: directory, maxBytes: 1_000, maxFiles: 2)
        let line = Array(repeating: UInt8(ascii: "x"), count: 300)
        for _ in 0..<20 { sink.write(line: line) }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let rotated = names.filter { $0.hasPrefix("ccr-") }
        #expect(names.contains("ccr.log"))
        #expect(rotated.count == 2)
        let size = try FileManager.default.attributesOfItem(atPath: sink.currentFile.path)[.size] as? Int ?? 0
        #expect(size <= 1_000)
    }

    @Test func rotatesWhenTheDayChanges() throws {
        let directory = Self.directory()
        let day = Atomic<Int>(20_000)
        let sink = try LogFileSink(directory: directory, day: { day.load(ordering: .relaxed) })
        sink.write(line: Array("monday".utf8))
        sink.write(line: Array("monday again".utf8))
        day.store(20_001, ordering: .relaxed)
        sink.write(line: Array("tuesday".utf8))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("ccr-") }
        #expect(names.count == 1)
        let old = try String(contentsOf: directory.appendingPathComponent(names[0]), encoding: .utf8)
        #expect(old == "monday\nmonday again\n")
        #expect(try String(contentsOf: sink.currentFile, encoding: .utf8) == "tuesday\n")
    }
}
