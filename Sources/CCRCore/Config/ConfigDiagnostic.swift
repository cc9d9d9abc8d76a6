/// One problem (or warning) found in a config file: where it is, what is wrong, how to fix it.
public struct ConfigDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        case error
        case warning
    }

    public var severity: Severity
    /// JSON path of the value (`Providers[1].api_key`), `$` for the document.
    public var path: String
    /// Line and column in the file, when the value exists in the source.
    public var location: JSONSourceLocation?
    /// What is wrong.
    public var message: String
    /// What to do about it.
    public var fix: String?

    public init(
        _ severity: Severity,
        path: String,
        location: JSONSourceLocation? = nil,
        message: String,
        fix: String? = nil
    ) {
        self.severity = severity
        self.path = path
        self.location = location
        self.message = message
        self.fix = fix
    }

    /// One line: `error: Providers[1].api_key (12:7): missing … — fix: …`.
    public var description: String {
        var line = "\(self.severity.rawValue): \(self.path)"
        if let location { line += " (\(location))" }
        line += ": \(self.message)"
        if let fix { line += ". Fix: \(fix)" }
        return line
    }
}

/// A config that cannot be used, with every problem found.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// The file the problems are in (for messages).
    public var file: String
    /// Every problem, errors first.
    public var diagnostics: [ConfigDiagnostic]

    public init(file: String, diagnostics: [ConfigDiagnostic]) {
        self.file = file
        self.diagnostics = diagnostics
    }

    public var description: String {
        let errors = self.diagnostics.filter { $0.severity == .error }
        var lines = ["\(self.file): \(errors.count) problem\(errors.count == 1 ? "" : "s")"]
        lines += self.diagnostics.map { "  " + $0.description }
        return lines.joined(separator: "\n")
    }
}
