/// `provider,model` in `model` (Claude Code's `/model provider,model`), also as the
/// `claude-ccr/provider,model` ids that `GET /v1/models` lists. It bypasses every other rule.
public struct ExplicitModelRule: RoutingRule {
    public init() {}

    public func evaluate(_ context: inout RoutingContext) throws(AnthropicError) -> RuleOutcome {
        var spelled = context.facts.model
        if spelled.lowercased().hasPrefix(RequestRouter.modelIDPrefix) { spelled = String(spelled.dropFirst(RequestRouter.modelIDPrefix.count)) }
        guard spelled.contains(",") else { return .pass("explicit: model '\(context.facts.model)' is not provider,model") }
        let target = try context.resolve(spelled, what: "model")
        return .route(target, .explicit, reason: "model '\(context.facts.model)' names provider '\(target.provider)' and model '\(target.model)'")
    }
}
