/// Builds the JSON paths used in diagnostics (`Providers[1].api_key`).
public enum JSONPath {
    public static func key(_ parent: String, _ key: String) -> String {
        let isIdentifier = !key.isEmpty
            && key.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F || $0 == 0x24 || $0 >= 0x80 }
            && !(key.utf8.first.map { $0 >= 0x30 && $0 <= 0x39 } ?? false)
        if isIdentifier { return parent == "$" ? key : parent + "." + key }
        return (parent == "$" ? "$" : parent) + "[\"\(key)\"]"
    }

    public static func index(_ parent: String, _ index: Int) -> String {
        (parent == "$" ? "$" : parent) + "[\(index)]"
    }
}
