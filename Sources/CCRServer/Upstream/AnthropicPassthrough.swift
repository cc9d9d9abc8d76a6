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
    /// For Vertex AI: the full `:streamRawPredict` / `:rawPredict` URL and the access token. The
    /// body is then sent as given (the caller has put the model in the URL).
    var vertex: VertexCall? = nil

    func forward(body: [UInt8], request: Request, context: CCRRequestContext) async throws -> Response {
        let patched: [UInt8]
        if self.vertex != nil {
            patched = body
        } else {
            guard let replaced = JSONTopLevel.replacingString("model", with: self.decision.target.model, in: body) else {
                throw AnthropicError.invalidRequest("request body must be a JSON object")
            }
            patched = replaced
        }
        var extra: [(String, String)] = []
        if let vertex = self.vertex {
            extra.append(("authorization", "Bearer \(vertex.token)"))
        } else if let key = self.provider.apiKey {
            let useBearer = self.provider.transformers.contains { $0.name == "Anthropic" && $0.options["UseBearer"]?.boolValue == true }
            extra.append(useBearer ? ("authorization", "Bearer \(key)") : ("x-api-key", key))
        }
        if request.headers[HTTPField.Name("anthropic-version")!] == nil { extra.append(("anthropic-version", "2023-06-01")) }
        let upstreamRequest = UpstreamRequestBuilder.request(url: self.vertex?.url ?? self.provider.baseURL, clientHeaders: request.headers, extra: extra, body: patched)
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
        if !isStream {
            // One JSON message: small; read it whole so that an empty or broken answer is still
            // a failure ccr can retry or fall back from.
            let body: ByteBuffer
            do {
                body = try await context.connectionWatch.cancellingOnClose { try await response.body.collect(upTo: 64 << 20) }
            } catch is ClientDisconnected {
                throw ClientDisconnected()
            } catch {
                throw AnthropicError(status: 502, kind: .api, message: "ccr: provider '\(self.provider.name)' failed while answering: \(UpstreamFailure.describe(error))")
            }
            guard let message = try? JSONParser.parse(Array(body.readableBytesView)), message.objectValue != nil else {
                throw AnthropicError(
                    status: 502, kind: .api,
                    message: "ccr: provider '\(self.provider.name)' (model \(self.decision.target.model)) answered 200 with \(body.readableBytes == 0 ? "an empty body" : "a body that is not a JSON message")")
            }
            exchange.record(message: message)
            return Response(status: .init(code: Int(response.status.code)), headers: headers, body: ResponseBody(byteBuffer: body))
        }
        let reader = UpstreamBodyReader(response.body)
        var held: [ByteBuffer] = []
        do {
            // Read up to the first content before answering: an empty stream or an error event
            // first is still an HTTP error, which Claude Code retries and ccr can fall back from.
            var check = AnthropicFirstEventCheck()
            let outcome: AnthropicError? = try await context.connectionWatch.cancellingOnClose {
                while true {
                    let chunk: ByteBuffer?
                    do {
                        chunk = try await reader.next()
                    } catch let error as CancellationError {
                        throw error
                    } catch {
                        return AnthropicError(status: 502, kind: .api, message: "ccr: provider '\(self.provider.name)' failed before any content: \(UpstreamFailure.describe(error))")
                    }
                    guard let chunk else {
                        return check.sawMessageStart
                            ? nil
                            : AnthropicError(status: 502, kind: .api, message: "ccr: provider '\(self.provider.name)' (model \(self.decision.target.model)) ended its stream before any event")
                    }
                    held.append(chunk)
                    chunk.withUnsafeReadableBytes { check.feed($0) }
                    switch check.verdict {
                    case .waiting: continue
                    case .good: return nil
                    case .failed(let error):
                        return AnthropicError(
                            status: error.status, kind: error.kind,
                            message: "provider '\(self.provider.name)' (model \(self.decision.target.model)) sent an error before any content: \(error.message)")
                    }
                }
            }
            if let outcome {
                self.state.failed.add(1, ordering: .relaxed)
                context.logger.warning("provider stream failed before content", metadata: ["provider": "\(self.provider.name)", "error": "\(outcome.message)"])
                var fields = HTTPFields()
                exchange.decorate(&fields)
                return exchange.failureResponse(outcome, headers: fields)
            }
        }
        let first = held
        return exchange.streamingResponse(status: .init(code: Int(response.status.code)), headers: headers, tracksBlocks: true) { write in
            for chunk in first { try await write(chunk) }
            while let chunk = try await reader.next() {
                try await write(chunk)
            }
        }
    }
}
