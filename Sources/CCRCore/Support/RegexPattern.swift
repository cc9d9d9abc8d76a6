/// A compiled regular expression that can be shared between requests.
///
/// Swift's `Regex<AnyRegexOutput>` is not `Sendable`; matching does not mutate it, so one compiled
/// program is shared read-only.
public final class RegexPattern: @unchecked Sendable, CustomStringConvertible {
    public let description: String
    private let regex: Regex<AnyRegexOutput>

    /// - Throws: the compiler's error when the pattern is not valid.
    public init(_ pattern: String) throws {
        self.description = pattern
        self.regex = try Regex(pattern)
    }

    /// Whether any part of the text matches.
    public func matches(in text: String) -> Bool {
        (try? self.regex.firstMatch(in: text)) != nil
    }
}
