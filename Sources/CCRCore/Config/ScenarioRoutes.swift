/// A target per routing scenario: the slots of `Router` or of one `Router.families` table.
public struct ScenarioRoutes: Sendable, Equatable {
    private var targets: [RouteScenario: RouteTarget]

    public init(_ targets: [RouteScenario: RouteTarget] = [:]) {
        self.targets = targets
    }

    /// The target for a scenario, if configured.
    public subscript(scenario: RouteScenario) -> RouteTarget? {
        get { self.targets[scenario] }
        set { self.targets[scenario] = newValue }
    }

    public var isEmpty: Bool { self.targets.isEmpty }
}
