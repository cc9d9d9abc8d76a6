/// Turns an Anthropic Messages request into an OpenAI Chat Completions request.
///
/// Only fields the target understands are written (an allow-list): Anthropic-only fields such as
/// `metadata`, `cache_control`, `context_management`, `output_config` and `safeguards` never
/// reach the provider. Claude Code's `role:"system"` messages and the system prompt become one
/// leading system message (the per-request billing line is left out so that providers' prompt
/// caches keep hitting).
public enum OpenAIChatRequestEncoder {
    /// - Throws: ``AnthropicError`` (400) for content the target cannot take.
    public static func encode(_ request: JSONObject, target: OpenAIChatTarget) throws(AnthropicError) -> JSONValue {
        var systemParts: [String] = []
        AnthropicRequestContent.collectSystem(request["system"], into: &systemParts)
        var messages: [JSONValue] = []
        for message in request["messages"]?.arrayValue ?? [] {
            switch message["role"]?.stringValue {
            case "system":
                AnthropicRequestContent.collectSystem(message["content"], into: &systemParts)
            case "user":
                try Self.appendUser(message["content"], to: &messages)
            case "assistant":
                Self.appendAssistant(message["content"], to: &messages)
            default:
                throw .invalidRequest("messages: unknown role '\(message["role"]?.stringValue ?? "")'")
            }
        }
        if !systemParts.isEmpty {
            messages.insert(["role": "system", "content": .string(systemParts.joined(separator: "\n\n"))], at: 0)
        }
        var body = JSONObject()
        body["model"] = .string(target.model)
        body["messages"] = .array(messages)
        let tools = Self.tools(request["tools"])
        if !tools.isEmpty {
            body["tools"] = .array(tools)
            if let choice = Self.toolChoice(request["tool_choice"]) { body["tool_choice"] = choice }
            if request["tool_choice"]?["disable_parallel_tool_use"] == true { body["parallel_tool_calls"] = false }
        }
        if let maxTokens = request["max_tokens"]?.intValue, maxTokens > 0 {
            body[target.usesMaxCompletionTokens ? "max_completion_tokens" : "max_tokens"] = .int(maxTokens)
        }
        if let temperature = request["temperature"], temperature.doubleValue != nil { body["temperature"] = temperature }
        if let topP = request["top_p"], topP.doubleValue != nil { body["top_p"] = topP }
        if let stops = request["stop_sequences"]?.arrayValue?.compactMap(\.stringValue), !stops.isEmpty {
            body["stop"] = .array(stops.prefix(4).map(JSONValue.string))
        }
        let stream = request["stream"]?.boolValue == true
        body["stream"] = .bool(stream)
        if stream { body["stream_options"] = ["include_usage": true] }
        Self.applyReasoning(request, target: target, to: &body)
        return .object(body)
    }

    // MARK: - User

    static func appendUser(_ content: JSONValue?, to messages: inout [JSONValue]) throws(AnthropicError) {
        guard case .array(let blocks)? = content else {
            messages.append(["role": "user", "content": .string(content?.stringValue ?? "")])
            return
        }
        let parts = try AnthropicRequestContent.userParts(
            blocks, textPart: { ["type": "text", "text": .string($0)] }, imagePart: Self.imagePart, documentPart: Self.documentPart
        ) { block throws(AnthropicError) in
            let (text, images) = try Self.toolResultContent(block)
            messages.append(["role": "tool", "tool_call_id": .string(block["tool_use_id"]?.stringValue ?? ""), "content": .string(text)])
            return images
        }
        guard !parts.isEmpty else { return }
        if parts.allSatisfy({ $0["type"] == "text" }) {
            let text = parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
            messages.append(["role": "user", "content": .string(text)])
        } else {
            messages.append(["role": "user", "content": .array(parts)])
        }
    }

    static func toolResultContent(_ block: JSONValue) throws(AnthropicError) -> (String, [JSONValue]) {
        try AnthropicRequestContent.toolResult(block, imagePart: Self.imagePart)
    }

    static func imagePart(_ block: JSONValue) throws(AnthropicError) -> JSONValue {
        ["type": "image_url", "image_url": ["url": .string(try AnthropicRequestContent.imageURL(block, provider: "an OpenAI-compatible provider"))]]
    }

    static func documentPart(_ block: JSONValue) throws(AnthropicError) -> JSONValue {
        let source = block["source"] ?? .null
        if let text = AnthropicRequestContent.documentText(block) { return ["type": "text", "text": .string(text)] }
        let title = block["title"]?.stringValue
        switch source["type"]?.stringValue {
        case "base64" where source["media_type"]?.stringValue == "application/pdf":
            return [
                "type": "file",
                "file": ["filename": .string(title ?? "document.pdf"), "file_data": .string("data:application/pdf;base64,\(source["data"]?.stringValue ?? "")")],
            ]
        default:
            throw .invalidRequest(
                "ccr: a document of type '\(source["type"]?.stringValue ?? "?")' (\(source["media_type"]?.stringValue ?? "no media type")) cannot be sent to an OpenAI-compatible provider; send it as text or PDF")
        }
    }

    // MARK: - Assistant

    static func appendAssistant(_ content: JSONValue?, to messages: inout [JSONValue]) {
        guard case .array(let blocks)? = content else {
            if let text = content?.stringValue, !text.isEmpty { messages.append(["role": "assistant", "content": .string(text)]) }
            return
        }
        var texts: [String] = []
        var calls: [JSONValue] = []
        var reasoning: [ReasoningSignature.Dialect: String] = [:]
        var details: [JSONValue] = []
        var tagged = ""
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text":
                if let text = block["text"]?.stringValue, !text.isEmpty { texts.append(text) }
            case "tool_use":
                let input = block["input"] ?? .object([:])
                calls.append([
                    "id": .string(block["id"]?.stringValue ?? ""), "type": "function",
                    "function": ["name": .string(block["name"]?.stringValue ?? ""), "arguments": .string(input.jsonString())],
                ])
            case "thinking":
                guard let signature = block["signature"]?.stringValue.flatMap(ReasoningSignature.init(decoding:)) else { continue }
                let text = block["thinking"]?.stringValue ?? ""
                switch signature.dialect {
                case .reasoningDetails:
                    details += signature.details.isEmpty ? [["type": "reasoning.text", "text": .string(text)]] : signature.details
                case .thinkTag:
                    tagged += text
                case .mistral:
                    break
                case .reasoningContent, .reasoning:
                    reasoning[signature.dialect, default: ""] += text
                }
            default:
                break
            }
        }
        var message: JSONObject = ["role": "assistant"]
        var text = texts.joined(separator: "\n")
        if !tagged.isEmpty { text = "<think>\(tagged)</think>\n" + text }
        message["content"] = text.isEmpty && !calls.isEmpty ? .null : .string(text)
        if !calls.isEmpty { message["tool_calls"] = .array(calls) }
        if let value = reasoning[.reasoningContent] { message["reasoning_content"] = .string(value) }
        if let value = reasoning[.reasoning] { message["reasoning"] = .string(value) }
        if !details.isEmpty { message["reasoning_details"] = .array(details) }
        guard !text.isEmpty || !calls.isEmpty else { return }
        messages.append(.object(message))
    }

    // MARK: - Tools

    static func tools(_ value: JSONValue?) -> [JSONValue] {
        var out: [JSONValue] = []
        for tool in value?.arrayValue ?? [] {
            // Server tools (web_search_*, bash_*, text_editor_*…) run at Anthropic; an
            // OpenAI-compatible provider cannot run them, so they are not offered as functions.
            if let type = tool["type"]?.stringValue, type != "custom" { continue }
            guard let name = tool["name"]?.stringValue, !name.isEmpty else { continue }
            var function: JSONObject = ["name": .string(name)]
            if let description = tool["description"]?.stringValue, !description.isEmpty { function["description"] = .string(description) }
            var schema = tool["input_schema"]?.objectValue ?? ["type": "object", "properties": [:]]
            schema["$schema"] = nil
            function["parameters"] = .object(schema)
            out.append(["type": "function", "function": .object(function)])
        }
        return out
    }

    static func toolChoice(_ value: JSONValue?) -> JSONValue? {
        switch value?["type"]?.stringValue {
        case "auto": return "auto"
        case "any": return "required"
        case "none": return "none"
        case "tool":
            guard let name = value?["name"]?.stringValue else { return nil }
            return ["type": "function", "function": ["name": .string(name)]]
        default: return nil
        }
    }

    // MARK: - Reasoning

    /// The effort the request asks for, or `nil` when it does not ask for deep reasoning.
    ///
    /// Claude Code sends adaptive thinking with effort `medium` on every turn; that is left to the
    /// provider's default. An explicit budget, or effort `high`/`max`, asks for reasoning.
    static func requestedEffort(_ request: JSONObject) -> String? {
        let thinking = request["thinking"]
        let effort = request["output_config"]?["effort"]?.stringValue
        switch thinking?["type"]?.stringValue {
        case "disabled":
            return nil
        case "enabled":
            let budget = thinking?["budget_tokens"]?.intValue ?? 0
            return budget <= 1024 ? "low" : budget <= 8192 ? "medium" : "high"
        default:
            switch effort {
            case "high", "max", "xhigh": return "high"
            case "low": return thinking == nil ? nil : "low"
            default: return nil
            }
        }
    }

    static func applyReasoning(_ request: JSONObject, target: OpenAIChatTarget, to body: inout JSONObject) {
        guard let effort = Self.requestedEffort(request) else { return }
        switch target.reasoningStyle {
        case .none: break
        case .reasoningEffort: body["reasoning_effort"] = .string(effort)
        case .openRouter: body["reasoning"] = ["effort": .string(effort)]
        case .enableThinking: body["enable_thinking"] = true
        case .thinkingType: body["thinking"] = ["type": "enabled"]
        }
    }
}
