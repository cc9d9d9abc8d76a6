/// `openrouter {…}`: adapts requests and answers to OpenRouter.
///
/// - The options are merged into the request body, replacing fields of the same name (the
///   original's `Object.assign`), e.g. `{"provider": {"only": ["moonshotai/fp8"]}}`.
/// - Claude models (`anthropic/claude-…`) get prompt-cache breakpoints when Claude Code asked for
///   caching: `cache_control` on the system message and on the last user message, which is where
///   Claude Code puts its own. Other models get no `cache_control` at all.
/// - An image whose URL is bare base64 becomes a `data:` URL; a URL that already is one is left
///   alone (the original prefixed it a second time).
/// - Tool call ids that are bare numbers become unique `call_…` ids (``NumericToolIDs``).
///
/// OpenRouter's other quirks are handled by ccr's OpenAI Chat adapter for every provider:
/// `reasoning` and `reasoning_details` become thinking (and go back on the next turn),
/// `finish_reason: "error"` ends the stream with an error, and blocks get contiguous indices.
public struct OpenRouterTransformer: OpenRouterCompatibleTransformer {
    public static let name = "openrouter"
    /// Merged into every request.
    public let parameters: JSONObject

    public init(options: JSONObject) {
        self.parameters = options
    }

    /// The request changes shared with ``VercelTransformer``.
    static func adapt(_ request: inout JSONObject, context: TransformerContext, parameters: JSONObject) {
        let model = (request["model"]?.stringValue ?? context.model).lowercased()
        if model.contains("claude") {
            if Self.asksForCaching(context.anthropicRequest) { Self.addCacheBreakpoints(&request) }
        } else {
            CleanCacheTransformer.strip(&request)
        }
        Self.fixImageURLs(&request)
        for member in parameters.members { request[member.key] = member.value }
    }

    /// Whether the Anthropic request carries any `cache_control` (Claude Code's always does).
    static func asksForCaching(_ request: JSONObject) -> Bool {
        func has(_ value: JSONValue?) -> Bool {
            switch value {
            case .object(let object)?: return object["cache_control"] != nil || object.members.contains { has($0.value) }
            case .array(let items)?: return items.contains { has($0) }
            default: return false
            }
        }
        return has(request["system"]) || has(request["messages"]) || has(request["tools"])
    }

    /// Marks the system message and the last user message as cache breakpoints.
    static func addCacheBreakpoints(_ request: inout JSONObject) {
        request.editArray("messages") { messages in
            if let system = messages.firstIndex(where: { $0["role"] == "system" }) { Self.markLastTextPart(&messages[system]) }
            if let user = messages.lastIndex(where: { $0["role"] == "user" }) { Self.markLastTextPart(&messages[user]) }
        }
    }

    /// Puts `cache_control` on the message's last text part (a string content becomes one part).
    static func markLastTextPart(_ message: inout JSONValue) {
        message.editObject { object in
            if let text = object["content"]?.stringValue {
                guard !text.isEmpty else { return }
                object["content"] = [["type": "text", "text": .string(text), "cache_control": ["type": "ephemeral"]]]
                return
            }
            object.editArray("content") { parts in
                guard let last = parts.lastIndex(where: { $0["type"] == "text" }) else { return }
                parts[last].editObject { $0["cache_control"] = ["type": "ephemeral"] }
            }
        }
    }

    /// Prefixes image URLs that are bare base64 with a `data:` header; leaves every other URL alone.
    static func fixImageURLs(_ request: inout JSONObject) {
        request.editArray("messages") { messages in
            for index in messages.indices {
                messages[index].editObject { message in
                    message.editArray("content") { parts in
                        for part in parts.indices where parts[part]["type"] == "image_url" {
                            parts[part].editObject { object in
                                object.editObject("image_url") { image in
                                    guard let url = image["url"]?.stringValue, !Self.hasScheme(url) else { return }
                                    image["url"] = .string("data:\(Self.mediaType(ofBase64: url));base64,\(url)")
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func hasScheme(_ url: String) -> Bool {
        url.hasPrefix("data:") || url.hasPrefix("http://") || url.hasPrefix("https://")
    }

    /// The image type that base64 data starts like (PNG when unknown).
    static func mediaType(ofBase64 data: String) -> String {
        if data.hasPrefix("/9j/") { return "image/jpeg" }
        if data.hasPrefix("R0lGOD") { return "image/gif" }
        if data.hasPrefix("UklGR") { return "image/webp" }
        return "image/png"
    }
}

/// A transformer for a provider that takes OpenRouter's adaptations (``OpenRouterTransformer``,
/// ``VercelTransformer``): its options merged into the request, and the rest of
/// ``OpenRouterTransformer/adapt(_:context:parameters:)``; numeric tool call ids replaced.
public protocol OpenRouterCompatibleTransformer: Transformer {
    /// Merged into every request.
    var parameters: JSONObject { get }
}

extension OpenRouterCompatibleTransformer {
    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {
        OpenRouterTransformer.adapt(&request, context: context, parameters: self.parameters)
    }

    public func transformResponse(_ response: inout JSONObject, context: TransformerContext) {
        NumericToolIDs.rewrite(message: &response)
    }

    public func makeStreamStage(context: TransformerContext) -> (any TransformerStreamStage)? {
        NumericToolIDs()
    }
}
