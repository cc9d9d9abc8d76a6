/// Replaces `$VAR` and `${VAR}` in every string of a config, recursively.
///
/// - `$NAME` takes an UPPER_SNAKE name (`[A-Z_][A-Z0-9_]*`), as in the original.
/// - `${NAME}` takes any name up to `}`.
/// - `${NAME:-default}` uses `default` when the variable is unset or empty: the way to say a value
///   is optional.
/// - `$$` is a literal `$`.
///
/// A variable that is unset (or empty) without a default is reported with the variable's name and
/// the JSON path of the string that uses it; the text is left as written so the rest of the
/// config can still be checked.
public struct EnvironmentInterpolator: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// A variable that is used but not set.
    public struct Missing: Sendable, Equatable {
        public var variable: String
        public var path: String
    }

    /// Interpolates a whole document.
    public func interpolate(_ value: JSONValue, path: String = "$", missing: inout [Missing]) -> JSONValue {
        switch value {
        case .string(let s):
            return .string(self.interpolate(string: s, path: path, missing: &missing))
        case .array(let elements):
            var out: [JSONValue] = []
            out.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                out.append(self.interpolate(element, path: JSONPath.index(path, index), missing: &missing))
            }
            return .array(out)
        case .object(let object):
            var out = JSONObject()
            out.members.reserveCapacity(object.count)
            for member in object.members {
                out.members.append(
                    .init(key: member.key, value: self.interpolate(member.value, path: JSONPath.key(path, member.key), missing: &missing))
                )
            }
            return .object(out)
        default:
            return value
        }
    }

    /// Interpolates one string.
    public func interpolate(string: String, path: String, missing: inout [Missing]) -> String {
        guard string.utf8.contains(UInt8(ascii: "$")) else { return string }
        let scalars = Array(string.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        func isNameStart(_ c: Unicode.Scalar) -> Bool { (c >= "A" && c <= "Z") || c == "_" }
        func isNamePart(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || (c >= "0" && c <= "9") }
        while index < scalars.count {
            let c = scalars[index]
            guard c == "$", index + 1 < scalars.count else {
                out.append(c)
                index += 1
                continue
            }
            let next = scalars[index + 1]
            if next == "$" {
                out.append("$")
                index += 2
            } else if next == "{", let close = scalars[(index + 2)...].firstIndex(of: "}") {
                let inner = String(String.UnicodeScalarView(scalars[(index + 2)..<close]))
                var name = inner
                var fallback: String?
                if let range = inner.firstRange(of: ":-") {
                    name = String(inner[..<range.lowerBound])
                    fallback = String(inner[range.upperBound...])
                }
                if let value = self.environment[name], !value.isEmpty {
                    out.append(contentsOf: value.unicodeScalars)
                } else if let fallback {
                    out.append(contentsOf: fallback.unicodeScalars)
                } else {
                    missing.append(Missing(variable: name, path: path))
                    out.append(contentsOf: scalars[index...close])
                }
                index = close + 1
            } else if isNameStart(next) {
                var end = index + 1
                while end < scalars.count && isNamePart(scalars[end]) { end += 1 }
                let name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
                if let value = self.environment[name], !value.isEmpty {
                    out.append(contentsOf: value.unicodeScalars)
                } else {
                    missing.append(Missing(variable: name, path: path))
                    out.append(contentsOf: scalars[index..<end])
                }
                index = end
            } else {
                out.append(c)
                index += 1
            }
        }
        return String(out)
    }
}
