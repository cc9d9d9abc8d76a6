import AsyncHTTPClient
import CCRCore
import Synchronization
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// Serves a request from an Anthropic-compatible provider: the client's body with only `model`
/// replaced, every other byte as sent; the answer relayed as it arrives.
struct AnthropicPassthrough {
    let state: ServerState
    let provider: ProviderConfiguration
    let decision: RouteDecision
    var sessionID: String? = nil

    func forward(body: [UInt8], request: Request, context: CCRRequestContext) async throws -> Response {
        guard let patched = JSONTopLevel.replacingString("model", with: self.decision.target.model, in: body) else {
            throw AnthropicError.invalidRequest("request body must be a JSON object")
        }
        var extra: [(String, String)] = []
        if let key = self.provider.apiKey {
            let useBearer = self.provider.transformers.contains { $0.name == "Anthropic" && $0.options["UseBearer"]?.boolValue == true }
            extra.append(useBearer ? ("authorization", "Bearer \(key)") : ("x-api-key", key))
        }
        if request.headers[HTTPField.Name("anthropic-version")!] == nil { extra.append(("anthropic-version", "2023-06-01")) }
        let upstreamRequest = UpstreamRequestBuilder.request(url: self.provider.baseURL, clientHeaders: request.headers, extra: extra, body: patched)
        var exchange = UpstreamExchange(state: self.state, provider: self.provider, decision: self.decision, context: context)
        exchange.sessionID = self.sessionID
        let response = try await exchange.send(upstreamRequest)
        if response.status.code >= 400 {
            return try await exchange.errorResponse(from: response)
        }
        var headers = UpstreamRequestBuilder.relayedResponseHeaders(response.headers)
        exchange.decorate(&headers)
        let isStream = response.headers.first(name: "content-type")?.lowercased().contains("text/event-stream") ?? false
        if isStream { headers[.cacheControl] = "no-cache" }
        let upstreamBody = response.body
        return exchange.streamingResponse(status: .init(code: Int(response.status.code)), headers: headers) { write in
            for try await chunk in upstreamBody {
                try await write(chunk)
            }
        }
    }
}
