import CCRCore
import CCRServer
import Foundation
import Logging

/// Sends logs to `logs/ccr.log` (JSON lines, rotated, redacted) and notices to stderr.
enum LogSetup {
    static func bootstrap(configuration: CCRConfiguration, home: CCRHome) throws -> Logger {
        let redactor = Redactor(secrets: configuration.secrets)
        let level = Self.level(configuration.logLevel)
        let sink: LogFileSink? = configuration.logEnabled ? try LogFileSink(directory: home.logsDirectory, maxBytes: configuration.logMaxBytes, maxFiles: configuration.logMaxFiles) : nil
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
