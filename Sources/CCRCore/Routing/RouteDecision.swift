/// Where one request goes and why: logged, recorded and sent back as `x-ccr-route`.
public struct RouteDecision: Sendable, Equatable {
    public var target: RouteTarget
    /// Which rule chose the target.
    public var scenario: RouteScenario
    /// A sentence a person can read.
    public var reason: String
    /// The Claude tier the client asked for, when it is one.
    public var family: ModelFamily?
    /// The cl100k token count, when a rule needed it.
    public var tokenCount: Int?
    /// One line per rule tried, in order (for `ccr route --explain`).
    public var trace: [String]

    public init(
        target: RouteTarget, scenario: RouteScenario, reason: String, family: ModelFamily? = nil, tokenCount: Int? = nil,
        trace: [String] = []
    ) {
        self.target = target
        self.scenario = scenario
        self.reason = reason
        self.family = family
        self.tokenCount = tokenCount
        self.trace = trace
    }

    /// The `x-ccr-route` header value: `provider,model; scenario=default`.
    public var headerValue: String {
        "\(self.target); scenario=\(self.scenario.rawValue)"
    }
}
