import CCRCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// A scriptable provider for tests: a Hummingbird server on a free loopback port that answers
/// each POST with what the test's `respond` closure says, records what it received, and notes
/// when its connections close (to check that ccr cancels upstream requests).
public final class MockUpstream: Sendable {
    /// One request as the mock received it.
    public struct Received: Sendable {
        public var path: String
        public var query: String?
        public var headers: HTTPFields
        public var body: [UInt8]
        public var json: JSONValue? { try? JSONParser.parse(self.body) }
    }

    /// How to answer.
    public enum Reply: Sendable {
        /// A complete body.
        case json(status: Int = 200, headers: [(String, String)] = [], body: [UInt8])
        /// Server-sent events, each written (and flushed) after its delay.
        case sse(events: [(delay: Duration, bytes: [UInt8])], headers: [(String, String)] = [], thenHang: Bool = false)
        /// Never send the head.
        case hang
    }

    public typealias Responder = @Sendable (Received, Int) async -> Reply

    private let received = Mutex<[Received]>([])
    private let closes = Mutex<[ContinuousClock.Instant]>([])
    private let counter = Atomic<Int>(0)
    private let respond: Responder

    public init(respond: @escaping Responder) {
        self.respond = respond
    }

    /// Every request so far.
    public var requests: [Received] { self.received.withLock { $0 } }
    /// When each connection closed.
    public var connectionCloseTimes: [ContinuousClock.Instant] { self.closes.withLock { $0 } }

    /// Runs the mock for the duration of `body`, passing its base URL (`http://127.0.0.1:PORT`).
    public func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/**") { request, context -> Response in
            try await self.handle(request, context: context)
        }
        let closeRecorder = CloseRecorder { instant in self.closes.withLock { $0.append(instant) } }
        var logger = Logger(label: "mock-upstream")
        logger.logLevel = .critical
        return try await LiveServer.run({ onRunning in
            Application(
                router: router,
                server: .http1(configuration: .init(additionalChannelHandlers: [CloseRecorderHandler(recorder: closeRecorder)])),
                configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
                onServerRunning: onRunning,
                logger: logger)
        }) { port in
            try await body("http://127.0.0.1:\(port)")
        }
    }

    private func handle(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 256 * 1024 * 1024)
        let received = Received(path: request.uri.path, query: request.uri.query, headers: request.headers, body: Array(buffer.readableBytesView))
        self.received.withLock { $0.append(received) }
        let index = self.counter.wrappingAdd(1, ordering: .relaxed).oldValue
        switch await self.respond(received, index) {
        case .json(let status, let headers, let body):
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
            return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        case .sse(let events, let headers, let thenHang):
            var fields = HTTPFields()
            fields[.contentType] = "text/event-stream"
            for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
            return Response(
                status: .ok, headers: fields,
                body: ResponseBody { writer in
                    for event in events {
                        if event.delay > .zero { try await Task.sleep(for: event.delay) }
                        try await writer.write(ByteBuffer(bytes: event.bytes))
                    }
                    if thenHang { try await Task.sleep(for: .seconds(3600)) }
                    try await writer.finish(nil)
                })
        case .hang:
            try await Task.sleep(for: .seconds(3600))
            throw CancellationError()
        }
    }
}

/// Calls back when a connection closes.
struct CloseRecorder: Sendable {
    let record: @Sendable (ContinuousClock.Instant) -> Void
}

final class CloseRecorderHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let recorder: CloseRecorder

    init(recorder: CloseRecorder) {
        self.recorder = recorder
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.recorder.record(.now)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            self.recorder.record(.now)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

extension MockUpstream {
    /// An SSE event as bytes: `event: NAME\ndata: JSON\n\n`.
    public static func event(_ name: String, _ data: JSONValue) -> [UInt8] {
        Array("event: \(name)\ndata: ".utf8) + data.encoded() + Array("\n\n".utf8)
    }

    /// A complete Anthropic text answer as SSE events.
    public static func anthropicTextStream(_ text: String, model: String = "mock-model", delay: Duration = .zero) -> [(delay: Duration, bytes: [UInt8])] {
        let pieces = stride(from: 0, to: text.count, by: max(1, text.count / 3)).map { offset -> String in
            let start = text.index(text.startIndex, offsetBy: offset)
            let end = text.index(start, offsetBy: max(1, text.count / 3), limitedBy: text.endIndex) ?? text.endIndex
            return String(text[start..<end])
        }
        var events: [(delay: Duration, bytes: [UInt8])] = [
            (.zero, Self.event("message_start", ["type": "message_start", "message": ["id": "msg_mock", "type": "message", "role": "assistant", "model": .string(model), "content": [], "stop_reason": nil, "stop_sequence": nil, "usage": ["input_tokens": 10, "output_tokens": 1]]])),
            (.zero, Self.event("content_block_start", ["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]])),
        ]
        for piece in pieces {
            events.append((delay, Self.event("content_block_delta", ["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": .string(piece)]])))
        }
        events.append((.zero, Self.event("content_block_stop", ["type": "content_block_stop", "index": 0])))
        events.append((.zero, Self.event("message_delta", ["type": "message_delta", "delta": ["stop_reason": "end_turn", "stop_sequence": nil], "usage": ["output_tokens": 5]])))
        events.append((.zero, Self.event("message_stop", ["type": "message_stop"])))
        return events
    }

    /// A complete Anthropic text answer as one JSON message.
    public static func anthropicTextMessage(_ text: String, model: String = "mock-model") -> [UInt8] {
        JSONValue.object([
            "id": "msg_mock", "type": "message", "role": "assistant", "model": .string(model),
            "content": [["type": "text", "text": .string(text)]], "stop_reason": "end_turn", "stop_sequence": nil,
            "usage": ["input_tokens": 10, "output_tokens": 5],
        ]).encoded()
    }
}
