/// Reads what a Responses `response` object says about tokens, how it ended and how it failed,
/// in Anthropic's terms.
enum OpenAIResponsesUsage {
    /// `usage: {input_tokens, input_tokens_details.cached_tokens, output_tokens}` (input includes
    /// the cached part; output includes reasoning). `nil` when the object has no token counts.
    static func anthropic(_ usage: JSONValue?) -> AnthropicUsage? {
        guard let usage, usage.objectValue != nil else { return nil }
        let input = usage["input_tokens"]?.intValue
        let output = usage["output_tokens"]?.intValue
        guard input != nil || output != nil else { return nil }
        let cached = usage["input_tokens_details"]?["cached_tokens"]?.intValue ?? 0
        return AnthropicUsage(inputTokens: max(0, (input ?? 0) - cached), outputTokens: output ?? 0, cacheReadInputTokens: cached)
    }

    /// The stop reason for a response's `status` and `incomplete_details.reason`.
    static func stopReason(status: String?, incompleteReason: String?, sawToolCalls: Bool, sawRefusal: Bool) -> String {
        if status == "incomplete" {
            switch incompleteReason {
            case "max_output_tokens": return "max_tokens"
            case "content_filter": return "refusal"
            default: break
            }
        }
        if sawRefusal { return "refusal" }
        return sawToolCalls ? "tool_use" : "end_turn"
    }

    /// An `error` event, or a failed response's `error` object, as an Anthropic error.
    ///
    /// The Responses API names errors by code (`rate_limit_exceeded`, `insufficient_quota`,
    /// `server_error`, `context_length_exceeded`…) where the Chat API had HTTP statuses; the
    /// status is the one OpenAI answers the same error with over HTTP.
    static func error(from value: JSONValue) -> AnthropicError {
        let inner = value["error"].flatMap { $0.objectValue == nil ? nil : $0 } ?? value
        let message = inner["message"]?.stringValue ?? inner.stringValue ?? inner.jsonString()
        let code = (inner["code"]?.stringValue ?? inner["type"]?.stringValue ?? "").lowercased()
        let status: Int
        if let number = inner["code"]?.intValue ?? inner["status"]?.intValue, (400...599).contains(number) {
            status = number
        } else if code.contains("rate_limit") || code.contains("quota") {
            status = 429
        } else if code.contains("overload") || code.contains("slow_down") || code.contains("unavailable") {
            status = 529
        } else if code.contains("context_length") || code.contains("invalid") || code.contains("unsupported") {
            status = 400
        } else {
            status = 502
        }
        let kind = AnthropicError.kind(forStatus: status)
        let label = code.isEmpty ? "" : " (\(code))"
        return AnthropicError(status: status, kind: kind, message: "provider error in stream\(label): \(message)")
    }
}
