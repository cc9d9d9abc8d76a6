import AsyncHTTPClient
import CCRCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Serves an Anthropic request from Gemini (`api_base_url` is the base ending in `/models/`, e.g.
/// `https://generativelanguage.googleapis.com/v1beta/models/`): converts the request, calls
/// `<base><model>:streamGenerateContent?alt=sse` (or `:generateContent` for a client that does
/// not stream) with `x-goog-api-key`, then converts Gemini's stream (or answer) back as it arrives.
struct GeminiRelay {
    let state: ServerState
    let provider: ProviderConfiguration
    let decision: RouteDecision
    var sessionID: String? = nil
    var inputTokenEstimate: Int? = nil

    /// How long Gemini may stay silent mid-stream (thinking) before Claude Code gets a `ping`.
    static let pingInterval: Duration = .seconds(10)

    /// A non-streaming answer: Gemini's JSON decoded straight into an Anthropic message.
    func message(from response: HTTPClientResponse, messageID: String, fields: HTTPFields, exchange: UpstreamExchange, context: CCRRequestContext) async throws -> Response {
        var fields = fields
        fields[.contentType] = "application/json"
        let bytes: [UInt8]
        do {
            bytes = try await context.connectionWatch.cancellingOnClose {
                let buffer = try await response.body.collect(upTo: 256 << 20)
                return buffer.withUnsafeReadableBytes { Array($0) }
            }
        } catch is ClientDisconnected {
            throw ClientDisconnected()
        } catch {
            throw AnthropicError(status: 502, kind: .api, message: "ccr: provider '\(self.provider.name)' failed while answering: \(UpstreamFailure.describe(error))")
        }
        do {
            guard let value = try? JSONParser.parse(bytes) else {
                throw AnthropicError(status: 502, kind: .api, message: "ccr: provider '\(self.provider.name)' answered with a body that is not JSON: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
            }
            let message = try GeminiResponseDecoder.message(from: value, messageID: messageID, model: self.decision.target.model)
            exchange.record(message: message)
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: message.encoded())))
        } catch let error as AnthropicError {
            self.state.failed.add(1, ordering: .relaxed)
            return AnthropicErrorMiddleware.response(error, requestID: context.requestID, extraHeaders: fields)
        }
    }

    /// Gemini's error answer, Anthropic-shaped with its status kept, and a `retry-after` from the
    /// `RetryInfo` Gemini puts in the body (not in a header) of a 429.
    func errorResponse(from response: HTTPClientResponse, exchange: UpstreamExchange, context: CCRRequestContext) async throws -> Response {
        let body: [UInt8]
        do {
            body = try await context.connectionWatch.cancellingOnClose {
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
        if headers[.retryAfter] == nil, let value = try? JSONParser.parse(body), let seconds = GeminiError.retryAfterSeconds(value) {
            headers[.retryAfter] = String(seconds)
        }
        exchange.decorate(&headers)
        self.state.failed.add(1, ordering: .relaxed)
        context.logger.warning("provider answered an error", metadata: ["provider": "\(self.provider.name)", "status": "\(status)"])
        return AnthropicErrorMiddleware.response(error, requestID: context.requestID, extraHeaders: headers)
    }

    func forward(body: JSONObject, bodyBytes: Int, context: CCRRequestContext) async throws -> Response {
        let target = GeminiTarget.infer(model: self.decision.target.model)
        let encoded = try GeminiRequestEncoder.encode(body, target: target)
        let wantsStream = body["stream"]?.boolValue == true
        let url = GeminiTarget.url(baseURL: self.provider.baseURL, model: target.model, stream: wantsStream)
        var headers: [(String, String)] = [("accept", wantsStream ? "text/event-stream" : "application/json")]
        if let key = self.provider.apiKey { headers.append(("x-goog-api-key", key)) }
        let request = UpstreamRequestBuilder.request(url: url, clientHeaders: [:], extra: headers, body: encoded.encoded())
        var exchange = UpstreamExchange(state: self.state, provider: self.provider, decision: self.decision, context: context)
        exchange.sessionID = self.sessionID
        let response = try await exchange.send(request)
        if response.status.code >= 400 {
            return try await self.errorResponse(from: response, exchange: exchange, context: context)
        }
        let messageID = "msg_ccr" + context.requestID.dropFirst("req_".count)
        let isSSE = response.headers.first(name: "content-type")?.lowercased().contains("text/event-stream") ?? false
        var fields = HTTPFields()
        exchange.decorate(&fields)
        if !wantsStream && !isSSE {
            return try await self.message(from: response, messageID: messageID, fields: fields, exchange: exchange, context: context)
        }
        let converter = GeminiStreamConverter(
            messageID: messageID, model: self.decision.target.model, inputTokenEstimate: max(1, self.inputTokenEstimate ?? bodyBytes / 4))
        let stream = ProviderStream(iterator: response.body.makeAsyncIterator(), isSSE: isSSE, converter: converter, providerName: self.provider.name)
        // Read until the first content: an empty or failing stream becomes an HTTP error here,
        // before Claude Code has seen anything.
        let first = try await stream.readUntilStarted(watch: context.connectionWatch)
        if case .failedBeforeContent(let error) = first.progress {
            self.state.failed.add(1, ordering: .relaxed)
            context.logger.warning("provider stream failed before content", metadata: ["provider": "\(self.provider.name)", "error": "\(error.message)"])
            return AnthropicErrorMiddleware.response(error, requestID: context.requestID, extraHeaders: fields)
        }
        if !wantsStream {
            // Gemini streamed although asked not to: assemble the message.
            let rest = try await context.connectionWatch.cancellingOnClose { try await stream.readToEnd() }
            var accumulator = AnthropicMessageAccumulator()
            accumulator.feed(first.bytes + rest)
            fields[.contentType] = "application/json"
            if let error = accumulator.error {
                let failure = AnthropicError(status: 502, kind: .api, message: error["message"]?.stringValue ?? "provider failed")
                return AnthropicErrorMiddleware.response(failure, requestID: context.requestID, extraHeaders: fields)
            }
            let message = GeminiResponseDecoder.thinkingFirst(accumulator.result)
            exchange.record(message: message)
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: message.encoded())))
        }
        fields[.contentType] = "text/event-stream"
        fields[.cacheControl] = "no-cache"
        return exchange.streamingResponse(status: .ok, headers: fields) { write in
            try await write(ByteBuffer(bytes: first.bytes))
            if first.progress == .finished { return }
            try await stream.pump(pingInterval: Self.pingInterval) { try await write(ByteBuffer(bytes: $0)) }
        }
    }
}

extension GeminiStreamConverter: ProviderStreamConverter {}
