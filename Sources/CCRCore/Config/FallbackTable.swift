/// `fallback`: per scenario, the targets to try in order when the routed one fails
/// (`{"default": ["p,m", …], "think": […]}`); `Router.families.<tier>.fallback` has the same
/// shape and is tried first. A scenario without a list uses the `default` list.
public struct FallbackTable: Sendable, Equatable {
    public var lists: [String: [RouteTarget]]

    public init(_ lists: [String: [RouteTarget]] = [:]) {
        self.lists = lists
    }

    /// The list for a scenario (else `default`'s).
    public func targets(for scenario: RouteScenario) -> [RouteTarget] {
        self.lists[scenario.rawValue] ?? self.lists["default"] ?? []
    }

    public var isEmpty: Bool { self.lists.isEmpty }
}
