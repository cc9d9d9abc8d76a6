/// Chooses the provider and model for a request.
///
/// The rules, first match wins: an explicit `provider,model` in `model` (names compared
/// case-insensitively, canonical spelling forwarded; also the `claude-ccr/provider,model` ids that
/// `GET /v1/models` hands to Claude Code's model picker); otherwise `Router.default`.
public struct RequestRouter: Sendable {
    public var configuration: CCRConfiguration

    /// The prefix of the model ids ccr lists in `GET /v1/models`. Claude Code keeps only ids that
    /// contain "claude" or "anthropic", so each `provider,model` is offered as
    /// `claude-ccr/provider,model`, which routes back here.
    public static let modelIDPrefix = "claude-ccr/"

    public init(configuration: CCRConfiguration) {
        self.configuration = configuration
    }

    /// Decides where a request with this `model` goes.
    /// - Throws: ``AnthropicError`` (400) naming what exists when an explicit provider or model is
    ///   unknown, or when nothing is configured.
    public func route(model requested: String?) throws(AnthropicError) -> RouteDecision {
        let requested = requested ?? ""
        var spelled = requested
        if spelled.lowercased().hasPrefix(Self.modelIDPrefix) { spelled = String(spelled.dropFirst(Self.modelIDPrefix.count)) }
        if spelled.contains(","), let wanted = RouteTarget(parsing: spelled) {
            guard let provider = self.configuration.provider(named: wanted.provider) else {
                throw .invalidRequest(
                    "ccr: no provider named '\(wanted.provider)' (model '\(requested)'). Configured: \(self.listing())")
            }
            guard let model = provider.model(named: wanted.model) else {
                throw .invalidRequest(
                    "ccr: provider '\(provider.name)' has no model '\(wanted.model)'. It serves: \(provider.models.joined(separator: ", "))")
            }
            return RouteDecision(
                target: RouteTarget(provider: provider.name, model: model), scenario: .explicit,
                reason: "model '\(requested)' names provider '\(provider.name)' and model '\(model)'")
        }
        guard let target = self.configuration.router.defaultRoute else {
            throw .invalidRequest(
                "ccr: no route for model '\(requested)': Router.default is not set and the model is not in provider,model form. Configured: \(self.listing())")
        }
        return RouteDecision(target: target, scenario: .default, reason: "no rule matched model '\(requested)'; Router.default")
    }

    private func listing() -> String {
        if self.configuration.providers.isEmpty { return "no providers (add one to Providers in config.json)" }
        return self.configuration.providers.map { "\($0.name) [\($0.models.joined(separator: ", "))]" }.joined(separator: "; ")
    }

    /// The `GET /v1/models` answer: every configured `provider,model`, Anthropic-shaped.
    public func modelList() -> JSONValue {
        var data: [JSONValue] = []
        for provider in self.configuration.providers {
            for model in provider.models {
                data.append([
                    "type": "model",
                    "id": .string(Self.modelIDPrefix + "\(provider.name),\(model)"),
                    "display_name": .string("\(model) (\(provider.name))"),
                    "description": .string("\(model) from \(provider.name), routed by ccr"),
                    "created_at": "2025-01-01T00:00:00Z",
                ])
            }
        }
        return [
            "data": .array(data),
            "has_more": false,
            "first_id": data.first?["id"] ?? .null,
            "last_id": data.last?["id"] ?? .null,
        ]
    }
}
