/// Turns Gemini's error object (`{"code": 429, "message": "…", "status": "RESOURCE_EXHAUSTED"}`)
/// into the Anthropic error Claude Code understands, with the status that makes it retry what is
/// retryable.
public enum GeminiError {
    /// The HTTP status for a Google RPC status name.
    static let statusCodes: [String: Int] = [
        "INVALID_ARGUMENT": 400, "FAILED_PRECONDITION": 400, "OUT_OF_RANGE": 400, "UNAUTHENTICATED": 401,
        "PERMISSION_DENIED": 403, "NOT_FOUND": 404, "ABORTED": 409, "ALREADY_EXISTS": 409, "RESOURCE_EXHAUSTED": 429,
        "CANCELLED": 499, "INTERNAL": 500, "UNKNOWN": 500, "DATA_LOSS": 500, "UNIMPLEMENTED": 501, "UNAVAILABLE": 503,
        "DEADLINE_EXCEEDED": 504,
    ]

    /// The Anthropic error for a Gemini error object (or a one-element array of one).
    static func anthropic(from value: JSONValue, context: String) -> AnthropicError {
        let error = value.arrayValue?.first?["error"] ?? value
        let message = error["message"]?.stringValue ?? error.stringValue ?? error.jsonString()
        let name = error["status"]?.stringValue ?? ""
        var status = error["code"]?.intValue.flatMap { (400...599).contains($0) ? $0 : nil } ?? Self.statusCodes[name] ?? 502
        if status == 499 { status = 502 }
        let detail = name.isEmpty ? message : "\(message) (\(name))"
        return AnthropicError(status: status, kind: AnthropicError.kind(forStatus: status), message: "\(context): \(detail)")
    }

    /// Seconds to wait before retrying, from a `google.rpc.RetryInfo` detail (`"retryDelay": "34.4s"`).
    public static func retryAfterSeconds(_ body: JSONValue) -> Int? {
        let error = body.arrayValue?.first?["error"] ?? body["error"] ?? .null
        for detail in error["details"]?.arrayValue ?? [] {
            guard let delay = detail["retryDelay"]?.stringValue, delay.hasSuffix("s"), let seconds = Double(delay.dropLast()) else { continue }
            return max(1, Int(seconds.rounded(.up)))
        }
        return nil
    }
}
