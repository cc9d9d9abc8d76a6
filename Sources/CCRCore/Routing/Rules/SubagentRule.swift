/// `subagent`: Claude Code marks its subagents' requests with `cc_is_subagent=true` in the
/// billing system block.
public struct SubagentRule: RoutingRule {
    public init() {}

    public func evaluate(_ context: inout RoutingContext) throws(AnthropicError) -> RuleOutcome {
        guard context.facts.isSubagent else { return .pass("subagent: not a subagent request") }
        return context.slotOutcome(.subagent, because: "cc_is_subagent=true in the billing block")
    }
}
