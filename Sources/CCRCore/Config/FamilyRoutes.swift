/// `Router.families.<family>`: the route table used when Claude Code asks for that Claude tier.
///
/// Any slot left out falls back to the global `Router` slot.
public struct FamilyRoutes: Sendable, Equatable {
    /// `default`, `background`, `think`, `longContext`, `webSearch`, `image`, `subagent`.
    public var routes: ScenarioRoutes
    /// Used when the request asks for the 1M context (`[1m]` suffix or the `context-1m` beta);
    /// falls back to `longContext`.
    public var extendedContext: RouteTarget?
    /// Overrides `Router.longContextThreshold` for this family.
    public var longContextThreshold: Int?
    /// Tried before the global `fallback` lists.
    public var fallback = FallbackTable()

    public init(routes: ScenarioRoutes = ScenarioRoutes(), extendedContext: RouteTarget? = nil, longContextThreshold: Int? = nil) {
        self.routes = routes
        self.extendedContext = extendedContext
        self.longContextThreshold = longContextThreshold
    }
}
