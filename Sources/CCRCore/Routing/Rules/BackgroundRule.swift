/// `background`: a Claude Haiku model, which Claude Code uses for side work.
public struct BackgroundRule: RoutingRule {
    public init() {}

    public func evaluate(_ context: inout RoutingContext) throws(AnthropicError) -> RuleOutcome {
        guard context.facts.family == .haiku else { return .pass("background: model '\(context.facts.model)' is not a Haiku model") }
        return context.slotOutcome(.background, because: "model '\(context.facts.model)' is a Haiku model")
    }
}
