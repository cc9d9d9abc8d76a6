/// What the router needs to know about one Anthropic Messages request, read once from its body
/// and headers.
public struct RequestFacts: Sendable {
    /// The `model` the client asked for.
    public var model: String
    /// The Claude tier of ``model`` and whether it asks for the 1M context (`[1m]` suffix or the
    /// `context-1m` beta).
    public var family: ModelFamily?
    public var extendedContext: Bool
    /// `cc_is_subagent=true` in Claude Code's billing block.
    public var isSubagent: Bool
    /// A `web_search*` server tool is offered.
    public var hasWebSearch: Bool
    /// Why the request counts as deep reasoning, if it does.
    public var thinkReason: String?
    /// The last user message has an image (directly or in a tool result).
    public var lastUserMessageHasImage: Bool
    /// Names of the offered tools.
    public var toolNames: [String]
    /// Lowercased header names.
    public var headers: [String: String]
    /// The Claude Code session.
    public var sessionID: String?

    /// Reads the facts.
    /// - Parameters:
    ///   - headers: lowercased header names.
    /// - Parameter sessionID: the session when the caller already read it (else read here).
    public init(body: JSONObject, headers: [String: String], thinkTrigger: ThinkTrigger, sessionID: String? = nil) {
        self.model = body["model"]?.stringValue ?? ""
        let family = ModelFamily.of(model: self.model)
        self.family = family?.family
        self.extendedContext = (family?.extendedContext ?? false) || (headers["anthropic-beta"]?.containsBytes("context-1m") ?? false)
        self.headers = headers
        self.sessionID = sessionID ?? SessionID.of(headers: headers, body: body)
        self.isSubagent = Self.billingBlock(body)?.containsBytes("cc_is_subagent=true") ?? false
        let tools = body["tools"]?.arrayValue ?? []
        self.toolNames = tools.compactMap { $0["name"]?.stringValue }
        self.hasWebSearch = tools.contains { $0["type"]?.stringValue?.hasPrefix("web_search") ?? false }
        self.thinkReason = Self.thinkReason(body, trigger: thinkTrigger, claudeModel: family != nil)
        self.lastUserMessageHasImage = Self.lastUserMessage(body).map(Self.hasImage) ?? false
    }

    /// The `x-anthropic-billing-header: …` system block Claude Code puts first.
    static func billingBlock(_ body: JSONObject) -> String? {
        guard let blocks = body["system"]?.arrayValue else { return nil }
        for block in blocks.prefix(2) {
            if let text = block["text"]?.stringValue, text.hasPrefix("x-anthropic-billing-header:") { return text }
        }
        return nil
    }

    /// - Parameter claudeModel: Claude Code sends effort `high` by default for model names it does
    ///   not know, so for those only an effort above `high` counts.
    static func thinkReason(_ body: JSONObject, trigger: ThinkTrigger, claudeModel: Bool) -> String? {
        if let thinking = body["thinking"], thinking["type"]?.stringValue == "enabled",
            let budget = thinking["budget_tokens"]?.intValue, budget >= trigger.minimumBudgetTokens
        {
            return "thinking enabled with a budget of \(budget) tokens"
        }
        if let effort = Self.effort(body), trigger.efforts.contains(effort), claudeModel || effort != "high" {
            return "effort \(effort)"
        }
        if trigger.planMode && Self.isPlanMode(body) {
            return "plan mode"
        }
        return nil
    }

    /// `output_config.effort`, or the one on the last message that carries it (per-turn control).
    static func effort(_ body: JSONObject) -> String? {
        if let effort = body["output_config"]?["effort"]?.stringValue { return effort.lowercased() }
        for message in (body["messages"]?.arrayValue ?? []).reversed() {
            if let effort = message["output_config"]?["effort"]?.stringValue { return effort.lowercased() }
        }
        return nil
    }

    /// Plan mode: the permission mode in `safeguards`, or Claude Code's plan-mode reminder in the
    /// last user message.
    static func isPlanMode(_ body: JSONObject) -> Bool {
        for safeguard in body["safeguards"]?.arrayValue ?? [] {
            if safeguard["classifier_context"]?["permission_mode"]?.stringValue == "plan" { return true }
        }
        guard let last = Self.lastUserMessage(body) else { return false }
        return Self.texts(of: last).contains { $0.containsBytes("Plan mode is active") }
    }

    /// The last message with role `user`.
    static func lastUserMessage(_ body: JSONObject) -> JSONValue? {
        (body["messages"]?.arrayValue ?? []).last { $0["role"]?.stringValue == "user" }
    }

    /// The text of a message: its string content or its text blocks.
    static func texts(of message: JSONValue) -> [String] {
        if let text = message["content"]?.stringValue { return [text] }
        return (message["content"]?.arrayValue ?? []).compactMap { block in
            block["type"]?.stringValue == "text" ? block["text"]?.stringValue : nil
        }
    }

    /// The text of the last user message, joined by newlines.
    public static func lastUserText(_ body: JSONObject) -> String {
        Self.lastUserMessage(body).map { Self.texts(of: $0).joined(separator: "\n") } ?? ""
    }

    static func hasImage(_ message: JSONValue) -> Bool {
        for block in message["content"]?.arrayValue ?? [] {
            switch block["type"]?.stringValue {
            case "image": return true
            case "tool_result":
                if (block["content"]?.arrayValue ?? []).contains(where: { $0["type"]?.stringValue == "image" }) { return true }
            default: break
            }
        }
        return false
    }
}
