/// Where one request goes and why: logged, recorded and sent back as `x-ccr-route`.
public struct RouteDecision: Sendable, Equatable {
    /// Which rule chose the target.
    public enum Scenario: String, Sendable {
        /// `provider,model` in the request's `model` (Claude Code's `/model provider,model`).
        case explicit
        /// `Router.default`.
        case `default`
    }

    public var target: RouteTarget
    public var scenario: Scenario
    /// A sentence a person can read.
    public var reason: String

    public init(target: RouteTarget, scenario: Scenario, reason: String) {
        self.target = target
        self.scenario = scenario
        self.reason = reason
    }

    /// The `x-ccr-route` header value: `provider,model; scenario=default`.
    public var headerValue: String {
        "\(self.target); scenario=\(self.scenario.rawValue)"
    }
}
