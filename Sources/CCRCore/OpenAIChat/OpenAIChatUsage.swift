/// Reads an OpenAI-style `usage` object (with the cache fields of OpenAI, DeepSeek, xAI, Groq…).
enum OpenAIChatUsage {
    /// `nil` when the object has no token counts.
    static func anthropic(_ usage: JSONValue?) -> AnthropicUsage? {
        guard let usage, usage.objectValue != nil else { return nil }
        let prompt = usage["prompt_tokens"]?.intValue
        let completion = usage["completion_tokens"]?.intValue
        guard prompt != nil || completion != nil else { return nil }
        let cached = usage["prompt_tokens_details"]?["cached_tokens"]?.intValue
            ?? usage["prompt_cache_hit_tokens"]?.intValue
            ?? usage["cache_read_input_tokens"]?.intValue
            ?? 0
        let written = usage["prompt_tokens_details"]?["cache_write_tokens"]?.intValue ?? usage["cache_creation_input_tokens"]?.intValue ?? 0
        let total = prompt ?? 0
        return AnthropicUsage(
            inputTokens: max(0, total - cached - written), outputTokens: completion ?? 0, cacheReadInputTokens: cached,
            cacheCreationInputTokens: written)
    }

    /// The finish reason in Anthropic's terms.
    static func stopReason(_ finish: String?, sawToolCalls: Bool) -> String {
        switch finish?.lowercased() {
        case "length", "max_tokens", "model_length", "max_output_tokens": return "max_tokens"
        case "tool_calls", "function_call", "tool_use": return "tool_use"
        case "content_filter", "safety", "refusal": return "refusal"
        case "stop_sequence": return "stop_sequence"
        default: return sawToolCalls ? "tool_use" : "end_turn"
        }
    }
}
