import AsyncHTTPClient
import CCRCore
import Synchronization
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// One call to a provider on behalf of a client request: sending with cancellation on client
/// disconnect, mapping transport failures and error answers to Anthropic errors.
struct UpstreamExchange {
    let state: ServerState
    let provider: ProviderConfiguration
    let decision: RouteDecision
    let context: CCRRequestContext

    var host: String { URLParts(self.provider.baseURL).map { "\($0.host):\($0.port)" } ?? self.provider.baseURL }

    /// Sends the request; returns once the head is in.
    func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let hostName = URLParts(self.provider.baseURL)?.host ?? ""
        do {
            return try await self.context.connectionWatch.cancellingOnClose {
                try await self.state.upstream.execute(request, host: hostName, logger: self.context.logger)
            }
        } catch is ClientDisconnected {
            self.context.logger.info("client disconnected while waiting for the provider; upstream request cancelled")
            throw ClientDisconnected()
        } catch {
            let failure = UpstreamFailure.error(
                error, provider: self.provider, host: self.host,
                timeoutMilliseconds: self.state.snapshot.configuration.apiTimeoutMilliseconds)
            self.context.logger.warning("upstream unreachable", metadata: ["provider": "\(self.provider.name)", "error": "\(failure.message)"])
            throw failure
        }
    }

    /// The answer for an upstream error status: Anthropic-shaped, status and retry headers kept.
    func errorResponse(from response: HTTPClientResponse) async throws -> Response {
        let body: [UInt8]
        do {
            body = try await self.context.connectionWatch.cancellingOnClose {
                var buffer = try await response.body.collect(upTo: 1 << 20)
                return buffer.readBytes(length: buffer.readableBytes) ?? []
            }
        } catch is ClientDisconnected {
            throw ClientDisconnected()
        } catch {
            body = Array("(error body unreadable: \(error))".utf8)
        }
        let status = Int(response.status.code)
        let error = AnthropicError.fromUpstream(status: status, body: body, provider: self.provider.name, model: self.decision.target.model)
        var headers = UpstreamRequestBuilder.relayedResponseHeaders(response.headers)
        headers[.contentType] = nil
        self.decorate(&headers)
        self.state.failed.add(1, ordering: .relaxed)
        self.context.logger.warning(
            "provider answered an error", metadata: ["provider": "\(self.provider.name)", "status": "\(status)"])
        return AnthropicErrorMiddleware.response(error, requestID: self.context.requestID, extraHeaders: headers)
    }

    /// Adds the route and request id headers.
    func decorate(_ headers: inout HTTPFields) {
        headers[HTTPField.Name("x-ccr-route")!] = self.decision.headerValue
        headers[HTTPField.Name("x-request-id")!] = self.context.requestID
    }
}
