import CCRCore

extension FaultyUpstream {
    /// How the mock answers one request: a normal answer or one of the ways a provider fails.
    public enum Fault: Sendable {
        /// A complete answer with this status, extra headers and body (`application/json`). A `nil` body is an
        /// Anthropic-shaped error for the status (``Fault/anthropicErrorBody(status:message:)``).
        case status(Int, headers: [(String, String)] = [], body: [UInt8]? = nil)
        /// Reads the request and never answers; the connection stays open until the client closes it.
        case hangBeforeHead
        /// A `200 text/event-stream` head and these events, then nothing more (the connection stays open).
        case hangMidStream(events: [[UInt8]])
        /// Reads the request, then resets the TCP connection (RST, `SO_LINGER` 0) without a byte of answer.
        case resetBeforeHead
        /// A `200 text/event-stream` head and these events, then a reset (RST) before the body is complete.
        case resetMidStream(events: [[UInt8]])
        /// Reads the request, then closes the connection cleanly (FIN) without a byte of answer.
        case closeBeforeHead
        /// A `200 text/event-stream` head and these events, then a clean close (FIN) before the body is complete.
        case closeMidStream(events: [[UInt8]])
        /// A complete `200 text/event-stream` answer whose data lines are not JSON
        /// (``Fault/malformedSSEEvents``).
        case malformedSSE
        /// A `200` with an empty body, as `text/event-stream` (chunked) or `application/json` (`content-length: 0`).
        case emptyOK(stream: Bool)
        /// Nothing for `firstByteAfter`, then the `200 text/event-stream` head with the first event, then each
        /// further event `gap` after the one before; the stream then ends normally.
        case slow(firstByteAfter: Duration, events: [[UInt8]], gap: Duration)
        /// A normal answer.
        case healthy(Answer)

        /// The fault without its payload, for counting and comparing.
        public var kind: Kind {
            switch self {
            case .status(let code, _, _): .status(code)
            case .hangBeforeHead: .hangBeforeHead
            case .hangMidStream: .hangMidStream
            case .resetBeforeHead: .resetBeforeHead
            case .resetMidStream: .resetMidStream
            case .closeBeforeHead: .closeBeforeHead
            case .closeMidStream: .closeMidStream
            case .malformedSSE: .malformedSSE
            case .emptyOK(let stream): .emptyOK(stream: stream)
            case .slow: .slow
            case .healthy: .healthy
            }
        }

        /// A ``Fault`` without its payload.
        public enum Kind: Hashable, Sendable {
            case status(Int)
            case hangBeforeHead
            case hangMidStream
            case resetBeforeHead
            case resetMidStream
            case closeBeforeHead
            case closeMidStream
            case malformedSSE
            case emptyOK(stream: Bool)
            case slow
            case healthy
        }
    }

    /// A normal provider answer.
    public enum Answer: Sendable {
        /// `200 text/event-stream`, these events written in order, then the end of the stream.
        case stream([[UInt8]])
        /// `200 application/json` with this body.
        case json([UInt8])

        /// A complete Anthropic Messages text answer as SSE events (``MockUpstream/anthropicTextStream(_:model:delay:)``).
        public static func anthropicStream(_ text: String, model: String = "mock-model") -> Answer {
            .stream(FaultyUpstream.anthropicTextEvents(text, model: model))
        }

        /// A complete Anthropic Messages text answer as one JSON message.
        public static func anthropicMessage(_ text: String, model: String = "mock-model") -> Answer {
            .json(MockUpstream.anthropicTextMessage(text, model: model))
        }

        /// A complete OpenAI Chat Completions text answer as SSE chunks, usage and `[DONE]`.
        public static func openAIChatStream(_ text: String, model: String = "mock-model") -> Answer {
            .stream(FaultyUpstream.openAIChatTextEvents(text, model: model))
        }

        /// A complete OpenAI Chat Completions text answer as one JSON completion.
        public static func openAIChatCompletion(_ text: String, model: String = "mock-model") -> Answer {
            .json(FaultyUpstream.openAIChatTextCompletion(text, model: model))
        }
    }
}

extension FaultyUpstream.Fault {
    /// `429` with `retry-after`, OpenAI-style `x-ratelimit-*` and Anthropic-style `anthropic-ratelimit-*` headers.
    /// - Parameters:
    ///   - retryAfter: seconds for `retry-after` (and the reset headers); `nil` leaves them out.
    ///   - shouldRetry: the `x-should-retry` header; `nil` leaves it out.
    ///   - limit: the request limit the headers announce (none remaining).
    public static func rateLimited(retryAfter: Int? = 1, shouldRetry: Bool? = nil, limit: Int = 50) -> Self {
        var headers: [(String, String)] = [
            ("x-ratelimit-limit-requests", "\(limit)"), ("x-ratelimit-remaining-requests", "0"),
            ("anthropic-ratelimit-requests-limit", "\(limit)"), ("anthropic-ratelimit-requests-remaining", "0"),
        ]
        if let retryAfter {
            headers.append(("retry-after", "\(retryAfter)"))
            headers.append(("x-ratelimit-reset-requests", "\(retryAfter)s"))
        }
        if let shouldRetry { headers.append(("x-should-retry", shouldRetry ? "true" : "false")) }
        return .status(429, headers: headers)
    }

    /// `529 overloaded_error`, as Anthropic sends it under load.
    public static func overloaded(retryAfter: Int? = nil, shouldRetry: Bool? = true) -> Self {
        .status(529, headers: Self.retryHeaders(retryAfter: retryAfter, shouldRetry: shouldRetry))
    }

    /// A `5xx` `api_error` (500, 502, 503, …).
    public static func serverError(_ code: Int = 500, retryAfter: Int? = nil, shouldRetry: Bool? = nil) -> Self {
        .status(code, headers: Self.retryHeaders(retryAfter: retryAfter, shouldRetry: shouldRetry))
    }

    static func retryHeaders(retryAfter: Int?, shouldRetry: Bool?) -> [(String, String)] {
        var headers: [(String, String)] = []
        if let retryAfter { headers.append(("retry-after", "\(retryAfter)")) }
        if let shouldRetry { headers.append(("x-should-retry", shouldRetry ? "true" : "false")) }
        return headers
    }

    /// The Anthropic error `type` for an HTTP status.
    public static func anthropicErrorType(status: Int) -> String {
        switch status {
        case 400: "invalid_request_error"
        case 401: "authentication_error"
        case 402: "billing_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 504: "timeout_error"
        case 529: "overloaded_error"
        default: "api_error"
        }
    }

    /// `{"type":"error","error":{"type":…,"message":…}}` for an HTTP status.
    public static func anthropicErrorBody(status: Int, message: String? = nil) -> [UInt8] {
        let type = Self.anthropicErrorType(status: status)
        let object: JSONValue = [
            "type": "error",
            "error": ["type": .string(type), "message": .string(message ?? "faulty upstream: \(status) \(type)")],
        ]
        return object.encoded()
    }

    /// The events of ``malformedSSE``: a data line that is not JSON, an event without a data line, an unterminated
    /// JSON object, and a truncated `[DONE]`.
    public static let malformedSSEEvents: [[UInt8]] = [
        Array("event: message_start\ndata: {not json\n\n".utf8),
        Array("event: ping\n\n".utf8),
        Array("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"cut\n\n".utf8),
        Array("data: [DONE\n\n".utf8),
    ]
}

extension FaultyUpstream {
    /// A complete Anthropic text answer as SSE event bytes (``MockUpstream/anthropicTextStream(_:model:delay:)``).
    public static func anthropicTextEvents(_ text: String, model: String = "mock-model") -> [[UInt8]] {
        MockUpstream.anthropicTextStream(text, model: model).map(\.bytes)
    }

    /// A complete OpenAI Chat Completions text answer as SSE event bytes: a role chunk, the text in up to three
    /// pieces, a `finish_reason: "stop"` chunk, a usage chunk and `data: [DONE]`.
    public static func openAIChatTextEvents(_ text: String, model: String = "mock-model") -> [[UInt8]] {
        func chunk(_ delta: JSONValue, finish: String? = nil) -> [UInt8] {
            let choice: JSONValue = ["index": 0, "delta": delta, "finish_reason": finish.map(JSONValue.string) ?? .null]
            let body: JSONValue = [
                "id": "chatcmpl-faulty", "object": "chat.completion.chunk", "created": 1_764_500_000,
                "model": .string(model), "choices": [choice],
            ]
            return Array("data: ".utf8) + body.encoded() + Array("\n\n".utf8)
        }
        var events = [chunk(["role": "assistant", "content": ""])]
        for piece in Self.pieces(text) { events.append(chunk(["content": .string(piece)])) }
        events.append(chunk([:], finish: "stop"))
        let usage: JSONValue = [
            "id": "chatcmpl-faulty", "object": "chat.completion.chunk", "created": 1_764_500_000, "model": .string(model),
            "choices": [], "usage": ["prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15],
        ]
        events.append(Array("data: ".utf8) + usage.encoded() + Array("\n\n".utf8))
        events.append(Array("data: [DONE]\n\n".utf8))
        return events
    }

    /// A complete OpenAI Chat Completions text answer as one JSON completion.
    public static func openAIChatTextCompletion(_ text: String, model: String = "mock-model") -> [UInt8] {
        let completion: JSONValue = [
            "id": "chatcmpl-faulty", "object": "chat.completion", "created": 1_764_500_000, "model": .string(model),
            "choices": [["index": 0, "message": ["role": "assistant", "content": .string(text)], "finish_reason": "stop"]],
            "usage": ["prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15],
        ]
        return completion.encoded()
    }

    /// `text` cut into at most three non-empty pieces.
    static func pieces(_ text: String) -> [String] {
        let characters = Array(text)
        guard !characters.isEmpty else { return [] }
        let size = max(1, (characters.count + 2) / 3)
        return stride(from: 0, to: characters.count, by: size).map { String(characters[$0..<min($0 + size, characters.count)]) }
    }
}
