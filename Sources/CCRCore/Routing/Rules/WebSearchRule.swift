/// `webSearch`: a `web_search*` server tool is offered (ahead of `think`: a model without the
/// tool cannot answer).
public struct WebSearchRule: RoutingRule {
    public init() {}

    public func evaluate(_ context: inout RoutingContext) throws(AnthropicError) -> RuleOutcome {
        guard context.facts.hasWebSearch else { return .pass("webSearch: no web_search tool") }
        return context.slotOutcome(.webSearch, because: "a web_search tool is offered")
    }
}
