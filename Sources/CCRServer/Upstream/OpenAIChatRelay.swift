import AsyncAlgorithms
import AsyncHTTPClient
import CCRCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Serves an Anthropic request from an OpenAI Chat Completions provider: converts the request,
/// then converts the provider's stream (or message) back as it arrives.
struct OpenAIChatRelay {
    let state: ServerState
    let provider: ProviderConfiguration
    let decision: RouteDecision

    /// How long the provider may stay silent mid-stream before Claude Code gets a `ping`.
    static let pingInterval: Duration = .seconds(10)

    /// A non-streaming answer: the provider's JSON decoded straight into an Anthropic message.
    func message(from response: HTTPClientResponse, messageID: String, fields: HTTPFields, context: CCRRequestContext) async throws -> Response {
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
            let message = try OpenAIChatResponseDecoder.message(from: value, messageID: messageID, model: self.decision.target.model)
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: message.encoded())))
        } catch let error as AnthropicError {
            self.state.failed.add(1, ordering: .relaxed)
            return AnthropicErrorMiddleware.response(error, requestID: context.requestID, extraHeaders: fields)
        }
    }

    func forward(body: JSONObject, bodyBytes: Int, context: CCRRequestContext) async throws -> Response {
        let target = OpenAIChatTarget.infer(baseURL: self.provider.baseURL, model: self.decision.target.model)
        let encoded = try OpenAIChatRequestEncoder.encode(body, target: target)
        var headers: [(String, String)] = [("accept", "application/json, text/event-stream")]
        if let key = self.provider.apiKey {
            let host = URLParts(self.provider.baseURL)?.host ?? ""
            headers.append(host.hasSuffix(".azure.com") ? ("api-key", key) : ("authorization", "Bearer \(key)"))
        }
        let request = UpstreamRequestBuilder.request(url: self.provider.baseURL, clientHeaders: [:], extra: headers, body: encoded.encoded())
        let exchange = UpstreamExchange(state: self.state, provider: self.provider, decision: self.decision, context: context)
        let response = try await exchange.send(request)
        if response.status.code >= 400 {
            return try await exchange.errorResponse(from: response)
        }
        let messageID = "msg_ccr" + context.requestID.dropFirst("req_".count)
        let converter = OpenAIChatStreamConverter(messageID: messageID, model: self.decision.target.model, inputTokenEstimate: max(1, bodyBytes / 4))
        let isSSE = response.headers.first(name: "content-type")?.lowercased().contains("text/event-stream") ?? false
        let wantsStream = body["stream"]?.boolValue == true
        var fields = HTTPFields()
        exchange.decorate(&fields)
        if !wantsStream && !isSSE {
            return try await self.message(from: response, messageID: messageID, fields: fields, context: context)
        }
        let stream = ProviderStream(iterator: response.body.makeAsyncIterator(), isSSE: isSSE, converter: converter)
        // Read until the first content: an empty or failing stream becomes an HTTP error here,
        // before Claude Code has seen anything.
        let first = try await stream.readUntilStarted(watch: context.connectionWatch, provider: self.provider)
        if case .failedBeforeContent(let error) = first.progress {
            self.state.failed.add(1, ordering: .relaxed)
            context.logger.warning("provider stream failed before content", metadata: ["provider": "\(self.provider.name)", "error": "\(error.message)"])
            return AnthropicErrorMiddleware.response(error, requestID: context.requestID)
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
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: accumulator.result.encoded())))
        }
        fields[.contentType] = "text/event-stream"
        fields[.cacheControl] = "no-cache"
        let watch = context.connectionWatch
        let logger = context.logger
        let state = self.state
        state.inFlight.add(1, ordering: .relaxed)
        return Response(
            status: .ok, headers: fields,
            body: ResponseBody { writer in
                defer { state.inFlight.subtract(1, ordering: .relaxed) }
                do {
                    try await watch.cancellingOnClose {
                        try await writer.write(ByteBuffer(bytes: first.bytes))
                        if first.progress == .finished { return }
                        try await stream.pump(pingInterval: Self.pingInterval) { bytes in
                            try await writer.write(ByteBuffer(bytes: bytes))
                        }
                    }
                } catch is ClientDisconnected {
                    logger.info("client disconnected mid-stream; upstream request cancelled")
                    return
                }
                try await writer.finish(nil)
            })
    }
}

/// A provider's response body being converted to Anthropic events: read first by the handler
/// (up to the first content), then by the response writer. One task uses it at a time.
final class ProviderStream: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var decoder = SSEDecoder()
    private var converter: OpenAIChatStreamConverter
    private var jsonBody: [UInt8] = []
    private let isSSE: Bool

    init(iterator: HTTPClientResponse.Body.AsyncIterator, isSSE: Bool, converter: OpenAIChatStreamConverter) {
        self.iterator = iterator
        self.isSSE = isSSE
        self.converter = converter
    }

    struct Start {
        var bytes: [UInt8]
        var progress: OpenAIChatStreamConverter.Progress
    }

    /// Converts one upstream chunk; returns the Anthropic bytes and where the stream stands.
    private func convert(_ chunk: ByteBuffer?) -> OpenAIChatStreamConverter.Progress {
        guard let chunk else {
            if !self.isSSE {
                return self.convertJSONBody()
            }
            if let last = self.decoder.finish() {
                let progress = self.converter.consume(last)
                if progress != .streaming { return progress }
            }
            return self.converter.finish()
        }
        if !self.isSSE {
            chunk.withUnsafeReadableBytes { self.jsonBody.append(contentsOf: $0) }
            return .streaming
        }
        var progress = OpenAIChatStreamConverter.Progress.streaming
        var decoder = self.decoder
        chunk.withUnsafeReadableBytes { bytes in
            decoder.feed(buffer: bytes) { event in
                if progress == .streaming { progress = self.converter.consume(event) }
            }
        }
        self.decoder = decoder
        return progress
    }

    /// A provider that answered a stream request with one JSON body (some do).
    private func convertJSONBody() -> OpenAIChatStreamConverter.Progress {
        guard let value = try? JSONParser.parse(self.jsonBody) else {
            return self.converter.fail(AnthropicError(status: 502, kind: .api, message: "provider answer is neither SSE nor JSON: \(String(decoding: self.jsonBody.prefix(200), as: UTF8.self))"))
        }
        let progress = self.converter.consume(chunk: value)
        if progress != .streaming { return progress }
        return self.converter.finish(sawDone: true)
    }

    func readUntilStarted(watch: ConnectionWatch, provider: ProviderConfiguration) async throws -> Start {
        // One watch for the whole wait, not a task group per chunk.
        try await watch.cancellingOnClose {
            var bytes: [UInt8] = []
            while true {
                let chunk: ByteBuffer?
                do {
                    chunk = try await self.iterator.next()
                } catch {
                    if watch.isClosed { throw ClientDisconnected() }
                    let failure = AnthropicError(status: 502, kind: .api, message: "ccr: provider '\(provider.name)' failed before answering: \(UpstreamFailure.describe(error))")
                    return Start(bytes: [], progress: self.converter.fail(failure))
                }
                let progress = self.convert(chunk)
                bytes += self.converter.takeOutput()
                if case .failedBeforeContent = progress { return Start(bytes: [], progress: progress) }
                if progress == .finished || self.converter.hasStarted { return Start(bytes: bytes, progress: progress) }
                if chunk == nil { return Start(bytes: bytes, progress: .finished) }
            }
        }
    }

    /// Reads the rest (for a client that asked for one JSON message).
    func readToEnd() async throws -> [UInt8] {
        var bytes: [UInt8] = []
        try await self.pump(pingInterval: nil) { bytes += $0 }
        return bytes
    }

    /// Converts the rest of the stream, handing each piece to `write` as it is ready; while the
    /// provider is silent, a `ping` every `pingInterval`.
    func pump(pingInterval: Duration?, write: ([UInt8]) async throws -> Void) async throws {
        enum Piece: Sendable {
            case data([UInt8], last: Bool)
            case tick
        }
        let channel = AsyncChannel<Piece>()
        let stream = self
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { channel.finish() }
                while true {
                    let chunk: ByteBuffer?
                    do {
                        chunk = try await stream.iterator.next()
                    } catch is CancellationError {
                        return
                    } catch {
                        _ = stream.converter.fail(AnthropicError(status: 502, kind: .api, message: "provider stream failed: \(UpstreamFailure.describe(error))"))
                        await channel.send(.data(stream.converter.takeOutput(), last: true))
                        return
                    }
                    let progress = stream.convert(chunk)
                    let bytes = stream.converter.takeOutput()
                    let last = progress != .streaming || chunk == nil
                    if !bytes.isEmpty || last { await channel.send(.data(bytes, last: last)) }
                    if last { return }
                }
            }
            if let pingInterval {
                group.addTask {
                    while true {
                        try await Task.sleep(for: pingInterval)
                        await channel.send(.tick)
                    }
                }
            }
            var lastWrite = ContinuousClock.now
            var ping = AnthropicSSEWriter()
            ping.ping()
            let pingBytes = ping.take()
            for await piece in channel {
                switch piece {
                case .data(let bytes, let last):
                    if !bytes.isEmpty { try await write(bytes) }
                    lastWrite = .now
                    if last {
                        group.cancelAll()
                        return
                    }
                case .tick:
                    if let pingInterval, ContinuousClock.now - lastWrite >= pingInterval {
                        try await write(pingBytes)
                        lastWrite = .now
                    }
                }
            }
            group.cancelAll()
        }
    }
}
