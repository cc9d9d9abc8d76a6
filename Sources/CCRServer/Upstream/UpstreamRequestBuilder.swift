import AsyncHTTPClient
import CCRCore
import HTTPTypes
import NIOCore
import NIOHTTP1

/// Builds the request to a provider from the client's headers.
enum UpstreamRequestBuilder {
    /// Headers never forwarded: hop-by-hop, the client's credentials, framing and encoding
    /// (the router relays an uncompressed body, and the provider's key replaces the client's).
    static let droppedRequestHeaders: Set<String> = [
        "host", "content-length", "connection", "keep-alive", "proxy-authorization", "proxy-connection", "proxy-authenticate",
        "te", "trailer", "transfer-encoding", "upgrade", "authorization", "x-api-key", "accept-encoding", "cookie",
        "x-goog-api-key", "origin", "referer",
    ]

    /// A POST of `body` to `url` with the client's forwardable headers and `extra` on top.
    static func request(url: String, clientHeaders: HTTPFields, extra: [(String, String)], body: [UInt8]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for field in clientHeaders where !Self.droppedRequestHeaders.contains(field.name.canonicalName) {
            request.headers.add(name: field.name.rawName, value: field.value)
        }
        for (name, value) in extra {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        request.headers.replaceOrAdd(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// Response headers worth relaying to Claude Code from a provider.
    /// The headers an OpenAI-style provider (Chat Completions, Responses) gets: `accept`, and its
    /// key as `Authorization: Bearer`, or `api-key` on Azure OpenAI hosts.
    static func openAIStyleHeaders(_ provider: ProviderConfiguration) -> [(String, String)] {
        var headers: [(String, String)] = [("accept", "application/json, text/event-stream")]
        if let key = provider.apiKey {
            let host = provider.endpoint?.host ?? ""
            headers.append(host.hasSuffix(".azure.com") ? ("api-key", key) : ("authorization", "Bearer \(key)"))
        }
        return headers
    }

    static func relayedResponseHeaders(_ headers: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        for header in headers {
            let name = header.name.lowercased()
            if name == "content-type" || name == "retry-after" || name == "retry-after-ms" || name == "x-should-retry"
                || name == "request-id" || name.hasPrefix("anthropic-ratelimit-") || name.hasPrefix("x-ratelimit-")
            {
                if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: header.value)) }
            }
        }
        return fields
    }
}
