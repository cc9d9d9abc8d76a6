/// `Router.rules`: the first entry whose conditions all hold chooses the target.
public struct DeclarativeRules: RoutingRule {
    /// The scenarios the request shows, whether or not a slot routed it.
    let scenarios: Set<RouteScenario>

    public init(scenarios: Set<RouteScenario>) {
        self.scenarios = scenarios
    }

    public func evaluate(_ context: inout RoutingContext) throws(AnthropicError) -> RuleOutcome {
        let rules = context.table.rules
        guard !rules.isEmpty else { return .pass("rules: none configured") }
        var lastUserText: String?
        for rule in rules {
            if let scenario = rule.scenario, !self.scenarios.contains(scenario) { continue }
            if let pattern = rule.model, !pattern.matches(context.facts.model) { continue }
            if rule.needsTokenCount {
                let tokens = context.tokenCount()
                if let minimum = rule.minTokens, tokens < minimum { continue }
                if let maximum = rule.maxTokens, tokens > maximum { continue }
            }
            if !rule.tools.isEmpty && !rule.tools.contains(where: context.facts.toolNames.contains) { continue }
            if !rule.headers.allSatisfy({ context.facts.headers[$0.name].map($0.value.matches) ?? false }) { continue }
            if let regex = rule.lastUserMessage {
                let text = lastUserText ?? RequestFacts.lastUserText(context.body)
                lastUserText = text
                if !regex.matches(in: text) { continue }
            }
            return .route(rule.target, .rule, reason: "Router.rules '\(rule.name)' matched")
        }
        return .pass("rules: none of \(rules.count) matched")
    }
}
