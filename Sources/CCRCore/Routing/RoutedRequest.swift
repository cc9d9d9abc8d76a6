/// A routed request: the decision and the body to forward (rewritten when a rule stripped a tag,
/// the system prompt was replaced, or the custom router changed it).
public struct RoutedRequest: Sendable {
    public var decision: RouteDecision
    public var body: JSONObject
    /// Whether ``body`` differs from the body received (then it must be re-encoded).
    public var bodyChanged: Bool
    public var facts: RequestFacts

    public init(decision: RouteDecision, body: JSONObject, bodyChanged: Bool, facts: RequestFacts) {
        self.decision = decision
        self.body = body
        self.bodyChanged = bodyChanged
        self.facts = facts
    }
}
