/// The state one routing decision works on: the request (which rules may rewrite), its facts,
/// the route table in force, and the token count, computed at most once and only when a rule
/// needs it.
public struct RoutingContext: Sendable {
    /// The request body; rules that strip or rewrite parts of it set ``bodyChanged``.
    public var body: JSONObject
    public var bodyChanged = false
    public let facts: RequestFacts
    /// The route table in force: the global `Router`, or a project's or session's override.
    public let table: RouterTable
    /// Where ``table`` came from, for the explanation.
    public let tableSource: String
    /// The configured providers, to check and spell targets.
    public let configuration: CCRConfiguration
    /// The input tokens the provider reported for this session's previous turn.
    public let lastSessionInputTokens: Int?
    private let counter: @Sendable (JSONObject) -> Int
    private var counted: Int?

    public init(
        body: JSONObject, facts: RequestFacts, table: RouterTable, tableSource: String, configuration: CCRConfiguration,
        lastSessionInputTokens: Int?, countTokens: @escaping @Sendable (JSONObject) -> Int
    ) {
        self.body = body
        self.facts = facts
        self.table = table
        self.tableSource = tableSource
        self.configuration = configuration
        self.lastSessionInputTokens = lastSessionInputTokens
        self.counter = countTokens
    }

    /// The request's cl100k token count (text, tool use and results, thinking, system, tools).
    public mutating func tokenCount() -> Int {
        if let counted { return counted }
        let count = self.counter(self.body)
        self.counted = count
        return count
    }

    /// The count if a rule already needed it.
    public var tokenCountIfKnown: Int? { self.counted }

    /// The family table for this request, if `Router.families` has one.
    public var familyRoutes: FamilyRoutes? {
        self.facts.family.flatMap { self.table.families[$0] }
    }

    /// The target configured for a scenario: the family table's slot, else the global slot. For
    /// `background` a family table's `default` comes before the global slot (a haiku table takes
    /// over Claude Code's haiku side calls).
    public func target(for scenario: RouteScenario) -> (target: RouteTarget, source: String)? {
        if let family = self.facts.family, let routes = self.table.families[family] {
            if let target = routes.routes[scenario] { return (target, "Router.families.\(family.rawValue).\(scenario.rawValue)") }
            if scenario == .background, let target = routes.routes[.default] {
                return (target, "Router.families.\(family.rawValue).default")
            }
        }
        if let target = self.table.routes[scenario] { return (target, "Router.\(scenario.rawValue)") }
        return nil
    }
}
