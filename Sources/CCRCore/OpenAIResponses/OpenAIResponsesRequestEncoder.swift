/// Turns an Anthropic Messages request into an OpenAI Responses (`/v1/responses`) request.
///
/// Only fields the target understands are written (an allow-list). The system prompt becomes
/// `instructions` (without Claude Code's per-request billing line, so prompt caches keep
/// hitting); Claude Code's `role:"system"` messages inside `messages` stay where they are, as
/// `developer` messages. Requests are stateless (`store: false`): a reasoning model's reasoning
/// comes back as `encrypted_content`, travels to Claude Code inside the thinking block's signature
/// (``OpenAIResponsesReasoningSignature``) and is returned as a `reasoning` input item.
public enum OpenAIResponsesRequestEncoder {
    /// - Throws: ``AnthropicError`` (400) for content the target cannot take.
    public static func encode(_ request: JSONObject, target: OpenAIResponsesTarget) throws(AnthropicError) -> JSONValue {
        var instructions: [String] = []
        AnthropicRequestContent.collectSystem(request["system"], into: &instructions)
        var input: [JSONValue] = []
        var reasoningIDs: Set<String> = []
        for message in request["messages"]?.arrayValue ?? [] {
            switch message["role"]?.stringValue {
            case "system":
                var parts: [String] = []
                AnthropicRequestContent.collectSystem(message["content"], into: &parts)
                if !parts.isEmpty { input.append(["role": "developer", "content": .string(parts.joined(separator: "\n\n"))]) }
            case "user":
                try Self.appendUser(message["content"], to: &input)
            case "assistant":
                Self.appendAssistant(message["content"], to: &input, reasoningIDs: &reasoningIDs)
            default:
                throw .invalidRequest("messages: unknown role '\(message["role"]?.stringValue ?? "")'")
            }
        }
        var body = JSONObject()
        body["model"] = .string(target.model)
        if !instructions.isEmpty { body["instructions"] = .string(instructions.joined(separator: "\n\n")) }
        body["input"] = .array(input)
        let (tools, searches) = Self.tools(request["tools"])
        if !tools.isEmpty {
            body["tools"] = .array(tools)
            if let choice = Self.toolChoice(request["tool_choice"], tools: tools) { body["tool_choice"] = choice }
            if request["tool_choice"]?["disable_parallel_tool_use"] == true { body["parallel_tool_calls"] = false }
        }
        if let maxTokens = request["max_tokens"]?.intValue, maxTokens > 0 {
            body["max_output_tokens"] = .int(max(16, maxTokens))
        }
        if !target.isReasoningModel {
            if let temperature = request["temperature"], temperature.doubleValue != nil { body["temperature"] = temperature }
            if let topP = request["top_p"], topP.doubleValue != nil { body["top_p"] = topP }
        } else if target.sendsReasoningSettings, let reasoning = Self.reasoning(request, summary: target.reasoningSummary) {
            body["reasoning"] = reasoning
        }
        var include: [JSONValue] = []
        if target.isReasoningModel { include.append("reasoning.encrypted_content") }
        if searches { include.append("web_search_call.action.sources") }
        if !include.isEmpty { body["include"] = .array(include) }
        body["store"] = false
        if let key = target.promptCacheKey, !key.isEmpty { body["prompt_cache_key"] = .string(key) }
        body["stream"] = .bool(request["stream"]?.boolValue == true)
        return .object(body)
    }

    // MARK: - User

    /// Tool results become `function_call_output` items (first, as Anthropic puts them first);
    /// the rest of the turn one user message.
    static func appendUser(_ content: JSONValue?, to input: inout [JSONValue]) throws(AnthropicError) {
        guard case .array(let blocks)? = content else {
            let text = content?.stringValue ?? ""
            input.append(["role": "user", "content": [["type": "input_text", "text": .string(text)]]])
            return
        }
        let parts = try AnthropicRequestContent.userParts(
            blocks, textPart: { ["type": "input_text", "text": .string($0)] }, imagePart: Self.imagePart, documentPart: Self.documentPart
        ) { block throws(AnthropicError) in
            let (text, images) = try Self.toolResultContent(block)
            input.append(["type": "function_call_output", "call_id": .string(block["tool_use_id"]?.stringValue ?? ""), "output": .string(text)])
            return images
        }
        guard !parts.isEmpty else { return }
        input.append(["role": "user", "content": .array(parts)])
    }

    /// A tool result's text (an `output` is a string for every Responses provider), and its images.
    static func toolResultContent(_ block: JSONValue) throws(AnthropicError) -> (String, [JSONValue]) {
        try AnthropicRequestContent.toolResult(block, imagePart: Self.imagePart)
    }

    static func imagePart(_ block: JSONValue) throws(AnthropicError) -> JSONValue {
        let url = try AnthropicRequestContent.imageURL(block, provider: "an OpenAI Responses provider")
        return ["type": "input_image", "image_url": .string(url), "detail": "auto"]
    }

    static func documentPart(_ block: JSONValue) throws(AnthropicError) -> JSONValue {
        let source = block["source"] ?? .null
        if let text = AnthropicRequestContent.documentText(block) { return ["type": "input_text", "text": .string(text)] }
        let title = block["title"]?.stringValue
        switch source["type"]?.stringValue {
        case "base64" where source["media_type"]?.stringValue == "application/pdf":
            return [
                "type": "input_file", "filename": .string(title ?? "document.pdf"),
                "file_data": .string("data:application/pdf;base64,\(source["data"]?.stringValue ?? "")"),
            ]
        case "url":
            return ["type": "input_file", "file_url": .string(source["url"]?.stringValue ?? "")]
        default:
            let type = source["type"]?.stringValue ?? "?"
            let media = source["media_type"]?.stringValue ?? "no media type"
            throw .invalidRequest(
                "ccr: a document of type '\(type)' (\(media)) cannot be sent to an OpenAI Responses provider; send it as text or PDF")
        }
    }

    // MARK: - Assistant

    /// The turn's blocks in order: text as assistant messages, tool_use as `function_call` items,
    /// and thinking this adapter signed as the `reasoning` item it came from. A reasoning item goes
    /// back only right before the text or call that followed it (the provider rejects one without
    /// its following item), and only once per id.
    static func appendAssistant(_ content: JSONValue?, to input: inout [JSONValue], reasoningIDs: inout Set<String>) {
        guard case .array(let blocks)? = content else {
            if let text = content?.stringValue, !text.isEmpty {
                input.append(["role": "assistant", "content": [["type": "output_text", "text": .string(text)]]])
            }
            return
        }
        var pendingReasoning: [JSONValue] = []
        var texts: [JSONValue] = []
        func flushText() {
            guard !texts.isEmpty else { return }
            input.append(["role": "assistant", "content": .array(texts)])
            texts = []
        }
        for block in blocks {
            switch block["type"]?.stringValue {
            case "thinking":
                guard let signature = block["signature"]?.stringValue.flatMap(OpenAIResponsesReasoningSignature.init(decoding:)),
                    let item = signature.inputItem(summary: block["thinking"]?.stringValue ?? "")
                else { continue }
                if let id = signature.itemID {
                    guard !reasoningIDs.contains(id) else { continue }
                    reasoningIDs.insert(id)
                }
                flushText()
                pendingReasoning.append(item)
            case "text":
                guard let text = block["text"]?.stringValue, !text.isEmpty else { continue }
                input += pendingReasoning
                pendingReasoning = []
                texts.append(["type": "output_text", "text": .string(text)])
            case "tool_use":
                flushText()
                input += pendingReasoning
                pendingReasoning = []
                let arguments = (block["input"] ?? .object([:])).jsonString()
                input.append([
                    "type": "function_call", "call_id": .string(block["id"]?.stringValue ?? ""),
                    "name": .string(block["name"]?.stringValue ?? ""), "arguments": .string(arguments),
                ])
            case "server_tool_use", "web_search_tool_result":
                // The provider's own search is not replayed; the reasoning that led to it cannot go
                // back without it.
                pendingReasoning = []
            default:
                break
            }
        }
        flushText()
    }

    // MARK: - Tools

    /// Client tools as functions; Anthropic's web search server tool as the hosted `web_search`
    /// tool (the second value says whether there is one). Other server tools (bash, text editor,
    /// code execution, web fetch) run at Anthropic only and are left out.
    static func tools(_ value: JSONValue?) -> ([JSONValue], Bool) {
        var out: [JSONValue] = []
        var searches = false
        for tool in value?.arrayValue ?? [] {
            if let type = tool["type"]?.stringValue, type != "custom" {
                guard type.hasPrefix("web_search"), !searches else { continue }
                searches = true
                var search: JSONObject = ["type": "web_search"]
                if let domains = tool["allowed_domains"]?.arrayValue, !domains.isEmpty { search["filters"] = ["allowed_domains": .array(domains)] }
                if let location = tool["user_location"]?.objectValue {
                    var approximate: JSONObject = ["type": "approximate"]
                    for key in ["city", "region", "country", "timezone"] {
                        if let field = location[key], field.stringValue != nil { approximate[key] = field }
                    }
                    search["user_location"] = .object(approximate)
                }
                out.append(.object(search))
                continue
            }
            guard let name = tool["name"]?.stringValue, !name.isEmpty else { continue }
            var function: JSONObject = ["type": "function", "name": .string(name)]
            if let description = tool["description"]?.stringValue, !description.isEmpty { function["description"] = .string(description) }
            var schema = tool["input_schema"]?.objectValue ?? ["type": "object", "properties": [:]]
            schema["$schema"] = nil
            function["parameters"] = .object(schema)
            function["strict"] = false
            out.append(.object(function))
        }
        return (out, searches)
    }

    static func toolChoice(_ value: JSONValue?, tools: [JSONValue]) -> JSONValue? {
        switch value?["type"]?.stringValue {
        case "auto": return "auto"
        case "any": return "required"
        case "none": return "none"
        case "tool":
            // Only a function can be named; a forced server tool (web search) leaves it to the model.
            guard let name = value?["name"]?.stringValue, tools.contains(where: { $0["name"]?.stringValue == name }) else { return nil }
            return ["type": "function", "name": .string(name)]
        default: return nil
        }
    }

    // MARK: - Reasoning

    /// `reasoning: {effort, summary}` for a reasoning model, unless thinking is disabled.
    ///
    /// The effort comes from an explicit thinking budget (≤1024 low, ≤8192 medium, more high) or
    /// from `output_config.effort` (low, medium, high; max and xhigh are high); without either the
    /// model's default applies. The summary (the target's, `auto` unless configured otherwise) is
    /// what Claude Code shows as thinking.
    static func reasoning(_ request: JSONObject, summary: String?) -> JSONValue? {
        let thinking = request["thinking"]
        if thinking?["type"] == "disabled" { return nil }
        var effort: String?
        if thinking?["type"] == "enabled", let budget = thinking?["budget_tokens"]?.intValue {
            effort = budget <= 1024 ? "low" : budget <= 8192 ? "medium" : "high"
        } else {
            switch request["output_config"]?["effort"]?.stringValue {
            case "low": effort = "low"
            case "medium": effort = "medium"
            case "high", "max", "xhigh": effort = "high"
            default: effort = nil
            }
        }
        var reasoning: JSONObject = [:]
        if let effort { reasoning["effort"] = .string(effort) }
        if let summary { reasoning["summary"] = .string(summary) }
        return reasoning.isEmpty ? nil : .object(reasoning)
    }
}
