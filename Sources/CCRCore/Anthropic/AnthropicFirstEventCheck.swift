/// Reads the start of an Anthropic event stream from a provider to decide, before anything
/// reaches the client, whether the answer is good: content started, or the provider sent an
/// `error` event (or nothing) first, which is a failure ccr can still retry or fall back from.
public struct AnthropicFirstEventCheck: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// Not enough seen yet.
        case waiting
        /// A content block (or the end of the message) arrived: relay the stream.
        case good
        /// An error event came before any content.
        case failed(AnthropicError)
    }

    private var decoder = SSEDecoder()
    public private(set) var verdict = Verdict.waiting
    public private(set) var sawMessageStart = false

    public init() {}

    /// Feeds bytes from the provider.
    public mutating func feed(_ buffer: UnsafeRawBufferPointer) {
        guard self.verdict == .waiting else { return }
        var events: [SSEEvent] = []
        self.decoder.feed(buffer: buffer) { events.append($0) }
        for event in events where self.verdict == .waiting {
            switch event.event {
            case "message_start", "content_block_start", "content_block_delta", "message_delta":
                guard (try? JSONParser.parse(event.data))?.objectValue != nil else {
                    self.verdict = .failed(
                        AnthropicError(status: 502, kind: .api, message: "malformed \(event.event ?? "") event: \(String(decoding: event.data.prefix(200), as: UTF8.self))"))
                    continue
                }
                if event.event == "message_start" { self.sawMessageStart = true } else { self.verdict = .good }
            case "message_stop": self.verdict = .good
            case "error":
                let value = try? JSONParser.parse(event.data)
                let type = value?["error"]?["type"]?.stringValue ?? "api_error"
                let kind = AnthropicError.Kind(rawValue: type) ?? .api
                let message = value?["error"]?["message"]?.stringValue ?? String(decoding: event.data.prefix(500), as: UTF8.self)
                self.verdict = .failed(AnthropicError(status: AnthropicError.status(for: kind), kind: kind, message: message))
            default: break
            }
        }
    }
}

extension AnthropicError {
    /// The HTTP status that goes with an Anthropic error type.
    public static func status(for kind: Kind) -> Int {
        switch kind {
        case .invalidRequest: return 400
        case .authentication: return 401
        case .permission: return 403
        case .notFound: return 404
        case .requestTooLarge: return 413
        case .rateLimit: return 429
        case .api: return 500
        case .overloaded: return 529
        case .timeout: return 504
        }
    }
}
