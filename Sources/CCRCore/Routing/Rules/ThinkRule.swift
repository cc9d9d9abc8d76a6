/// `think`: the request asks for deep reasoning as ``ThinkTrigger`` defines it (not Claude Code's
/// default adaptive thinking at medium effort, which every turn carries).
public struct ThinkRule: RoutingRule {
    public init() {}

    public func evaluate(_ context: inout RoutingContext) throws(AnthropicError) -> RuleOutcome {
        guard let reason = context.facts.thinkReason else {
            return .pass("think: no thinking budget, high effort or plan mode")
        }
        return context.slotOutcome(.think, because: reason)
    }
}
