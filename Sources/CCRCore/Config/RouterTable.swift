/// `Router`: which `provider,model` serves each scenario, per Claude tier, and by rule.
public struct RouterTable: Sendable {
    /// The global slots: `default`, `background`, `think`, `longContext`, `webSearch`, `image`,
    /// `subagent`.
    public var routes = ScenarioRoutes()
    /// Tokens above which `longContext` fires (default 60,000).
    public var longContextThreshold: Int = 60_000
    /// `Router.families`: a table per Claude tier; missing slots fall back to ``routes``.
    public var families: [ModelFamily: FamilyRoutes] = [:]
    /// `Router.rules`, tried in order after the scenario slots.
    public var rules: [RouteRule] = []
    /// `Router.thinkTrigger`: when `think` fires.
    public var thinkTrigger = ThinkTrigger()

    public init() {}

    /// `Router.default`.
    public var defaultRoute: RouteTarget? {
        get { self.routes[.default] }
        set { self.routes[.default] = newValue }
    }

    public var longContext: RouteTarget? { self.routes[.longContext] }

    /// Whether any configured rule needs a token count.
    public var needsTokenCount: Bool {
        self.routes[.longContext] != nil || self.rules.contains(where: \.needsTokenCount)
            || self.families.values.contains { $0.routes[.longContext] != nil || $0.extendedContext != nil }
    }
}
