import AsyncHTTPClient
import CCRCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Serves an Anthropic request from an OpenAI Responses provider (`api_base_url` is the full
/// `…/v1/responses` endpoint): converts the request, then converts the provider's event stream
/// (or response object) back as it arrives.
struct OpenAIResponsesRelay {
    let state: ServerState
    let provider: ProviderConfiguration
    let decision: RouteDecision
    var sessionID: String? = nil
    var inputTokenEstimate: Int? = nil

    /// How long the provider may stay silent mid-stream (reasoning, searching) before Claude Code
    /// gets a `ping`.
    static let pingInterval: Duration = .seconds(10)

    /// A non-streaming answer: the provider's response object decoded into an Anthropic message.
    func message(
        from response: HTTPClientResponse, messageID: String, fields: HTTPFields, exchange: UpstreamExchange, context: CCRRequestContext
    ) async throws -> Response {
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
            let reason = UpstreamFailure.describe(error)
            throw AnthropicError(status: 502, kind: .api, message: "ccr: provider '\(self.provider.name)' failed while answering: \(reason)")
        }
        do {
            guard let value = try? JSONParser.parse(bytes) else {
                let preview = String(decoding: bytes.prefix(200), as: UTF8.self)
                throw AnthropicError(
                    status: 502, kind: .api, message: "ccr: provider '\(self.provider.name)' answered with a body that is not JSON: \(preview)")
            }
            let message = try OpenAIResponsesResponseDecoder.message(from: value, messageID: messageID, model: self.decision.target.model)
            exchange.record(message: message)
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: message.encoded())))
        } catch let error as AnthropicError {
            self.state.failed.add(1, ordering: .relaxed)
            return AnthropicErrorMiddleware.response(error, requestID: context.requestID, extraHeaders: fields)
        }
    }

    func forward(body: JSONObject, bodyBytes: Int, context: CCRRequestContext) async throws -> Response {
        let model = self.decision.target.model
        let options = self.provider.transformers(for: model).last { $0.name == "openai-responses" }?.options ?? [:]
        let target = OpenAIResponsesTarget.infer(baseURL: self.provider.baseURL, model: model, sessionID: self.sessionID, options: options)
        let encoded = try OpenAIResponsesRequestEncoder.encode(body, target: target)
        var headers: [(String, String)] = [("accept", "application/json, text/event-stream")]
        if let key = self.provider.apiKey {
            let host = self.provider.endpoint?.host ?? ""
            headers.append(host.hasSuffix(".azure.com") ? ("api-key", key) : ("authorization", "Bearer \(key)"))
        }
        let request = UpstreamRequestBuilder.request(url: self.provider.baseURL, clientHeaders: [:], extra: headers, body: encoded.encoded())
        var exchange = UpstreamExchange(state: self.state, provider: self.provider, decision: self.decision, context: context)
        exchange.sessionID = self.sessionID
        let response = try await exchange.send(request)
        if response.status.code >= 400 {
            return try await exchange.errorResponse(from: response)
        }
        let messageID = "msg_ccr" + context.requestID.dropFirst("req_".count)
        let isSSE = response.headers.first(name: "content-type")?.lowercased().contains("text/event-stream") ?? false
        let wantsStream = body["stream"]?.boolValue == true
        var fields = HTTPFields()
        exchange.decorate(&fields)
        if !wantsStream && !isSSE {
            return try await self.message(from: response, messageID: messageID, fields: fields, exchange: exchange, context: context)
        }
        let converter = OpenAIResponsesStreamConverter(
            messageID: messageID, model: self.decision.target.model, inputTokenEstimate: max(1, self.inputTokenEstimate ?? bodyBytes / 4))
        let stream = ProviderStream(iterator: response.body.makeAsyncIterator(), isSSE: isSSE, converter: converter, providerName: self.provider.name)
        // Read until the first content: an empty or failing stream becomes an HTTP error here,
        // before Claude Code has seen anything.
        let first = try await stream.readUntilStarted(watch: context.connectionWatch)
        if case .failedBeforeContent(let error) = first.progress {
            self.state.failed.add(1, ordering: .relaxed)
            context.logger.warning(
                "provider stream failed before content", metadata: ["provider": "\(self.provider.name)", "error": "\(error.message)"])
            return AnthropicErrorMiddleware.response(error, requestID: context.requestID, extraHeaders: fields)
        }
        if !wantsStream {
            // The provider streamed although asked not to: assemble the message.
            let rest = try await context.connectionWatch.cancellingOnClose { try await stream.readToEnd() }
            var accumulator = AnthropicMessageAccumulator()
            accumulator.feed(first.bytes + rest)
            fields[.contentType] = "application/json"
            if let error = accumulator.error {
                let failure = AnthropicError(status: 502, kind: .api, message: error["message"]?.stringValue ?? "provider failed")
                return AnthropicErrorMiddleware.response(failure, requestID: context.requestID, extraHeaders: fields)
            }
            exchange.record(message: accumulator.result)
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: accumulator.result.encoded())))
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
