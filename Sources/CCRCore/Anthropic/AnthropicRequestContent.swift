/// Reading an Anthropic Messages request's content, as the encoders for other formats
/// (``OpenAIChatRequestEncoder``, ``OpenAIResponsesRequestEncoder``, ``GeminiRequestEncoder``)
/// all do it.
enum AnthropicRequestContent {
    /// The marker of Claude Code's billing block, which changes on every request.
    static let billingPrefix = "x-anthropic-billing-header:"

    /// Appends the texts of a system prompt (a string or text blocks) to `parts`, leaving out empty
    /// texts and Claude Code's per-request billing line (so that providers' prompt caches keep hitting).
    static func collectSystem(_ value: JSONValue?, into parts: inout [String]) {
        switch value {
        case .string(let text)?:
            if !text.isEmpty && !text.hasPrefix(Self.billingPrefix) { parts.append(text) }
        case .array(let blocks)?:
            for block in blocks {
                guard let text = block["text"]?.stringValue ?? block.stringValue, !text.isEmpty else { continue }
                if text.hasPrefix(Self.billingPrefix) { continue }
                parts.append(text)
            }
        default:
            break
        }
    }

    /// A `tool_result` block's text (its text items joined by newlines, `Error: ` in front when
    /// `is_error`), and its images, each made into the target's part by `imagePart`.
    static func toolResult(
        _ block: JSONValue, imagePart: (JSONValue) throws(AnthropicError) -> JSONValue
    ) throws(AnthropicError) -> (String, [JSONValue]) {
        var text = ""
        var images: [JSONValue] = []
        switch block["content"] {
        case .string(let s)?:
            text = s
        case .array(let items)?:
            var pieces: [String] = []
            for item in items {
                switch item["type"]?.stringValue {
                case "text": pieces.append(item["text"]?.stringValue ?? "")
                case "image": images.append(try imagePart(item))
                default: pieces.append(item["text"]?.stringValue ?? item.jsonString())
                }
            }
            text = pieces.joined(separator: "\n")
        default:
            break
        }
        if text.isEmpty && !images.isEmpty { text = "(the result is an image, attached below)" }
        if block["is_error"] == true { text = "Error: " + text }
        return (text, images)
    }

    /// The text of a `document` block whose source is text (after its title, when it has one) or
    /// content blocks; `nil` for other sources.
    static func documentText(_ block: JSONValue) -> String? {
        let source = block["source"] ?? .null
        switch source["type"]?.stringValue {
        case "text":
            let text = source["data"]?.stringValue ?? ""
            return block["title"]?.stringValue.map { "\($0)\n\n\(text)" } ?? text
        case "content":
            return (source["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        default:
            return nil
        }
    }

    /// The text sent for a user block the target has no equivalent for (search results, tool
    /// references…): its text or string content, else its JSON.
    static func fallbackText(_ block: JSONValue) -> String {
        block["text"]?.stringValue ?? block["content"]?.stringValue ?? block.jsonString()
    }

    /// What a user turn's blocks become for an OpenAI-style target: the parts for the text, images
    /// and documents (thinking left out, blocks without an equivalent as ``fallbackText(_:)``), with
    /// the images the turn's tool results returned in front under a line saying so. Each
    /// `tool_result` block goes to `toolResult`, which returns the images it carried.
    static func userParts(
        _ blocks: [JSONValue],
        textPart: (String) -> JSONValue,
        imagePart: (JSONValue) throws(AnthropicError) -> JSONValue,
        documentPart: (JSONValue) throws(AnthropicError) -> JSONValue,
        toolResult: (JSONValue) throws(AnthropicError) -> [JSONValue]
    ) throws(AnthropicError) -> [JSONValue] {
        var parts: [JSONValue] = []
        var toolImages: [JSONValue] = []
        for block in blocks {
            switch block["type"]?.stringValue {
            case "tool_result":
                toolImages += try toolResult(block)
            case "text":
                if let text = block["text"]?.stringValue, !text.isEmpty { parts.append(textPart(text)) }
            case "image":
                parts.append(try imagePart(block))
            case "document":
                parts.append(try documentPart(block))
            case "thinking", "redacted_thinking":
                break
            default:
                parts.append(textPart(Self.fallbackText(block)))
            }
        }
        if !toolImages.isEmpty {
            parts.insert(textPart("Images returned by the tool calls above:"), at: 0)
            parts.insert(contentsOf: toolImages, at: 1)
        }
        return parts
    }

    /// An image block's picture as one URL: a `data:` URL for base64 data, else its `url`.
    /// - Parameter provider: what to call the provider in the error for another source type.
    static func imageURL(_ block: JSONValue, provider: String) throws(AnthropicError) -> String {
        let source = block["source"] ?? .null
        switch source["type"]?.stringValue {
        case "base64":
            let media = source["media_type"]?.stringValue ?? "image/png"
            return "data:\(media);base64,\(source["data"]?.stringValue ?? "")"
        case "url":
            return source["url"]?.stringValue ?? ""
        default:
            throw .invalidRequest("ccr: an image with source type '\(source["type"]?.stringValue ?? "?")' cannot be sent to \(provider)")
        }
    }
}
