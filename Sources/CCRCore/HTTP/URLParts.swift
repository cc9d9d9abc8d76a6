/// The parts of an absolute `http(s)://` or `socks5://` URL that the router needs.
public struct URLParts: Sendable, Equatable {
    public var scheme: String
    public var user: String?
    public var password: String?
    public var host: String
    public var port: Int
    /// Path and query, starting with `/`.
    public var pathAndQuery: String

    /// Parses an absolute URL; `nil` when it has no scheme or host, or a bad port.
    public init?(_ text: String) {
        guard let schemeEnd = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard !scheme.isEmpty else { return nil }
        var rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { (c: Character) -> Bool in c == "/" || c == "?" || c == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            if let colon = credentials.firstIndex(of: ":") {
                self.user = String(credentials[..<colon]).removingPercentEncoding
                self.password = String(credentials[credentials.index(after: colon)...]).removingPercentEncoding
            } else {
                self.user = String(credentials).removingPercentEncoding
            }
            authority = authority[authority.index(after: at)...]
        }
        var host = Substring(authority)
        var port: Int?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()) else { return nil }
                port = p
            } else if !after.isEmpty {
                return nil
            }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]) else { return nil }
            port = p
            host = host[..<colon]
        }
        guard !host.isEmpty, !host.contains(" ") else { return nil }
        let defaultPort: Int
        switch scheme {
        case "https": defaultPort = 443
        case "http": defaultPort = 80
        case "socks5", "socks5h", "socks": defaultPort = 1080
        default: return nil
        }
        let resolvedPort = port ?? defaultPort
        guard (1...65535).contains(resolvedPort) else { return nil }
        self.scheme = scheme
        self.host = String(host).lowercased()
        self.port = resolvedPort
        var path = String(rest)
        if let hash = path.firstIndex(of: "#") { path = String(path[..<hash]) }
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        self.pathAndQuery = path
    }

    /// `true` for https.
    public var isTLS: Bool { self.scheme == "https" }
}

extension String {
    /// Decodes `%XX` sequences; `nil` for a malformed one.
    var removingPercentEncoding: String? {
        guard self.contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = Array(self.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
