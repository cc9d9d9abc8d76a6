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
        let exchange = UpstreamExchange(state: self.state, provider: self.provider, decision: self.decision, context: context)
        let response = try await exchange.send(upstreamRequest)
        if response.status.code >= 400 {
            return try await exchange.errorResponse(from: response)
        }
        var headers = UpstreamRequestBuilder.relayedResponseHeaders(response.headers)
        exchange.decorate(&headers)
        let isStream = response.headers.first(name: "content-type")?.lowercased().contains("text/event-stream") ?? false
        if isStream { headers[.cacheControl] = "no-cache" }
        let upstreamBody = response.body
        let watch = context.connectionWatch
        let logger = context.logger
        let state = self.state
        state.inFlight.add(1, ordering: .relaxed)
        return Response(
            status: .init(code: Int(response.status.code)),
            headers: headers,
            body: ResponseBody { writer in
                defer { state.inFlight.subtract(1, ordering: .relaxed) }
                do {
                    try await watch.cancellingOnClose {
                        for try await chunk in upstreamBody {
                            try await writer.write(chunk)
                        }
                    }
                } catch is ClientDisconnected {
                    logger.info("client disconnected mid-stream; upstream request cancelled")
                    return
                } catch {
                    logger.warning("upstream failed mid-stream", metadata: ["error": "\(error)"])
                    if isStream {
                        let failure = AnthropicError(status: 502, kind: .api, message: "ccr: provider '\(self.provider.name)' failed mid-stream: \(UpstreamFailure.describe(error))")
                        try? await writer.write(ByteBuffer(bytes: failure.sseEvent))
                    }
                }
                try await writer.finish(nil)
            })
    }
}
