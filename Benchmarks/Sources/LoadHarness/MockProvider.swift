import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A fast OpenAI-compatible provider on loopback for the load harness.
///
/// `POST /v1/chat/completions` answers a fixed completion, or, when the body asks to stream, an
/// SSE stream whose shape the prompt sets: `mock-events=N` (default 20) text chunks
/// `mock-interval-ms=M` apart (default 0). Each chunk's text carries `ts=<monotonic ns>`, the
/// moment it was written, so a client can measure each event's delivery delay.
enum MockProvider {
    static let completion = Array(
        #"{"id":"chatcmpl-load","object":"chat.completion","created":1764500000,"model":"mock","choices":[{"index":0,"message":{"role":"assistant","content":"ok, done."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12000,"completion_tokens":4,"prompt_tokens_details":{"cached_tokens":0}}}"#.utf8)

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// A plain byte search (Foundation's `firstRange` on a ByteBufferView is far too slow for a mock
    /// that must not be the bottleneck).
    static func contains(_ buffer: ByteBuffer, _ needle: StaticString) -> Bool {
        buffer.withUnsafeReadableBytes { bytes in
            needle.withUTF8Buffer { pattern in
                guard pattern.count <= bytes.count, let first = pattern.first else { return false }
                var index = 0
                while index + pattern.count <= bytes.count {
                    if bytes[index] == first {
                        var match = true
                        for offset in 1..<pattern.count where bytes[index + offset] != pattern[offset] {
                            match = false
                            break
                        }
                        if match { return true }
                    }
                    index += 1
                }
                return false
            }
        }
    }

    /// The decimal number right after `marker` in the body, if the marker is there.
    static func number(after marker: String, in buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            let pattern = Array(marker.utf8)
            guard pattern.count < bytes.count else { return nil }
            var index = 0
            while index + pattern.count < bytes.count {
                if bytes[index] == pattern[0] && (1..<pattern.count).allSatisfy({ bytes[index + $0] == pattern[$0] }) {
                    var value = 0
                    var cursor = index + pattern.count
                    while cursor < bytes.count, bytes[cursor] >= 48, bytes[cursor] <= 57 {
                        value = value * 10 + Int(bytes[cursor] - 48)
                        cursor += 1
                    }
                    return value
                }
                index += 1
            }
            return nil
        }
    }

    static func chunk(_ text: String, finish: Bool = false) -> ByteBuffer {
        let finishText = finish ? #""stop""# : "null"
        return ByteBuffer(string: #"data: {"id":"chatcmpl-load","object":"chat.completion.chunk","created":1764500000,"model":"mock","choices":[{"index":0,"delta":{"content":"\#(text)"},"finish_reason":\#(finishText)}]}"# + "\n\n")
    }

    static func application(port: Int, onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 << 20)
            let wantsStream = Self.contains(body, #""stream":true"#)
            if !wantsStream {
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Self.completion)))
            }
            // The stream's shape travels in the prompt (a gateway forwards the body, not our headers).
            let events = Self.number(after: "mock-events=", in: body) ?? 20
            let interval = Self.number(after: "mock-interval-ms=", in: body) ?? 0
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: #"data: {"id":"chatcmpl-load","object":"chat.completion.chunk","model":"mock","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"# + "\n\n"))
                    for index in 0..<events {
                        if interval > 0 && index > 0 { try await Task.sleep(for: .milliseconds(interval)) }
                        try await writer.write(Self.chunk("ts=\(Self.now()) "))
                    }
                    try await writer.write(Self.chunk("", finish: true))
                    try await writer.write(ByteBuffer(string: #"data: {"id":"chatcmpl-load","choices":[],"usage":{"prompt_tokens":12000,"completion_tokens":40}}"# + "\n\ndata: [DONE]\n\n"))
                    try await writer.finish(nil)
                })
        }
        var logger = Logger(label: "mock-provider")
        logger.logLevel = .error
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(120))),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil, backlog: 4096),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
