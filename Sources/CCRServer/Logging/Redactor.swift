/// Removes secrets from text before it is logged or sent back.
///
/// Known secrets (provider keys, `APIKEY`) are replaced wherever they appear; besides, anything
/// that looks like a bearer token or an API key (`sk-…`, `Bearer …`, `key=…`) is masked.
public struct Redactor: Sendable {
    public var secrets: [String]

    public init(secrets: [String]) {
        // Longest first, so a key that contains another is replaced whole.
        self.secrets = Array(Set(secrets.filter { $0.count >= 4 })).sorted { $0.count > $1.count }
    }

    public func redact(_ text: String) -> String {
        var out = text
        for secret in self.secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: Self.fingerprintLabel(secret))
        }
        return Self.maskPatterns(out)
    }

    /// `[redacted …abcd]`: the last four characters, enough to tell keys apart.
    static func fingerprintLabel(_ secret: String) -> String {
        "[redacted …\(secret.suffix(4))]"
    }

    static func maskPatterns(_ text: String) -> String {
        guard text.contains("sk-") || text.contains("Bearer ") || text.contains("key=") || text.contains("AIza") else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        let markers = ["Bearer ", "sk-", "key=", "AIza"]
        while !rest.isEmpty {
            var earliest: (Range<Substring.Index>, String)?
            for marker in markers {
                if let range = rest.range(of: marker), earliest == nil || range.lowerBound < earliest!.0.lowerBound {
                    earliest = (range, marker)
                }
            }
            guard let (range, marker) = earliest else {
                result += rest
                break
            }
            result += rest[..<range.upperBound]
            var end = range.upperBound
            while end < rest.endIndex, let scalar = rest[end].unicodeScalars.first,
                scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_" || scalar == "." || scalar == "/" || scalar == "+" || scalar == "="
            {
                end = rest.index(after: end)
            }
            let token = rest[range.upperBound..<end]
            if token.count >= 6 {
                result += "[redacted]"
            } else {
                result += token
            }
            _ = marker
            rest = rest[end...]
        }
        return result
    }
}
