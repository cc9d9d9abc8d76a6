import CCRCore
import Foundation
import HTTPTypes
import Hummingbird

/// The access rules of SPEC §S1.
///
/// With `APIKEY`: every route but `/health` needs `Authorization: Bearer <key>` or
/// `x-api-key: <key>` (compared in constant time). Without it: the server is on loopback only, and
/// a browser `Origin` other than the server's own, or a `Host` that is not loopback (DNS
/// rebinding), is refused.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = CCRRequestContext
    let state: ServerState

    static let publicPaths: Set<String> = ["/", "/health"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if Self.publicPaths.contains(path) { return try await next(request, context) }
        let configuration = self.state.snapshot.configuration
        if let key = configuration.apiKey {
            let presented = Self.presentedKey(request.headers)
            guard let presented else {
                throw AnthropicError(status: 401, kind: .authentication, message: "ccr: API key missing: send Authorization: Bearer <APIKEY> or x-api-key: <APIKEY>")
            }
            guard ConstantTime.equal(presented, key) else {
                throw AnthropicError(status: 401, kind: .authentication, message: "ccr: invalid API key (it must equal APIKEY in config.json)")
            }
            return try await next(request, context)
        }
        if let origin = request.headers[.origin], !Self.isOwnOrigin(origin, port: self.state.port) {
            throw AnthropicError(status: 403, kind: .permission, message: "ccr: requests from origin \(origin) are refused; set APIKEY in config.json to allow other origins")
        }
        if let host = request.head.authority ?? request.headers[HTTPField.Name("host")!], !Self.isLoopbackHost(host) {
            throw AnthropicError(status: 403, kind: .permission, message: "ccr: Host '\(host)' is not a loopback name; without APIKEY only 127.0.0.1/localhost are served")
        }
        return try await next(request, context)
    }

    static func presentedKey(_ headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization], !authorization.isEmpty {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
            return authorization
        }
        if let key = headers[HTTPField.Name("x-api-key")!], !key.isEmpty { return key }
        return nil
    }

    static func isOwnOrigin(_ origin: String, port: Int) -> Bool {
        guard let parts = URLParts(origin) else { return false }
        return parts.scheme == "http" && CCRConfiguration.isLoopback(parts.host) && parts.port == port
    }

    static func isLoopbackHost(_ host: String) -> Bool {
        var name = host
        if name.hasPrefix("[") {
            if let close = name.firstIndex(of: "]") { name = String(name[name.index(after: name.startIndex)..<close]) }
        } else if let colon = name.lastIndex(of: ":"), name.filter({ $0 == ":" }).count == 1 {
            name = String(name[..<colon])
        }
        return CCRConfiguration.isLoopback(name)
    }
}

/// Comparison that takes the same time wherever the first difference is.
enum ConstantTime {
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        let count = max(x.count, y.count)
        for index in 0..<count {
            let left = index < x.count ? x[index] : 0
            let right = index < y.count ? y[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
