/// One entry of `Router.rules`: conditions, all of which must hold, and the target they choose.
///
/// ```json
/// { "name": "explain with the big model", "scenario": "think", "model": "claude-*-opus*",
///   "minTokens": 1000, "maxTokens": 80000, "tools": ["WebFetch"], "lastUserMessage": "(?i)explain",
///   "headers": { "x-claude-code-agent-id": "*" }, "route": "openrouter,anthropic/claude-sonnet-4" }
/// ```
/// Rules are tried in order after the scenario slots; the first match wins.
public struct RouteRule: Sendable {
    /// A name for logs and `ccr route --explain` (default `rules[i]`).
    public var name: String
    /// The request must show this scenario (detected whether or not its slot has a target).
    public var scenario: RouteScenario?
    /// The requested `model` must match this pattern.
    public var model: GlobPattern?
    /// Token count bounds, inclusive.
    public var minTokens: Int?
    public var maxTokens: Int?
    /// At least one of these tool names must be offered.
    public var tools: [String]
    /// The text of the last user message must contain a match of this regular expression.
    public var lastUserMessage: RegexPattern?
    /// Each header (lowercased name) must be present and its value match the pattern.
    public var headers: [(name: String, value: GlobPattern)]
    /// Where matching requests go.
    public var target: RouteTarget

    public init(
        name: String, scenario: RouteScenario? = nil, model: GlobPattern? = nil, minTokens: Int? = nil, maxTokens: Int? = nil,
        tools: [String] = [], lastUserMessage: RegexPattern? = nil, headers: [(name: String, value: GlobPattern)] = [],
        target: RouteTarget
    ) {
        self.name = name
        self.scenario = scenario
        self.model = model
        self.minTokens = minTokens
        self.maxTokens = maxTokens
        self.tools = tools
        self.lastUserMessage = lastUserMessage
        self.headers = headers
        self.target = target
    }

    /// Whether the rule needs the request's token count.
    public var needsTokenCount: Bool { self.minTokens != nil || self.maxTokens != nil }
}
