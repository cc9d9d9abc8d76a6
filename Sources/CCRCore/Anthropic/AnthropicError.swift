/// An error in the shape Claude Code understands:
/// `{"type":"error","error":{"type":"rate_limit_error","message":"…"}}` with a fitting HTTP status.
public struct AnthropicError: Error, Sendable, Equatable {
    /// Anthropic's error types.
    public enum Kind: String, Sendable {
        case invalidRequest = "invalid_request_error"
        case authentication = "authentication_error"
        case permission = "permission_error"
        case notFound = "not_found_error"
        case requestTooLarge = "request_too_large"
        case rateLimit = "rate_limit_error"
        case api = "api_error"
        case overloaded = "overloaded_error"
        case timeout = "timeout_error"
    }

    public var status: Int
    public var kind: Kind
    public var message: String

    public init(status: Int, kind: Kind, message: String) {
        self.status = status
        self.kind = kind
        self.message = message
    }

    /// The error type that goes with an HTTP status, as Anthropic uses them.
    public static func kind(forStatus status: Int) -> Kind {
        switch status {
        case 400, 422: return .invalidRequest
        case 401: return .authentication
        case 403: return .permission
        case 404: return .notFound
        case 413: return .requestTooLarge
        case 429: return .rateLimit
        case 504, 408: return .timeout
        case 529, 503: return .overloaded
        default: return .api
        }
    }

    /// The JSON body.
    public var body: [UInt8] {
        var writer = JSONWriter(capacity: 96 + self.message.utf8.count)
        writer.appendLiteral("{\"type\":\"error\",\"error\":{\"type\":")
        writer.writeString(self.kind.rawValue)
        writer.appendLiteral(",\"message\":")
        writer.writeString(self.message)
        writer.appendLiteral("}}")
        return writer.bytes
    }

    /// The body of an SSE `error` event (the same object).
    public var sseEvent: [UInt8] {
        Array("event: error\ndata: ".utf8) + self.body + Array("\n\n".utf8)
    }

    public static func invalidRequest(_ message: String) -> AnthropicError {
        AnthropicError(status: 400, kind: .invalidRequest, message: message)
    }

    /// Turns an upstream's error answer into Anthropic's shape, naming the provider.
    ///
    /// An Anthropic-shaped body keeps its type; an OpenAI-style `{"error":{"message":…}}` or any
    /// other body becomes the message. The status is kept.
    public static func fromUpstream(status: Int, body: [UInt8], provider: String, model: String) -> AnthropicError {
        var kind = Self.kind(forStatus: status)
        var detail: String
        if let value = try? JSONParser.parse(body) {
            if let error = value["error"]?.objectValue {
                detail = error["message"]?.stringValue ?? JSONValue.object(error).jsonString()
                if value["type"]?.stringValue == "error", let type = error["type"]?.stringValue, let known = Kind(rawValue: type) {
                    kind = known
                }
            } else if let error = value["error"]?.stringValue {
                detail = error
            } else if let message = value["message"]?.stringValue {
                detail = message
            } else if let array = value.arrayValue, let first = array.first?["error"]?["message"]?.stringValue {
                detail = first  // Gemini answers some errors as a one-element array
            } else {
                detail = value.jsonString()
            }
        } else {
            detail = String(decoding: body.prefix(2000), as: UTF8.self)
        }
        if detail.isEmpty { detail = "(empty body)" }
        if detail.utf8.count > 4000 { detail = String(detail.prefix(4000)) + "…" }
        return AnthropicError(status: status, kind: kind, message: "provider '\(provider)' (model \(model)) answered \(status): \(detail)")
    }
}
