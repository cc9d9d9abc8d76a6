import Logging

/// Redacts the message of another handler (used for the console).
public struct RedactingLogHandler: LogHandler {
    var inner: StreamLogHandler
    let redactor: Redactor

    public init(inner: StreamLogHandler, redactor: Redactor) {
        self.inner = inner
        self.redactor = redactor
    }

    public var metadata: Logger.Metadata {
        get { self.inner.metadata }
        set { self.inner.metadata = newValue }
    }

    public var logLevel: Logger.Level {
        get { self.inner.logLevel }
        set { self.inner.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.inner[metadataKey: key] }
        set { self.inner[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        var redacted = event
        redacted.message = "\(self.redactor.redact(event.message.description))"
        redacted.metadata = event.metadata?.mapValues { .string(self.redactor.redact("\($0)")) }
        self.inner.log(event: redacted)
    }
}
