import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection of a ``FaultyUpstream``: collects each request, asks the mock for its fault and acts it out.
///
/// Sits after NIO's HTTP/1.1 server pipeline (with pipelining assistance, so a keep-alive connection gets one
/// request at a time). Everything runs on the channel's event loop; timers are cancelled when the channel closes.
final class FaultyUpstreamHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let upstream: FaultyUpstream
    private let connection: Int
    private var request: HTTPRequestHead?
    private var body: ByteBuffer?
    private var oversized = false
    private var timer: Scheduled<Void>?
    /// How the connection ends, once the handler knows (it closes or resets it, or the peer resets it).
    private var end: FaultyUpstream.End?

    init(upstream: FaultyUpstream, connection: Int) {
        self.upstream = upstream
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.request = head
            self.body = context.channel.allocator.buffer(capacity: 0)
            self.oversized = false
        case .body(var chunk):
            guard !self.oversized else { return }
            if (self.body?.readableBytes ?? 0) + chunk.readableBytes > self.upstream.configuration.maxBodySize {
                self.oversized = true
                self.body = nil
            } else {
                self.body?.writeBuffer(&chunk)
            }
        case .end:
            guard let head = self.request else { return }
            self.request = nil
            let body = self.body ?? ByteBuffer()
            self.body = nil
            if self.oversized {
                self.writeComplete(context, head: head, status: 413, headers: [], body: FaultyUpstream.Fault.anthropicErrorBody(status: 413), keepAlive: false)
                return
            }
            let fault = self.upstream.answer(connection: self.connection, method: head.method.rawValue, uri: head.uri, headers: head.headers, body: body)
            self.perform(fault, context: context, head: head)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.end == nil {
            if let error = error as? IOError, error.errnoCode == ECONNRESET {
                self.end = .clientReset
            } else {
                self.end = .error(String(describing: error))
            }
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
        self.upstream.connectionEnded(self.connection, end: self.end)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
    }

    // MARK: - Acting out a fault

    private func perform(_ fault: FaultyUpstream.Fault, context: ChannelHandlerContext, head: HTTPRequestHead) {
        let keepAlive = head.isKeepAlive
        switch fault {
        case .status(let code, let headers, let body):
            self.writeComplete(context, head: head, status: code, headers: headers, body: body ?? FaultyUpstream.Fault.anthropicErrorBody(status: code), keepAlive: keepAlive)
        case .healthy(.json(let body)):
            self.writeComplete(context, head: head, status: 200, headers: [], body: body, keepAlive: keepAlive)
        case .healthy(.stream(let events)):
            self.writeStream(context, head: head, events: events[...])
            self.finish(context, keepAlive: keepAlive)
        case .malformedSSE:
            self.writeStream(context, head: head, events: FaultyUpstream.Fault.malformedSSEEvents[...])
            self.finish(context, keepAlive: keepAlive)
        case .emptyOK(stream: true):
            self.writeStream(context, head: head, events: [])
            self.finish(context, keepAlive: keepAlive)
        case .emptyOK(stream: false):
            self.writeComplete(context, head: head, status: 200, headers: [], body: [], keepAlive: keepAlive)
        case .hangBeforeHead:
            break
        case .hangMidStream(let events):
            self.writeStream(context, head: head, events: events[...])
            context.flush()
        case .resetBeforeHead:
            self.reset(context)
        case .resetMidStream(let events):
            self.writeStream(context, head: head, events: events[...]).assumeIsolated().whenComplete { _ in
                self.reset(context)
            }
        case .closeBeforeHead:
            self.close(context)
        case .closeMidStream(let events):
            self.writeStream(context, head: head, events: events[...]).assumeIsolated().whenComplete { _ in
                self.close(context)
            }
        case .slow(let firstByteAfter, let events, let gap):
            self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.timeAmount(firstByteAfter)) {
                self.timer = nil
                self.writeStreamHead(context, head: head)
                self.drip(context, events: events[...], gap: Self.timeAmount(gap), keepAlive: keepAlive)
            }
        }
    }

    /// A complete `application/json` answer with a content length.
    private func writeComplete(
        _ context: ChannelHandlerContext, head: HTTPRequestHead, status: Int, headers: [(String, String)], body: [UInt8], keepAlive: Bool
    ) {
        var fields = HTTPHeaders([("content-type", "application/json"), ("content-length", "\(body.count)")])
        if !keepAlive { fields.add(name: "connection", value: "close") }
        for (name, value) in headers { fields.replaceOrAdd(name: name, value: value) }
        let reason = status == 529 ? "Overloaded" : ""
        let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status, reasonPhrase: reason), headers: fields)
        context.write(self.wrapOutboundOut(.head(responseHead)), promise: nil)
        if !body.isEmpty {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        self.finish(context, keepAlive: keepAlive)
    }

    private func writeStreamHead(_ context: ChannelHandlerContext, head: HTTPRequestHead) {
        var fields = HTTPHeaders([("content-type", "text/event-stream"), ("cache-control", "no-cache"), ("transfer-encoding", "chunked")])
        if !head.isKeepAlive { fields.add(name: "connection", value: "close") }
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: fields))), promise: nil)
    }

    /// Writes and flushes a `200 text/event-stream` head and these events (not the end of the body).
    /// - Returns: a future that completes once the last of them is written.
    @discardableResult
    private func writeStream(_ context: ChannelHandlerContext, head: HTTPRequestHead, events: ArraySlice<[UInt8]>) -> EventLoopFuture<Void> {
        let written = context.eventLoop.makePromise(of: Void.self)
        self.writeStreamHead(context, head: head)
        for (offset, event) in events.enumerated() {
            let buffer = context.channel.allocator.buffer(bytes: event)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: offset == events.count - 1 ? written : nil)
        }
        if events.isEmpty { written.succeed() }
        context.flush()
        return written.futureResult
    }

    /// Writes one event every `gap`, then ends the body.
    private func drip(_ context: ChannelHandlerContext, events: ArraySlice<[UInt8]>, gap: TimeAmount, keepAlive: Bool) {
        var events = events
        while let event = events.popFirst() {
            context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: event)))), promise: nil)
            if gap > .zero && !events.isEmpty {
                self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: gap) {
                    self.timer = nil
                    self.drip(context, events: events, gap: gap, keepAlive: keepAlive)
                }
                return
            }
        }
        self.finish(context, keepAlive: keepAlive)
    }

    /// Ends the response; closes the connection afterwards when the client did not ask to keep it.
    private func finish(_ context: ChannelHandlerContext, keepAlive: Bool) {
        let written = context.writeAndFlush(self.wrapOutboundOut(.end(nil)))
        guard !keepAlive else { return }
        written.assumeIsolated().whenComplete { _ in self.close(context) }
    }

    /// Closes cleanly (FIN).
    private func close(_ context: ChannelHandlerContext) {
        if self.end == nil { self.end = .serverClosed }
        context.close(promise: nil)
    }

    /// Closes with a reset (RST): `SO_LINGER` on with a zero timeout, then close.
    private func reset(_ context: ChannelHandlerContext) {
        if self.end == nil { self.end = .serverReset }
        guard let provider = context.channel as? any SocketOptionProvider else {
            context.close(promise: nil)
            return
        }
        provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
