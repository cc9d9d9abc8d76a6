/// Chooses the provider and model for a request, in the order of SPEC §S5:
///
/// 1. explicit `provider,model` (``ExplicitModelRule``);
/// 2. the `<CCR-SUBAGENT-MODEL>` tag (``SubagentTagRule``);
/// 3. the Claude tier's table in `Router.families`, consulted by every slot below;
/// 4. the slots `longContext`, `background`, `subagent`, `webSearch`, `think`, `image`;
/// 5. `Router.rules` (``DeclarativeRules``);
/// 6. the custom router plugin (`CUSTOM_ROUTER_PATH`);
/// 7. `default` (the family's, else `Router.default`).
///
/// The first rule that yields a target wins; each rule's verdict is kept in the decision's trace.
public struct RequestRouter: Sendable {
    public var configuration: CCRConfiguration
    /// Counts a request's tokens (cl100k); only called when a rule needs the count.
    public var countTokens: @Sendable (JSONObject) -> Int

    /// The prefix of the model ids ccr lists in `GET /v1/models`. Claude Code keeps only ids that
    /// contain "claude" or "anthropic", so each `provider,model` is offered as
    /// `claude-ccr/provider,model`, which routes back here.
    public static let modelIDPrefix = "claude-ccr/"

    public init(configuration: CCRConfiguration, countTokens: @escaping @Sendable (JSONObject) -> Int = RequestTokenEstimate.bytesOverFour) {
        self.configuration = configuration
        self.countTokens = countTokens
    }

    /// Decides where a request goes.
    /// - Parameters:
    ///   - body: the Anthropic Messages request.
    ///   - headers: the request headers, lowercased names.
    ///   - sessionID: the Claude Code session, when the caller already read it.
    ///   - table: a project's or session's `Router` that replaces the global one, and where it came from.
    ///   - lastSessionInputTokens: the input the provider reported for the session's previous turn.
    ///   - plugin: the custom router, if configured.
    /// - Throws: ``AnthropicError`` (400) naming what exists when the request names an unknown
    ///   provider or model, or when no rule and no default applies.
    public func route(
        body: JSONObject, headers: [String: String], sessionID: String? = nil, table: (RouterTable, String)? = nil,
        lastSessionInputTokens: Int? = nil, plugin: CustomRouting? = nil
    ) async throws(AnthropicError) -> RoutedRequest {
        let (table, source) = table ?? (self.configuration.router, "config.json")
        var body = body
        var rewritten = false
        if let prompt = self.configuration.rewriteSystemPrompt {
            rewritten = SystemPromptRewrite(replacement: prompt).apply(to: &body)
        }
        let facts = RequestFacts(body: body, headers: headers, thinkTrigger: table.thinkTrigger, sessionID: sessionID)
        var context = RoutingContext(
            body: body, facts: facts, table: table, tableSource: source, configuration: self.configuration,
            lastSessionInputTokens: lastSessionInputTokens, countTokens: self.countTokens)
        var trace: [String] = []
        if source != "config.json" { trace.append("route table: \(source)") }
        if rewritten { trace.append("REWRITE_SYSTEM_PROMPT: system prompt replaced") }

        func finish(_ target: RouteTarget, _ scenario: RouteScenario, _ reason: String, _ context: RoutingContext) -> RoutedRequest {
            trace.append("→ \(target) (\(scenario.rawValue)): \(reason)")
            let decision = RouteDecision(
                target: target, scenario: scenario, reason: reason, family: facts.family, tokenCount: context.tokenCountIfKnown, trace: trace)
            return RoutedRequest(decision: decision, body: context.body, bodyChanged: rewritten || context.bodyChanged, facts: facts)
        }

        let leading: [any RoutingRule] = [ExplicitModelRule(), SubagentTagRule()]
        for rule in leading {
            switch try rule.evaluate(&context) {
            case .route(let target, let scenario, let reason): return finish(target, scenario, reason, context)
            case .pass(let note): trace.append(note)
            }
        }
        if let family = facts.family {
            trace.append(
                table.families[family] != nil
                    ? "family: \(family.rawValue) → Router.families.\(family.rawValue), then Router"
                    : "family: \(family.rawValue), no Router.families.\(family.rawValue) table")
        }
        let slots: [any RoutingRule] = [LongContextRule(), BackgroundRule(), SubagentRule(), WebSearchRule(), ThinkRule(), ImageRule()]
        for rule in slots {
            switch try rule.evaluate(&context) {
            case .route(let target, let scenario, let reason): return finish(target, scenario, reason, context)
            case .pass(let note): trace.append(note)
            }
        }
        switch try DeclarativeRules(scenarios: Self.scenarios(of: facts, context: &context)).evaluate(&context) {
        case .route(let target, let scenario, let reason): return finish(target, scenario, reason, context)
        case .pass(let note): trace.append(note)
        }
        if let plugin {
            let tokens = context.tokenCount()
            if let answer = await plugin(context.body, tokens, facts.sessionID, headers) {
                if let replacement = answer.body {
                    context.body = replacement
                    context.bodyChanged = true
                }
                if let spelled = answer.route?.trimmingSpaces(), !spelled.isEmpty {
                    do {
                        let target = try context.resolve(spelled, what: "custom router answer")
                        return finish(target, .plugin, "CUSTOM_ROUTER_PATH returned '\(spelled)'", context)
                    } catch {
                        trace.append("plugin: ignored its answer: \(error.message)")
                    }
                } else {
                    trace.append("plugin: returned no route")
                }
            } else {
                trace.append("plugin: no answer (failed or timed out; see the log)")
            }
        }
        if let family = facts.family, let target = table.families[family]?.routes[.default] {
            return finish(target, .default, "no rule matched → Router.families.\(family.rawValue).default", context)
        }
        guard let target = table.routes[.default] else {
            throw .invalidRequest(
                "ccr: no route for model '\(facts.model)': no rule matched and Router.default is not set (\(source)). Configured: \(self.configuration.providerListing)")
        }
        return finish(target, .default, "no rule matched → Router.default", context)
    }

    /// The slot scenarios a request shows, for `Router.rules` conditions.
    static func scenarios(of facts: RequestFacts, context: inout RoutingContext) -> Set<RouteScenario> {
        var result: Set<RouteScenario> = []
        if facts.family == .haiku { result.insert(.background) }
        if facts.isSubagent { result.insert(.subagent) }
        if facts.hasWebSearch { result.insert(.webSearch) }
        if facts.thinkReason != nil { result.insert(.think) }
        if facts.lastUserMessageHasImage { result.insert(.image) }
        if facts.extendedContext { result.insert(.longContext) }
        if context.table.rules.contains(where: { $0.scenario == .longContext }) {
            let threshold = context.familyRoutes?.longContextThreshold ?? context.table.longContextThreshold
            if context.tokenCount() > threshold { result.insert(.longContext) }
        }
        return result
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
