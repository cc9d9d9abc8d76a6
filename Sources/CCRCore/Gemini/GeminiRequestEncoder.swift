/// Turns an Anthropic Messages request into a Gemini `generateContent` request body.
///
/// Only what Gemini understands is written (an allow-list): `cache_control`, `metadata`,
/// `context_management`, `output_config` and other Anthropic-only fields never reach it.
/// - The system prompt and Claude Code's `role:"system"` messages become `systemInstruction`
///   (without the per-request billing line, so that Gemini's implicit cache keeps hitting).
/// - Turns become `contents` with roles `user`/`model`; adjacent turns of one role are merged.
/// - `tool_use` → `functionCall`; `tool_result` → `functionResponse` named after its call, in the
///   user turn. Thought signatures come back from the signed thinking blocks
///   (``GeminiThoughtSignature``) onto the part they were on.
/// - Tools → `functionDeclarations` (schemas through ``GeminiSchemaSanitizer``); the web search
///   server tool → `googleSearch`; `tool_choice` → `toolConfig`.
/// - `max_tokens`, `temperature`, `top_p`, `top_k`, `stop_sequences` and the thinking settings →
///   `generationConfig`.
public enum GeminiRequestEncoder {
    /// The signature Gemini accepts in place of one it made, for function calls in a history that
    /// did not come from Gemini (Gemini 3 rejects unsigned calls otherwise).
    static let foreignCallSignature = "skip_thought_signature_validator"

    /// - Throws: ``AnthropicError`` (400) for content Gemini cannot take.
    public static func encode(_ request: JSONObject, target: GeminiTarget) throws(AnthropicError) -> JSONValue {
        var systemParts: [String] = []
        AnthropicRequestContent.collectSystem(request["system"], into: &systemParts)
        var builder = ContentsBuilder(target: target)
        for message in request["messages"]?.arrayValue ?? [] {
            switch message["role"]?.stringValue {
            case "system":
                AnthropicRequestContent.collectSystem(message["content"], into: &systemParts)
            case "user":
                try builder.addUser(message["content"])
            case "assistant":
                builder.addModel(message["content"])
            default:
                throw .invalidRequest("messages: unknown role '\(message["role"]?.stringValue ?? "")'")
            }
        }
        guard !builder.contents.isEmpty else {
            throw .invalidRequest("ccr: the request has no message content to send to Gemini")
        }
        var body = JSONObject()
        if !systemParts.isEmpty {
            body["systemInstruction"] = ["parts": [["text": .string(systemParts.joined(separator: "\n\n"))]]]
        }
        body["contents"] = .array(builder.contents.map { ["role": .string($0.role), "parts": .array($0.parts.map(JSONValue.object))] })
        let (declarations, search) = Self.tools(request["tools"])
        var tools: [JSONValue] = []
        if !declarations.isEmpty { tools.append(["functionDeclarations": .array(declarations)]) }
        if search && (declarations.isEmpty || target.combinesSearchWithFunctions) { tools.append(["googleSearch": [:]]) }
        if !tools.isEmpty { body["tools"] = .array(tools) }
        if !declarations.isEmpty, let config = Self.functionCallingConfig(request["tool_choice"]) {
            body["toolConfig"] = ["functionCallingConfig": config]
        }
        let generation = Self.generationConfig(request, target: target)
        if !generation.isEmpty { body["generationConfig"] = .object(generation) }
        return .object(body)
    }

    // MARK: - Contents

    struct Content {
        var role: String
        var parts: [JSONObject]
    }

    /// Builds `contents` turn by turn, merging adjacent turns of the same role.
    struct ContentsBuilder {
        let target: GeminiTarget
        var contents: [Content] = []
        /// Tool names by `tool_use` id, for the `functionResponse`s that answer them.
        var toolNames: [String: String] = [:]

        mutating func append(role: String, _ parts: [JSONObject]) {
            guard !parts.isEmpty else { return }
            if self.contents.last?.role == role {
                self.contents[self.contents.count - 1].parts += parts
            } else {
                self.contents.append(Content(role: role, parts: parts))
            }
        }

        mutating func addUser(_ content: JSONValue?) throws(AnthropicError) {
            guard case .array(let blocks)? = content else {
                if let text = content?.stringValue, !text.isEmpty { self.append(role: "user", [["text": .string(text)]]) }
                return
            }
            var responses: [JSONObject] = []
            var parts: [JSONObject] = []
            var toolMedia: [JSONObject] = []
            for block in blocks {
                switch block["type"]?.stringValue {
                case "tool_result":
                    let id = block["tool_use_id"]?.stringValue ?? ""
                    let (text, media) = try GeminiRequestEncoder.toolResultContent(block)
                    toolMedia += media
                    var response: JSONObject = ["name": .string(self.toolNames[id] ?? "unknown_tool")]
                    if GeminiRequestEncoder.isGeminiCallID(id) { response["id"] = .string(id) }
                    response["response"] = block["is_error"] == true ? ["error": .string(text)] : ["output": .string(text)]
                    responses.append(["functionResponse": .object(response)])
                case "text":
                    if let text = block["text"]?.stringValue, !text.isEmpty { parts.append(["text": .string(text)]) }
                case "image":
                    parts.append(try GeminiRequestEncoder.imagePart(block))
                case "document":
                    parts.append(try GeminiRequestEncoder.documentPart(block))
                case "thinking", "redacted_thinking":
                    break
                default:
                    // Blocks without a Gemini equivalent (search results, tool references…) go as text.
                    parts.append(["text": .string(AnthropicRequestContent.fallbackText(block))])
                }
            }
            // Function responses first, then what the user wrote; images a tool returned follow
            // the responses they belong to.
            self.append(role: "user", responses + toolMedia + parts)
        }

        mutating func addModel(_ content: JSONValue?) {
            guard case .array(let blocks)? = content else {
                if let text = content?.stringValue, !text.isEmpty { self.append(role: "model", [["text": .string(text)]]) }
                return
            }
            var parts: [JSONObject] = []
            /// Signatures with the number of parts before their thinking block.
            var signatures: [(GeminiThoughtSignature, Int)] = []
            for block in blocks {
                switch block["type"]?.stringValue {
                case "text":
                    if let text = block["text"]?.stringValue, !text.isEmpty { parts.append(["text": .string(text)]) }
                case "tool_use":
                    let id = block["id"]?.stringValue ?? ""
                    let name = block["name"]?.stringValue ?? ""
                    self.toolNames[id] = name
                    var call: JSONObject = ["name": .string(name)]
                    call["args"] = block["input"]?.objectValue.map(JSONValue.object) ?? .object([:])
                    if GeminiRequestEncoder.isGeminiCallID(id) { call["id"] = .string(id) }
                    parts.append(["functionCall": .object(call)])
                case "thinking":
                    // Gemini does not need its thought summaries back, only their signatures.
                    if let signature = block["signature"]?.stringValue.flatMap(GeminiThoughtSignature.init(decoding:)), signature.value != nil {
                        signatures.append((signature, parts.count))
                    }
                default:
                    // redacted_thinking and server tool blocks from another provider: nothing Gemini can use.
                    break
                }
            }
            guard !parts.isEmpty else { return }
            for (signature, position) in signatures {
                GeminiRequestEncoder.place(signature, after: position, in: &parts)
            }
            if self.target.requiresThoughtSignatures, let first = parts.firstIndex(where: { $0["functionCall"] != nil }),
                !parts.contains(where: { $0["functionCall"] != nil && $0["thoughtSignature"] != nil })
            {
                parts[first]["thoughtSignature"] = .string(GeminiRequestEncoder.foreignCallSignature)
            }
            self.append(role: "model", parts)
        }
    }

    /// Puts a thought signature back on the part it came on: the first part of its kind at or after
    /// the thinking block's place, else the nearest unsigned part before it.
    static func place(_ signature: GeminiThoughtSignature, after position: Int, in parts: inout [JSONObject]) {
        func fits(_ part: JSONObject) -> Bool {
            guard part["thoughtSignature"] == nil else { return false }
            return signature.anchor != .functionCall || part["functionCall"] != nil
        }
        let target =
            parts.indices.first { $0 >= position && fits(parts[$0]) }
            ?? (signature.anchor == .functionCall ? nil : parts.indices.last { $0 < position && fits(parts[$0]) })
        if let target { parts[target]["thoughtSignature"] = .string(signature.value ?? "") }
    }

    /// Whether a `tool_use` id is one Gemini gave (and so goes back as the call's `id`), rather
    /// than one the router or Anthropic made up (`toolu_…`).
    static func isGeminiCallID(_ id: String) -> Bool {
        !id.isEmpty && !id.hasPrefix("toolu_")
    }

    static func toolResultContent(_ block: JSONValue) throws(AnthropicError) -> (String, [JSONObject]) {
        var pieces: [String] = []
        var media: [JSONObject] = []
        switch block["content"] {
        case .string(let text)?:
            pieces.append(text)
        case .array(let items)?:
            for item in items {
                switch item["type"]?.stringValue {
                case "text": pieces.append(item["text"]?.stringValue ?? "")
                case "image": media.append(try Self.imagePart(item))
                case "document": media.append(try Self.documentPart(item))
                default: pieces.append(item["text"]?.stringValue ?? item.jsonString())
                }
            }
        default:
            break
        }
        var text = pieces.joined(separator: "\n")
        if text.isEmpty && !media.isEmpty { text = "(the result is attached below)" }
        return (text, media)
    }

    static func imagePart(_ block: JSONValue) throws(AnthropicError) -> JSONObject {
        let source = block["source"] ?? .null
        switch source["type"]?.stringValue {
        case "base64":
            return ["inlineData": ["mimeType": .string(source["media_type"]?.stringValue ?? "image/png"), "data": .string(source["data"]?.stringValue ?? "")]]
        case "url":
            let url = source["url"]?.stringValue ?? ""
            return ["fileData": ["mimeType": .string(Self.mediaType(forURL: url, fallback: "image/jpeg")), "fileUri": .string(url)]]
        default:
            throw .invalidRequest("ccr: an image with source type '\(source["type"]?.stringValue ?? "?")' cannot be sent to Gemini")
        }
    }

    static func documentPart(_ block: JSONValue) throws(AnthropicError) -> JSONObject {
        let source = block["source"] ?? .null
        if let text = AnthropicRequestContent.documentText(block) { return ["text": .string(text)] }
        switch source["type"]?.stringValue {
        case "base64":
            return ["inlineData": ["mimeType": .string(source["media_type"]?.stringValue ?? "application/pdf"), "data": .string(source["data"]?.stringValue ?? "")]]
        case "url":
            let url = source["url"]?.stringValue ?? ""
            return ["fileData": ["mimeType": .string(Self.mediaType(forURL: url, fallback: "application/pdf")), "fileUri": .string(url)]]
        default:
            throw .invalidRequest("ccr: a document of type '\(source["type"]?.stringValue ?? "?")' cannot be sent to Gemini; send it as text or PDF")
        }
    }

    static func mediaType(forURL url: String, fallback: String) -> String {
        let path = url.split(separator: "?").first.map(String.init)?.lowercased() ?? ""
        let types: [(String, String)] = [
            (".png", "image/png"), (".jpg", "image/jpeg"), (".jpeg", "image/jpeg"), (".gif", "image/gif"), (".webp", "image/webp"),
            (".heic", "image/heic"), (".pdf", "application/pdf"), (".txt", "text/plain"),
        ]
        return types.first { path.hasSuffix($0.0) }?.1 ?? fallback
    }

    // MARK: - Tools

    /// Function declarations for the client tools, and whether the web search server tool was offered.
    static func tools(_ value: JSONValue?) -> ([JSONValue], Bool) {
        var declarations: [JSONValue] = []
        var search = false
        for tool in value?.arrayValue ?? [] {
            if let type = tool["type"]?.stringValue, type != "custom" {
                // Server tools run at Anthropic; Gemini has its own web search, nothing for the others.
                if type.hasPrefix("web_search") { search = true }
                continue
            }
            guard let name = tool["name"]?.stringValue, !name.isEmpty else { continue }
            var declaration: JSONObject = ["name": .string(name)]
            if let description = tool["description"]?.stringValue, !description.isEmpty { declaration["description"] = .string(description) }
            if let parameters = GeminiSchemaSanitizer.parameters(for: tool["input_schema"]) { declaration["parameters"] = parameters }
            declarations.append(.object(declaration))
        }
        return (declarations, search)
    }

    static func functionCallingConfig(_ value: JSONValue?) -> JSONValue? {
        switch value?["type"]?.stringValue {
        case "auto": return ["mode": "AUTO"]
        case "any": return ["mode": "ANY"]
        case "none": return ["mode": "NONE"]
        case "tool":
            guard let name = value?["name"]?.stringValue else { return nil }
            return ["mode": "ANY", "allowedFunctionNames": [.string(name)]]
        default: return nil
        }
    }

    // MARK: - Generation

    static func generationConfig(_ request: JSONObject, target: GeminiTarget) -> JSONObject {
        var config = JSONObject()
        if let maxTokens = request["max_tokens"]?.intValue, maxTokens > 0 {
            config["maxOutputTokens"] = .int(min(maxTokens, target.maxOutputTokens))
        }
        if let temperature = request["temperature"], temperature.doubleValue != nil { config["temperature"] = temperature }
        if let topP = request["top_p"], topP.doubleValue != nil { config["topP"] = topP }
        if let topK = request["top_k"]?.intValue, topK > 0 { config["topK"] = .int(topK) }
        if let stops = request["stop_sequences"]?.arrayValue?.compactMap(\.stringValue).filter({ !$0.isEmpty }), !stops.isEmpty {
            config["stopSequences"] = .array(stops.prefix(5).map(JSONValue.string))
        }
        if let thinking = Self.thinkingConfig(request, target: target) { config["thinkingConfig"] = .object(thinking) }
        return config
    }

    /// `thinkingConfig` for the request's `thinking` (and `output_config.effort`).
    ///
    /// An explicit budget becomes Gemini's budget (or level); adaptive thinking is Gemini's dynamic
    /// thinking, its effort picking the level on Gemini 3; `disabled` turns thinking off where the
    /// model allows it, else asks for the least. No `thinking` field leaves the model's default.
    static func thinkingConfig(_ request: JSONObject, target: GeminiTarget) -> JSONObject? {
        guard let thinking = request["thinking"]?.objectValue, let mode = thinking["type"]?.stringValue else { return nil }
        let effort = request["output_config"]?["effort"]?.stringValue
        switch target.thinkingStyle {
        case .none:
            return nil
        case .budget(let range, let canDisable):
            switch mode {
            case "disabled":
                return ["thinkingBudget": .int(canDisable ? 0 : range.lowerBound)]
            case "enabled":
                let budget = thinking["budget_tokens"]?.intValue ?? -1
                return ["includeThoughts": true, "thinkingBudget": .int(budget < 0 ? -1 : min(max(budget, range.lowerBound), range.upperBound))]
            default:
                return ["includeThoughts": true, "thinkingBudget": -1]
            }
        case .level(let hasMinimal):
            switch mode {
            case "disabled":
                return ["thinkingLevel": .string(hasMinimal ? "minimal" : "low")]
            case "enabled":
                let budget = thinking["budget_tokens"]?.intValue ?? 0
                return ["includeThoughts": true, "thinkingLevel": .string(budget > 0 && budget < 4096 ? "low" : "high")]
            default:
                var config: JSONObject = ["includeThoughts": true]
                switch effort {
                case "low": config["thinkingLevel"] = "low"
                case "high", "max", "xhigh": config["thinkingLevel"] = "high"
                default: break  // medium: the model's own (dynamic) default
                }
                return config
            }
        }
    }
}
