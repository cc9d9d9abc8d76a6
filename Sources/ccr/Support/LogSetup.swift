import CCRCore
import CCRServer
import Foundation
import Logging

/// Sends logs to `logs/ccr.log` (JSON lines, rotated, redacted) and notices to stderr.
enum LogSetup {
    static func bootstrap(configuration: CCRConfiguration, home: CCRHome) throws -> Logger {
        var secrets = configuration.providers.compactMap(\.apiKey)
        if let key = configuration.apiKey { secrets.append(key) }
        let redactor = Redactor(secrets: secrets)
        let level = Self.level(configuration.logLevel)
        let sink: LogFileSink? = configuration.logEnabled ? try LogFileSink(directory: home.logsDirectory) : nil
        LoggingSystem.bootstrap { label in
            var handlers: [any LogHandler] = []
            if let sink { handlers.append(JSONLinesLogHandler(label: label, sink: sink, level: level, redactor: redactor)) }
            var console = StreamLogHandler.standardError(label: label)
            console.logLevel = .notice
            handlers.append(RedactingLogHandler(inner: console, redactor: redactor))
            return MultiplexLogHandler(handlers)
        }
        var logger = Logger(label: "ccr")
        logger.logLevel = min(level, .notice)
        return logger
    }

    static func level(_ name: String) -> Logger.Level {
        switch name {
        case "trace": return .trace
        case "debug": return .debug
        case "notice": return .notice
        case "warn", "warning": return .warning
        case "error": return .error
        case "fatal", "critical": return .critical
        default: return .info
        }
    }
}

/// Redacts the message of another handler (used for the console).
struct RedactingLogHandler: LogHandler {
    var inner: StreamLogHandler
    let redactor: Redactor

    var metadata: Logger.Metadata {
        get { self.inner.metadata }
        set { self.inner.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { self.inner.logLevel }
        set { self.inner.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.inner[metadataKey: key] }
        set { self.inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var redacted = event
        redacted.message = "\(self.redactor.redact(event.message.description))"
        redacted.metadata = event.metadata?.mapValues { .string(self.redactor.redact("\($0)")) }
        self.inner.log(event: redacted)
    }
}
