/// One step of the routing order: it either chooses a target or passes with a note saying why.
public protocol RoutingRule: Sendable {
    /// Decides for this request.
    /// - Throws: ``AnthropicError`` (400) when the request names a target that does not exist.
    func evaluate(_ context: inout RoutingContext) throws(AnthropicError) -> RuleOutcome
}

/// What a ``RoutingRule`` concluded.
public enum RuleOutcome: Sendable, Equatable {
    /// This target, for this scenario, because of this.
    case route(RouteTarget, RouteScenario, reason: String)
    /// The rule does not apply; the note says why (for `ccr route --explain`).
    case pass(String)
}

extension RoutingContext {
    /// The outcome of a slot scenario that fired: its target, or a pass when no slot is set.
    func slotOutcome(_ scenario: RouteScenario, because reason: String) -> RuleOutcome {
        guard let (target, source) = self.target(for: scenario) else {
            return .pass("\(scenario.rawValue): \(reason), but no \(scenario.rawValue) route is configured")
        }
        return .route(target, scenario, reason: "\(reason) → \(source)")
    }

    /// Resolves a `provider,model` text against the configured providers (names compared
    /// case-insensitively; the canonical spelling returned).
    func resolve(_ text: String, what: String) throws(AnthropicError) -> RouteTarget {
        guard let wanted = RouteTarget(parsing: text) else {
            throw .invalidRequest("ccr: \(what) '\(text)' is not in the form provider,model")
        }
        guard let provider = self.configuration.provider(named: wanted.provider) else {
            throw .invalidRequest("ccr: no provider named '\(wanted.provider)' (\(what) '\(text)'). Configured: \(self.configuration.providerListing)")
        }
        guard let model = provider.model(named: wanted.model) else {
            throw .invalidRequest(
                "ccr: provider '\(provider.name)' has no model '\(wanted.model)' (\(what) '\(text)'). It serves: \(provider.models.joined(separator: ", "))")
        }
        return RouteTarget(provider: provider.name, model: model)
    }
}
