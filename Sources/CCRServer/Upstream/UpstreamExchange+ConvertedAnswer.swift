import AsyncHTTPClient
import CCRCore
import HTTPTypes
import Hummingbird
import NIOCore

extension UpstreamExchange {
    /// How long a provider may stay silent mid-stream (thinking, searching) before Claude Code
    /// gets a `ping`.
    static let pingInterval: Duration = .seconds(10)

    /// Sends a converted request and relays the answer: an error status as an Anthropic error
    /// (``errorResponse(from:retryAfterInBody:)``), anything else through ``convertedAnswer``.
    func relay<Converter: ProviderStreamConverter>(
        _ request: HTTPClientRequest, wantsStream: Bool, retryAfterInBody: (([UInt8]) -> Int?)? = nil,
        converter: (_ messageID: String) -> Converter, decode: (_ value: JSONValue, _ messageID: String) async throws -> JSONValue,
        assembled: (JSONValue) -> JSONValue = { $0 }
    ) async throws -> Response {
        let response = try await self.send(request)
        if response.status.code >= 400 {
            return try await self.errorResponse(from: response, retryAfterInBody: retryAfterInBody)
        }
        return try await self.convertedAnswer(response, wantsStream: wantsStream, converter: converter, decode: decode, assembled: assembled)
    }

    /// Relays the answer of a provider whose wire is converted (OpenAI Chat, OpenAI Responses,
    /// Gemini): a JSON message decoded whole, or a stream converted as it arrives. A stream is
    /// read up to its first content before anything is sent, so that an empty or failing stream is
    /// still an HTTP error (and a chance to retry or fall back).
    /// - Parameters:
    ///   - wantsStream: the client asked for a stream.
    ///   - converter: the stream converter for this answer, given the message id.
    ///   - decode: decodes a non-streamed provider answer into an Anthropic message.
    ///   - assembled: adjusts a message assembled from a stream the client did not ask for.
    func convertedAnswer<Converter: ProviderStreamConverter>(
        _ response: HTTPClientResponse, wantsStream: Bool, converter: (_ messageID: String) -> Converter,
        decode: (_ value: JSONValue, _ messageID: String) async throws -> JSONValue,
        assembled: (JSONValue) -> JSONValue = { $0 }
    ) async throws -> Response {
        let context = self.context
        let messageID = "msg_ccr" + context.requestID.dropFirst("req_".count)
        let isSSE = response.headers.first(name: "content-type")?.lowercased().contains("text/event-stream") ?? false
        var fields = HTTPFields()
        self.decorate(&fields)
        if !wantsStream && !isSSE {
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
                    throw AnthropicError(
                        status: 502, kind: .api,
                        message: "ccr: provider '\(self.provider.name)' answered with a body that is not JSON: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
                }
                let message = try await decode(value, messageID)
                self.record(message: message)
                return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: message.encoded())))
            } catch let error as AnthropicError {
                self.state.failed.add(1, ordering: .relaxed)
                return self.failureResponse(error, headers: fields)
            }
        }
        let stream = ProviderStream(
            iterator: response.body.makeAsyncIterator(), isSSE: isSSE, converter: converter(messageID), providerName: self.provider.name)
        let first = try await stream.readUntilStarted(watch: context.connectionWatch)
        if case .failedBeforeContent(let error) = first.progress {
            self.state.failed.add(1, ordering: .relaxed)
            context.logger.warning("provider stream failed before content", metadata: ["provider": "\(self.provider.name)", "error": "\(error.message)"])
            return self.failureResponse(error, headers: fields)
        }
        if !wantsStream {
            // The provider streamed although asked not to: assemble the message.
            let rest = try await context.connectionWatch.cancellingOnClose { try await stream.readToEnd() }
            var accumulator = AnthropicMessageAccumulator()
            accumulator.feed(first.bytes + rest)
            fields[.contentType] = "application/json"
            if let error = accumulator.error {
                let failure = AnthropicError(status: 502, kind: .api, message: error["message"]?.stringValue ?? "provider failed")
                return self.failureResponse(failure, headers: fields)
            }
            let message = assembled(accumulator.result)
            self.record(message: message)
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: message.encoded())))
        }
        fields[.contentType] = "text/event-stream"
        fields[.cacheControl] = "no-cache"
        return self.streamingResponse(status: .ok, headers: fields) { write in
            try await write(ByteBuffer(bytes: first.bytes))
            if first.progress == .finished { return }
            try await stream.pump(pingInterval: Self.pingInterval) { try await write(ByteBuffer(bytes: $0)) }
        }
    }
}
