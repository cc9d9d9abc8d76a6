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
    /// The Claude Code session, whose usage is remembered for `longContext`.
    var sessionID: String? = nil

    var host: String { self.provider.endpoint.map { "\($0.host):\($0.port)" } ?? self.provider.baseURL }

    /// Sends the request; returns once the head is in.
    func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let hostName = self.provider.endpoint?.host ?? ""
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
    /// - Parameter retryAfterInBody: reads a retry delay in seconds from the error body, for
    ///   providers that put it there instead of in a header (Gemini's `RetryInfo`).
    func errorResponse(from response: HTTPClientResponse, retryAfterInBody: (([UInt8]) -> Int?)? = nil) async throws -> Response {
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
        if headers[.retryAfter] == nil, let seconds = retryAfterInBody?(body) {
            headers[.retryAfter] = String(seconds)
        }
        self.decorate(&headers)
        self.state.failed.add(1, ordering: .relaxed)
        self.context.logger.warning(
            "provider answered an error", metadata: ["provider": "\(self.provider.name)", "status": "\(status)"])
        return self.failureResponse(error, headers: headers)
    }

    /// Claude Code's answer for a failed attempt; the usage record keeps its message.
    func failureResponse(_ error: AnthropicError, headers: HTTPFields) -> Response {
        self.context.usageTicket?.noteError(error.message)
        return AnthropicErrorMiddleware.response(error, requestID: self.context.requestID, extraHeaders: headers)
    }

    /// A streamed answer: `produce` writes the body through the function it is given. A client
    /// disconnect cancels it (and with it the upstream request); a provider failure it throws is
    /// logged and, for an event stream, ends the stream with an Anthropic `error` event.
    /// - Parameter tracksBlocks: follow the Anthropic blocks written, to close an open one if the
    ///   provider fails mid-stream (passthrough; the converters close their own blocks).
    func streamingResponse(
        status: HTTPResponse.Status,
        headers: HTTPFields,
        tracksBlocks: Bool = false,
        produce: @escaping @Sendable (_ write: (ByteBuffer) async throws -> Void) async throws -> Void
    ) -> Response {
        let watch = self.context.connectionWatch
        let logger = self.context.logger
        let state = self.state
        let providerName = self.provider.name
        let isEventStream = headers[.contentType]?.lowercased().contains("text/event-stream") ?? false
        let sessionID = self.sessionID
        let ticket = self.context.usageTicket
        state.inFlight.add(1, ordering: .relaxed)
        return Response(
            status: status, headers: headers,
            body: ResponseBody { writer in
                defer { state.inFlight.subtract(1, ordering: .relaxed) }
                // One reader of the bytes sent: usage and first token for the session and the usage
                // record, the open block for a mid-stream failure.
                let tracks = isEventStream && tracksBlocks
                var observer = sessionID != nil || ticket != nil || tracks ? AnthropicUsageObserver(isEventStream: isEventStream, tracksBlocks: tracks) : nil
                var firstContentNoted = false
                var ending: (outcome: UsageRecord.Outcome, error: String?) = (.ok, nil)
                defer {
                    let usage = observer?.finish()
                    if let sessionID, let usage { state.sessions.record(session: sessionID, usage: usage) }
                    ticket?.noteAnswer(usage: usage, model: observer?.model)
                    if ending.outcome == .ok, let failure = observer?.errorMessage { ending = (.failedMidStream, failure) }
                    ticket?.close(status: Int(status.code), outcome: ending.outcome, error: ending.error)
                }
                do {
                    try await watch.cancellingOnClose {
                        try await produce { buffer in
                            if observer != nil {
                                buffer.withUnsafeReadableBytes { observer?.feed($0) }
                                if !firstContentNoted, observer?.sawContent == true {
                                    firstContentNoted = true
                                    ticket?.noteFirstContent()
                                }
                            }
                            try await writer.write(buffer)
                        }
                    }
                } catch is ClientDisconnected {
                    logger.info("client disconnected mid-stream; upstream request cancelled")
                    ending = (.clientClosed, "Claude Code closed the connection before the answer was complete")
                    // The writer must always be finished, even towards a closed connection.
                    try? await writer.finish(nil)
                    return
                } catch {
                    logger.warning("upstream failed mid-stream", metadata: ["provider": "\(providerName)", "error": "\(error)"])
                    let message = "ccr: provider '\(providerName)' failed mid-stream: \(UpstreamFailure.describe(error))"
                    ending = (.failedMidStream, message)
                    if isEventStream, !(observer?.blocks?.finished ?? false) {
                        // Close the open block, then say what happened: the stream stays valid.
                        let failure = AnthropicError(status: 502, kind: .api, message: message)
                        try? await writer.write(ByteBuffer(bytes: observer?.blocks?.closingEvents(for: failure) ?? failure.sseEvent))
                    }
                }
                try await writer.finish(nil)
            })
    }

    /// Remembers a whole message's usage for the session.
    func record(message: JSONValue) {
        let usage = AnthropicUsageObserver.usage(ofMessage: message)
        if let sessionID = self.sessionID, let usage {
            self.state.sessions.record(session: sessionID, usage: usage)
        }
        self.context.usageTicket?.noteAnswer(usage: usage, model: message["model"]?.stringValue)
    }

    /// Adds the route and request id headers.
    func decorate(_ headers: inout HTTPFields) {
        headers[HTTPField.Name("x-ccr-route")!] = self.decision.headerValue
        headers[HTTPField.Name("x-request-id")!] = self.context.requestID
    }
}
