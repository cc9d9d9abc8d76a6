import CCRCore
import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line to a ``LogFileSink``, with secrets
/// redacted from the message and metadata.
public struct JSONLinesLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let sink: LogFileSink
    let redactor: Redactor

    public init(label: String, sink: LogFileSink, level: Logger.Level, redactor: Redactor) {
        self.label = label
        self.sink = sink
        self.logLevel = level
        self.redactor = redactor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object = JSONObject()
        object["time"] = .string(Self.timestamp())
        object["level"] = .string(event.level.rawValue)
        object["msg"] = .string(self.redactor.redact(event.message.description))
        var merged = self.metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for key in merged.keys.sorted() {
            object[key] = Self.json(merged[key]!, self.redactor)
        }
        self.sink.write(line: JSONValue.object(object).encoded())
    }

    static func json(_ value: Logger.MetadataValue, _ redactor: Redactor) -> JSONValue {
        switch value {
        case .string(let s): return .string(redactor.redact(s))
        case .stringConvertible(let c): return .string(redactor.redact(c.description))
        case .array(let a): return .array(a.map { json($0, redactor) })
        case .dictionary(let d): return .object(JSONObject(d.keys.sorted().map { .init(key: $0, value: json(d[$0]!, redactor)) }))
        }
    }

    static func timestamp() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        var seconds = time_t(time.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(Int(time.tv_nsec / 1_000_000), 3))Z"
    }
}
