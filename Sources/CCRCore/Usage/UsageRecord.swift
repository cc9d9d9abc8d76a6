/// What one request to `/v1/messages` did and cost: where it was routed, which provider
/// answered, the tokens, the timings, the price (SPEC §S7). Failed requests are recorded too.
public struct UsageRecord: Sendable, Equatable {
    /// How the request ended for Claude Code.
    public enum Outcome: String, Sendable, CaseIterable {
        /// A complete answer.
        case ok
        /// An error answer (any status ≥ 400, including every route being unavailable).
        case error
        /// The provider failed after the stream had started; Claude Code got an `error` event.
        case failedMidStream = "failed_midstream"
        /// Claude Code went away before the answer was complete.
        case clientClosed = "client_closed"
    }

    /// The request id (`req_…`), also in the log and the `x-request-id` header.
    public var id: String
    /// When the request reached ccr, in milliseconds since 1970.
    public var startedAtMilliseconds: Int64
    /// Claude Code's session id, when it sent one.
    public var session: String?
    /// The Claude Code project folder of the session (`-home-me-repo`), when known.
    public var project: String?
    /// The `model` Claude Code asked for.
    public var clientModel: String
    public var scenario: RouteScenario
    /// Why the router chose the route.
    public var reason: String
    /// The route the router chose (before fallback).
    public var route: RouteTarget
    /// The target that answered (or last tried): differs from ``route`` after a fallback.
    public var target: RouteTarget
    /// The model name the provider's answer carried, when it differs from ``target``'s.
    public var upstreamModel: String?
    /// The fingerprint of the key used (never the key).
    public var keyID: String?
    /// The HTTP status Claude Code got.
    public var status: Int
    public var outcome: Outcome
    /// The error message, for failures.
    public var errorMessage: String?
    public var stream: Bool
    public var usage: AnthropicUsage
    /// From arrival at ccr to the first content sent to Claude Code (streams only).
    public var ttftMilliseconds: Int?
    /// From arrival at ccr to the last byte sent.
    public var durationMilliseconds: Int
    /// In US dollars; `nil` when the model has no known price.
    public var costUSD: Double?
    /// Every try at a provider, in order.
    public var attempts: [AttemptRecord]
    /// The client, from its `User-Agent` (`claude-code`, `api`).
    public var clientType: String

    public init(
        id: String, startedAtMilliseconds: Int64, session: String? = nil, project: String? = nil, clientModel: String,
        scenario: RouteScenario, reason: String, route: RouteTarget, target: RouteTarget, upstreamModel: String? = nil,
        keyID: String? = nil, status: Int, outcome: Outcome, errorMessage: String? = nil, stream: Bool,
        usage: AnthropicUsage = AnthropicUsage(), ttftMilliseconds: Int? = nil, durationMilliseconds: Int, costUSD: Double? = nil,
        attempts: [AttemptRecord] = [], clientType: String = "claude-code"
    ) {
        self.id = id
        self.startedAtMilliseconds = startedAtMilliseconds
        self.session = session
        self.project = project
        self.clientModel = clientModel
        self.scenario = scenario
        self.reason = reason
        self.route = route
        self.target = target
        self.upstreamModel = upstreamModel
        self.keyID = keyID
        self.status = status
        self.outcome = outcome
        self.errorMessage = errorMessage
        self.stream = stream
        self.usage = usage
        self.ttftMilliseconds = ttftMilliseconds
        self.durationMilliseconds = durationMilliseconds
        self.costUSD = costUSD
        self.attempts = attempts
        self.clientType = clientType
    }

    /// Output tokens per second of generation: output over the time after the first token
    /// (at least one second, as claude-code-router-next computes it, so that short answers
    /// are not reported at absurd speeds); `nil` without output.
    public var tokensPerSecond: Double? {
        guard self.usage.outputTokens > 0 else { return nil }
        let generating = Double(self.durationMilliseconds - (self.ttftMilliseconds ?? 0)) / 1_000
        return (Double(self.usage.outputTokens) / max(generating, 1) * 10).rounded() / 10
    }

    /// Attempts that actually reached a provider.
    public var sentAttempts: Int { self.attempts.count { $0.wasSent } }
}
