/// An outbound proxy and the hosts that bypass it.
public struct ProxySettings: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// An HTTP proxy, used with CONNECT.
        case http
        /// A SOCKS5 proxy.
        case socks
    }

    public var kind: Kind
    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?

    public init(kind: Kind, host: String, port: Int, user: String? = nil, password: String? = nil) {
        self.kind = kind
        self.host = host
        self.port = port
        self.user = user
        self.password = password
    }

    /// Parses `http://[user:pass@]host:port` or `socks5://host:port`; `nil` otherwise.
    public static func parse(_ text: String) -> ProxySettings? {
        guard let parts = URLParts(text) else { return nil }
        switch parts.scheme {
        case "http", "https":
            return ProxySettings(kind: .http, host: parts.host, port: parts.port, user: parts.user, password: parts.password)
        case "socks5", "socks5h", "socks":
            return ProxySettings(kind: .socks, host: parts.host, port: parts.port, user: parts.user, password: parts.password)
        default:
            return nil
        }
    }

    /// Whether `host` matches a `NO_PROXY` list (exact names, `.suffix` / `suffix` domains, `*`).
    /// Loopback never goes through a proxy.
    public static func bypasses(host: String, noProxy: [String]) -> Bool {
        let host = host.lowercased()
        if CCRConfiguration.isLoopback(host) { return true }
        for entry in noProxy {
            if entry == "*" { return true }
            var pattern = entry
            if let colon = pattern.lastIndex(of: ":"), !pattern.contains("]") { pattern = String(pattern[..<colon]) }
            if pattern.hasPrefix("*.") { pattern.removeFirst() }
            if pattern.hasPrefix(".") {
                if host.hasSuffix(pattern) || host == String(pattern.dropFirst()) { return true }
            } else if host == pattern || host.hasSuffix("." + pattern) {
                return true
            }
        }
        return false
    }
}
