import CCRCore
import Synchronization
import Testing

/// A router over one provider whose model names say which slot they serve.
private enum Table {
    static let providers = """
        "Providers": [
          {"name": "P", "api_base_url": "https://p.example/v1/chat/completions", "api_key": "k",
           "models": ["main", "small", "deep", "long", "web", "vision", "agent", "rule-a", "rule-b", "plug", "opus-main", "opus-deep", "haiku-main", "huge"]},
          {"name": "Q", "api_base_url": "https://q.example/v1/chat/completions", "api_key": "k", "models": ["q-model"]}]
        """
    static let fullRouter = """
        "Router": {"default": "p,main", "background": "p,small", "think": "p,deep", "longContext": "p,long",
                   "longContextThreshold": 1000, "webSearch": "p,web", "image": "p,vision", "subagent": "p,agent"}
        """

    static func router(_ routerJSON: String = fullRouter, extra: String = "", tokens: Int = 10) -> RequestRouter {
        let text = "{\(providers), \(routerJSON) \(extra)}"
        let configuration = try! ConfigLoader(environment: [:]).load(text: Array(text.utf8)).0
        return RequestRouter(configuration: configuration, countTokens: { _ in tokens })
    }

    static func body(_ json: String) -> JSONObject {
        try! JSONParser.parse(Array(json.utf8)).objectValue!
    }

    static func route(
        _ router: RequestRouter, _ json: String, headers: [String: String] = [:], last: Int? = nil, plugin: CustomRouting? = nil
    ) async throws -> RoutedRequest {
        try await router.route(body: body(json), headers: headers, lastSessionInputTokens: last, plugin: plugin)
    }
}

@Suite("Routing: each rule, and the order between them")
struct RequestRouterTests {
    // MARK: Real Claude Code requests

    @Test(arguments: [
        ("01-main-turn-opus-default.json", "P,main", RouteScenario.default),  // adaptive thinking at medium effort is not "think"
        ("02-bash-tool-result-followup.json", "P,main", .default),
        ("03-thinking-signature-roundtrip.json", "P,main", .default),
        ("04-legacy-model-sonnet-4-5.json", "P,deep", .think),  // thinking enabled with budget 31999
        ("05-subagent-explore.json", "P,agent", .subagent),  // cc_is_subagent=true
        ("06-webfetch-apply-small-fast-model.json", "P,main", .default),
        ("07-non-streaming-fallback.json", "P,main", .default),
        ("09-compaction-request.json", "P,main", .default),
    ])
    func claudeCodeRequestsLandOnTheirSlots(fixture: String, target: String, scenario: RouteScenario) async throws {
        let router = Table.router(tokens: 500)
        let routed = try await router.route(
            body: Fixtures.claudeCodeRequest(fixture).objectValue!, headers: Fixtures.claudeCodeHeaders(fixture))
        #expect(routed.decision.target.description == target)
        #expect(routed.decision.scenario == scenario)
        #expect(routed.decision.headerValue == "\(target); scenario=\(scenario.rawValue)")
        #expect(!routed.bodyChanged)
    }

    @Test func theSessionComesFromTheHeaderOrTheMetadata() {
        let body = Fixtures.claudeCodeRequest("01-main-turn-opus-default.json").objectValue!
        #expect(SessionID.of(headers: [:], body: body) == "00000000-0000-4000-8000-000000000000")
        #expect(SessionID.of(headers: ["x-claude-code-session-id": "abc"], body: body) == "abc")
        let old = Table.body(#"{"metadata": {"user_id": "user_1f_account__session_5e2a-77"}}"#)
        #expect(SessionID.of(headers: [:], body: old) == "5e2a-77")
        #expect(SessionID.of(headers: [:], body: Table.body("{}")) == nil)
    }

    // MARK: One rule each

    @Test(arguments: [
        (#"{"model": "claude-haiku-5-5", "messages": []}"#, "P,small", RouteScenario.background),
        (#"{"model": "claude-3-5-haiku-20241022", "messages": []}"#, "P,small", .background),
        (#"{"model": "claude-opus-5-5", "tools": [{"type": "web_search_20250305", "name": "web_search"}], "messages": []}"#, "P,web", .webSearch),
        (#"{"model": "claude-opus-5-5", "output_config": {"effort": "high"}, "messages": []}"#, "P,deep", .think),
        (#"{"model": "claude-opus-5-5", "messages": [{"role": "system", "content": [], "output_config": {"effort": "max"}}]}"#, "P,deep", .think),
        (#"{"model": "claude-opus-5-5", "safeguards": [{"type": "dangerous_tool_use", "classifier_context": {"permission_mode": "plan"}}], "messages": []}"#, "P,deep", .think),
        (#"{"model": "claude-opus-5-5", "messages": [{"role": "user", "content": [{"type": "text", "text": "<system-reminder>Plan mode is active. …</system-reminder>"}]}]}"#, "P,deep", .think),
        (#"{"model": "claude-opus-5-5", "thinking": {"type": "adaptive"}, "output_config": {"effort": "medium"}, "messages": []}"#, "P,main", .default),
        (#"{"model": "claude-opus-5-5", "thinking": {"type": "disabled"}, "messages": []}"#, "P,main", .default),
        (#"{"model": "claude-opus-5-5", "messages": [{"role": "user", "content": [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA=="}}]}]}"#, "P,vision", .image),
        (#"{"model": "claude-opus-5-5", "messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA=="}}]}]}]}"#, "P,vision", .image),
        (#"{"model": "claude-opus-5-5", "messages": [{"role": "user", "content": [{"type": "image", "source": {"type": "url", "url": "u"}}]}, {"role": "assistant", "content": "ok"}, {"role": "user", "content": "next"}]}"#, "P,main", .default),
        (#"{"model": "claude-sonnet-5-5", "system": [{"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.330.000; cc_is_subagent=true;"}], "messages": []}"#, "P,agent", .subagent),
        (#"{"model": "q,q-model", "messages": []}"#, "Q,q-model", .explicit),
        (#"{"model": "claude-ccr/P, MAIN", "messages": []}"#, "P,main", .explicit),
        (#"{"model": "my-own-model", "messages": []}"#, "P,main", .default),
    ])
    func eachRuleFires(request: String, target: String, scenario: RouteScenario) async throws {
        let routed = try await Table.route(Table.router(), request)
        #expect(routed.decision.target.description == target, "\(routed.decision.trace)")
        #expect(routed.decision.scenario == scenario)
    }

    @Test func aSlotWithoutATargetFallsThrough() async throws {
        let router = Table.router(#""Router": {"default": "p,main"}"#)
        let routed = try await Table.route(router, #"{"model": "claude-haiku-5-5", "output_config": {"effort": "max"}, "messages": []}"#)
        #expect(routed.decision.target.description == "P,main")
        #expect(routed.decision.trace.contains { $0.contains("no background route is configured") })
    }

    @Test func theThinkTriggerIsConfigurable() async throws {
        let router = Table.router(#""Router": {"default": "p,main", "think": "p,deep", "thinkTrigger": {"budgetTokens": 10000, "effort": ["max"], "planMode": false}}"#)
        let small = try await Table.route(router, #"{"model": "claude-sonnet-4-5", "thinking": {"type": "enabled", "budget_tokens": 5000}, "messages": []}"#)
        #expect(small.decision.scenario == .default)
        let large = try await Table.route(router, #"{"model": "claude-sonnet-4-5", "thinking": {"type": "enabled", "budget_tokens": 31999}, "messages": []}"#)
        #expect(large.decision.scenario == .think)
        let high = try await Table.route(router, #"{"model": "claude-opus-5-5", "output_config": {"effort": "high"}, "messages": []}"#)
        #expect(high.decision.scenario == .default)
        let plan = try await Table.route(router, #"{"model": "claude-opus-5-5", "safeguards": [{"classifier_context": {"permission_mode": "plan"}}], "messages": []}"#)
        #expect(plan.decision.scenario == .default)
    }

    // MARK: The subagent tag

    @Test func theSubagentTagInAnySystemBlockRoutesAndIsStripped() async throws {
        let routed = try await Table.route(
            Table.router(),
            #"{"model": "claude-opus-5-5", "system": [{"type": "text", "text": "x-anthropic-billing-header: cc_version=1;"}, {"type": "text", "text": "You are a Claude agent."}, {"type": "text", "text": "<CCR-SUBAGENT-MODEL>q, Q-MODEL</CCR-SUBAGENT-MODEL>Review the code."}], "messages": []}"#
        )
        #expect(routed.decision.target.description == "Q,q-model")
        #expect(routed.decision.scenario == .subagent)
        #expect(routed.bodyChanged)
        #expect(routed.body["system"]?.arrayValue?[2]["text"] == "Review the code.")
        #expect(!JSONValue.object(routed.body).encoded().contains(subsequence: Array("CCR-SUBAGENT".utf8)))
    }

    @Test func theSubagentTagInTheFirstUserMessageRoutesAndIsStripped() async throws {
        for content in [
            #""<CCR-SUBAGENT-MODEL>q,q-model</CCR-SUBAGENT-MODEL>Find the bug""#,
            #"[{"type": "text", "text": "<system-reminder>x</system-reminder>"}, {"type": "text", "text": "<CCR-SUBAGENT-MODEL>q,q-model</CCR-SUBAGENT-MODEL>Find the bug"}]"#,
        ] {
            let routed = try await Table.route(Table.router(), #"{"model": "claude-opus-5-5", "messages": [{"role": "user", "content": \#(content)}]}"#)
            #expect(routed.decision.target.description == "Q,q-model")
            let message = routed.body["messages"]?.arrayValue?[0]
            let text = message?["content"]?.stringValue ?? message?["content"]?.arrayValue?[1]["text"]?.stringValue
            #expect(text == "Find the bug")
        }
    }

    @Test func aSubagentTagNamingAnUnknownModelIsAClearError() async throws {
        await #expect {
            try await Table.route(Table.router(), #"{"model": "claude-opus-5-5", "system": "<CCR-SUBAGENT-MODEL>openrouter,x</CCR-SUBAGENT-MODEL>hi", "messages": []}"#)
        } throws: { error in
            let error = error as! AnthropicError
            return error.status == 400 && error.message.contains("no provider named 'openrouter'") && error.message.contains("CCR-SUBAGENT-MODEL")
        }
    }

    @Test func unknownExplicitNamesListWhatExists() async throws {
        await #expect {
            try await Table.route(Table.router(), #"{"model": "openai,gpt-4o", "messages": []}"#)
        } throws: { error in
            let error = error as! AnthropicError
            return error.status == 400 && error.message.contains("Q [q-model]")
        }
    }

    // MARK: Order

    @Test func explicitBeatsTheTagAndTheTagBeatsEverythingElse() async throws {
        let tagged = #""system": "<CCR-SUBAGENT-MODEL>q,q-model</CCR-SUBAGENT-MODEL>", "tools": [{"type": "web_search_2025", "name": "w"}]"#
        let explicit = try await Table.route(Table.router(tokens: 99_999), #"{"model": "p,huge", \#(tagged), "messages": []}"#)
        #expect(explicit.decision.target.description == "P,huge")
        #expect(!explicit.bodyChanged)  // an explicit model leaves the prompt alone
        let tag = try await Table.route(Table.router(tokens: 99_999), #"{"model": "claude-haiku-5-5", \#(tagged), "messages": []}"#)
        #expect(tag.decision.target.description == "Q,q-model")  // before longContext (99,999 > 1000) and background
    }

    @Test func theSlotOrderIsLongContextBackgroundSubagentWebSearchThinkImage() async throws {
        let everything = #"""
            "system": [{"type": "text", "text": "x-anthropic-billing-header: cc_is_subagent=true;"}],
            "tools": [{"type": "web_search_20250305", "name": "web_search"}], "output_config": {"effort": "max"},
            "messages": [{"role": "user", "content": [{"type": "image", "source": {"type": "url", "url": "u"}}]}]
            """#
        let order: [(tokens: Int, model: String, expected: String)] = [
            (5_000, "claude-haiku-5-5", "P,long"),
            (10, "claude-haiku-5-5", "P,small"),
            (10, "claude-opus-5-5", "P,agent"),
        ]
        for step in order {
            let routed = try await Table.route(Table.router(tokens: step.tokens), #"{"model": "\#(step.model)", \#(everything)}"#)
            #expect(routed.decision.target.description == step.expected)
        }
        let withoutAgent = Table.router(
            #""Router": {"default": "p,main", "webSearch": "p,web", "think": "p,deep", "image": "p,vision"}"#)
        #expect(try await Table.route(withoutAgent, #"{"model": "claude-opus-5-5", \#(everything)}"#).decision.target.model == "web")
        let thinkAndImage = Table.router(#""Router": {"default": "p,main", "think": "p,deep", "image": "p,vision"}"#)
        #expect(try await Table.route(thinkAndImage, #"{"model": "claude-opus-5-5", \#(everything)}"#).decision.target.model == "deep")
        let imageOnly = Table.router(#""Router": {"default": "p,main", "image": "p,vision"}"#)
        #expect(try await Table.route(imageOnly, #"{"model": "claude-opus-5-5", \#(everything)}"#).decision.target.model == "vision")
    }

    // MARK: longContext

    @Test func longContextFiresOnTheCountOrOnTheSessionsLastRealUsage() async throws {
        let request = #"{"model": "claude-opus-5-5", "messages": []}"#
        #expect(try await Table.route(Table.router(tokens: 1_001), request).decision.scenario == .longContext)
        #expect(try await Table.route(Table.router(tokens: 1_000), request).decision.scenario == .default)
        let big = Table.router(#""Router": {"default": "p,main", "longContext": "p,long", "longContextThreshold": 60000}"#, tokens: 25_000)
        #expect(try await Table.route(big, request, last: 70_000).decision.scenario == .longContext)
        #expect(try await Table.route(big, request, last: 50_000).decision.scenario == .default)
        let small = Table.router(#""Router": {"default": "p,main", "longContext": "p,long", "longContextThreshold": 60000}"#, tokens: 15_000)
        #expect(try await Table.route(small, request, last: 70_000).decision.scenario == .default)  // under the 20,000 floor
    }

    @Test func theTokenCountIsOnlyComputedWhenARuleNeedsIt() async throws {
        let counted = Counter()
        let configuration = try ConfigLoader(environment: [:]).load(text: Array("{\(Table.providers), \"Router\": {\"default\": \"p,main\"}}".utf8)).0
        let router = RequestRouter(configuration: configuration, countTokens: { _ in counted.increment() })
        let routed = try await router.route(body: Table.body(#"{"model": "claude-opus-5-5", "messages": []}"#), headers: [:])
        #expect(routed.decision.tokenCount == nil)
        #expect(counted.value == 0)
        let withLong = Table.router(tokens: 42)
        #expect(try await Table.route(withLong, #"{"model": "claude-opus-5-5", "messages": []}"#).decision.tokenCount == 42)
    }

    // MARK: Families

    static let families = #"""
        "Router": {"default": "p,main", "think": "p,deep", "background": "p,small", "longContext": "p,long", "longContextThreshold": 1000,
          "families": {
            "opus": {"default": "p,opus-main", "think": "p,opus-deep", "extendedContext": "p,huge"},
            "haiku": {"default": "p,haiku-main"},
            "sonnet": {"longContextThreshold": 5000}}}
        """#

    @Test(arguments: [
        ("claude-opus-5-5", #""output_config": {"effort": "medium"}"#, 10, "P,opus-main", RouteScenario.default),
        ("claude-opus-5-5", #""output_config": {"effort": "high"}"#, 10, "P,opus-deep", .think),
        ("claude-opus-5-5[1m]", #""output_config": {"effort": "medium"}"#, 10, "P,huge", .longContext),
        ("claude-haiku-5-5", #""output_config": {"effort": "medium"}"#, 10, "P,haiku-main", .background),
        ("claude-sonnet-5-5", #""output_config": {"effort": "high"}"#, 10, "P,deep", .think),
        ("claude-sonnet-5-5", #""output_config": {"effort": "medium"}"#, 3_000, "P,main", .default),
        ("claude-sonnet-5-5", #""output_config": {"effort": "medium"}"#, 6_000, "P,long", .longContext),
        ("claude-opus-5-5", #""output_config": {"effort": "medium"}"#, 3_000, "P,long", .longContext),
        ("claude-fable-5-2", #""output_config": {"effort": "medium"}"#, 10, "P,main", .default),
    ])
    func familiesHaveTheirOwnTables(model: String, extra: String, tokens: Int, target: String, scenario: RouteScenario) async throws {
        let routed = try await Table.route(Table.router(Self.families, tokens: tokens), #"{"model": "\#(model)", \#(extra), "messages": []}"#)
        #expect(routed.decision.target.description == target, "\(routed.decision.trace)")
        #expect(routed.decision.scenario == scenario)
        #expect(routed.decision.family == ModelFamily.of(model: model)?.family)
    }

    @Test func theContext1MBetaAsksForTheExtendedContext() async throws {
        let routed = try await Table.router(Self.families).route(
            body: Table.body(#"{"model": "claude-opus-5-5", "messages": []}"#), headers: ["anthropic-beta": "claude-code-20250219,context-1m-2025-08-07"])
        #expect(routed.decision.target.description == "P,huge")
    }

    // MARK: Router.rules

    static let rules = #"""
        "Router": {"default": "p,main", "rules": [
          {"name": "explain", "lastUserMessage": "(?i)explain this", "route": "p,rule-a"},
          {"name": "haiku with bash", "model": "claude-*haiku*", "tools": ["Bash"], "route": "p,rule-b"},
          {"name": "mid-size", "minTokens": 100, "maxTokens": 200, "route": "q,q-model"},
          {"name": "agents", "headers": {"x-claude-code-agent-id": "*"}, "scenario": "subagent", "route": "p,agent"},
          {"name": "deep", "scenario": "think", "route": "p,deep"}]}
        """#

    @Test(arguments: [
        (#"{"model": "claude-opus-5-5", "messages": [{"role": "user", "content": "Please EXPLAIN THIS function"}]}"#, [String: String](), 10, "P,rule-a", "explain"),
        (#"{"model": "claude-haiku-5-5", "tools": [{"name": "Read"}, {"name": "Bash"}], "messages": []}"#, [:], 10, "P,rule-b", "haiku with bash"),
        (#"{"model": "claude-haiku-5-5", "tools": [{"name": "Read"}], "messages": []}"#, [:], 10, "P,main", nil),
        (#"{"model": "claude-opus-5-5", "messages": []}"#, [:], 150, "Q,q-model", "mid-size"),
        (#"{"model": "claude-opus-5-5", "messages": []}"#, [:], 250, "P,main", nil),
        (#"{"model": "claude-opus-5-5", "system": [{"type": "text", "text": "x-anthropic-billing-header: cc_is_subagent=true;"}], "messages": []}"#, ["x-claude-code-agent-id": "a1"], 10, "P,agent", "agents"),
        (#"{"model": "claude-opus-5-5", "messages": []}"#, ["x-claude-code-agent-id": "a1"], 10, "P,main", nil),
        (#"{"model": "claude-opus-5-5", "output_config": {"effort": "max"}, "messages": [{"role": "user", "content": "explain this"}]}"#, [:], 10, "P,rule-a", "explain"),
        (#"{"model": "claude-opus-5-5", "output_config": {"effort": "max"}, "messages": []}"#, [:], 10, "P,deep", "deep"),
    ])
    func rulesMatchOnEveryConditionFirstMatchWins(request: String, headers: [String: String], tokens: Int, target: String, rule: String?) async throws {
        let routed = try await Table.route(Table.router(Self.rules, tokens: tokens), request, headers: headers)
        #expect(routed.decision.target.description == target, "\(routed.decision.trace)")
        #expect(routed.decision.scenario == (rule == nil ? .default : .rule))
        if let rule { #expect(routed.decision.reason.contains("'\(rule)'")) }
    }

    // MARK: The custom router

    @Test func thePluginComesAfterTheRulesAndBeforeTheDefault() async throws {
        let seen = Recorder()
        let plugin: CustomRouting = { body, tokens, session, headers in
            seen.record("\(tokens) \(session ?? "-") \(headers["x-test"] ?? "-")")
            var changed = body
            changed["metadata"] = nil
            return CustomRoutingAnswer(route: "q, q-model", body: changed)
        }
        let routed = try await Table.route(
            Table.router(#""Router": {"default": "p,main", "think": "p,deep"}"#, tokens: 77),
            #"{"model": "claude-opus-5-5", "metadata": {"user_id": "u_session_s1"}, "messages": []}"#, headers: ["x-test": "h"], plugin: plugin)
        #expect(routed.decision.target.description == "Q,q-model")
        #expect(routed.decision.scenario == .plugin)
        #expect(routed.bodyChanged && routed.body["metadata"] == nil)
        #expect(seen.values == ["77 s1 h"])
        let thinking = try await Table.route(
            Table.router(#""Router": {"default": "p,main", "think": "p,deep"}"#), #"{"model": "claude-opus-5-5", "output_config": {"effort": "max"}, "messages": []}"#,
            plugin: plugin)
        #expect(thinking.decision.target.model == "deep")
        #expect(seen.values.count == 1)  // a slot decided; the plugin was not asked
    }

    @Test(arguments: [nil, "nowhere,x", ""])
    func aPluginWithoutAUsableAnswerFallsThroughToTheDefault(answer: String?) async throws {
        let plugin: CustomRouting = { _, _, _, _ in answer.map { CustomRoutingAnswer(route: $0) } }
        let routed = try await Table.route(Table.router(#""Router": {"default": "p,main"}"#), #"{"model": "claude-opus-5-5", "messages": []}"#, plugin: plugin)
        #expect(routed.decision.target.description == "P,main")
        #expect(routed.decision.scenario == .default)
        #expect(routed.decision.trace.contains { $0.hasPrefix("plugin:") })
    }

    // MARK: Overrides and prompt rewriting

    @Test func aProjectTableReplacesTheGlobalOne() async throws {
        let router = Table.router()
        let override = try ConfigLoader(environment: [:]).loadRouterOverride(
            text: Array(#"{"Router": {"default": "q,q-model"}}"#.utf8), configuration: router.configuration)
        let routed = try await router.route(
            body: Table.body(#"{"model": "claude-haiku-5-5", "messages": []}"#), headers: [:], table: (override, "/x/-proj/config.json"))
        #expect(routed.decision.target.description == "Q,q-model")  // the whole Router is replaced: no background slot
        #expect(routed.decision.trace.first == "route table: /x/-proj/config.json")
    }

    @Test func anOverrideWithAnUnknownModelIsRejected() {
        #expect(throws: ConfigError.self) {
            try ConfigLoader(environment: [:]).loadRouterOverride(text: Array(#"{"default": "q,nope"}"#.utf8), configuration: Table.router().configuration)
        }
    }

    @Test func rewriteSystemPromptReplacesTheMainPrompt() async throws {
        var router = Table.router()
        router.configuration.rewriteSystemPrompt = "Be brief."
        let main = try await Table.route(
            router,
            #"{"model": "claude-opus-5-5", "system": [{"type": "text", "text": "x-anthropic-billing-header: cc_version=1;"}, {"type": "text", "text": "short"}, {"type": "text", "text": "the long main prompt of Claude Code"}], "messages": []}"#
        )
        #expect(main.bodyChanged)
        #expect(main.body["system"]?.arrayValue?[2]["text"] == "Be brief.")
        #expect(main.body["system"]?.arrayValue?[0]["text"] == "x-anthropic-billing-header: cc_version=1;")
        let env = try await Table.route(
            router, #"{"model": "claude-opus-5-5", "system": [{"type": "text", "text": "a"}, {"type": "text", "text": "old <env>x</env> <env>cwd: /w</env>"}], "messages": []}"#)
        #expect(env.body["system"]?.arrayValue?[1]["text"] == "Be brief.<env>cwd: /w</env>")
    }

    @Test func noDefaultAndNoRuleIsAClearError() async throws {
        let router = Table.router()
        let override = try ConfigLoader(environment: [:]).loadRouterOverride(text: Array(#"{"think": "p,deep"}"#.utf8), configuration: router.configuration)
        await #expect {
            try await router.route(body: Table.body(#"{"model": "claude-opus-5-5"}"#), headers: [:], table: (override, "session.json"))
        } throws: { error in
            (error as! AnthropicError).message.contains("Router.default is not set (session.json)")
        }
    }

    @Test func effortHighCountsOnlyOnClaudeModelNames() async throws {
        // Claude Code sends effort high by default for model names it does not know (fixture 06).
        let custom = try await Table.route(Table.router(), #"{"model": "my-model", "output_config": {"effort": "high"}, "messages": []}"#)
        #expect(custom.decision.scenario == .default)
        let max = try await Table.route(Table.router(), #"{"model": "my-model", "output_config": {"effort": "max"}, "messages": []}"#)
        #expect(max.decision.scenario == .think)
    }

    @Test(arguments: [
        ("claude-opus-5-5", ModelFamily.opus, false), ("claude-sonnet-4-5-20250929[1m]", .sonnet, true), ("claude-3-5-haiku-20241022", .haiku, false),
        ("CLAUDE-FABLE-5-2", .fable, false), ("ccr-haiku", .haiku, false), ("anthropic/claude-opus-4", .opus, false),
    ])
    func familiesAreReadFromTheModelName(model: String, family: ModelFamily, extended: Bool) {
        #expect(ModelFamily.of(model: model)?.family == family)
        #expect(ModelFamily.of(model: model)?.extendedContext == extended)
    }

    @Test func otherModelsHaveNoFamily() {
        #expect(ModelFamily.of(model: "gpt-5") == nil)
        #expect(ModelFamily.of(model: "my-opus-clone") == nil)
    }
}

/// Counts calls from a `@Sendable` closure.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { self.count.withLock { $0 } }
    func increment() -> Int { self.count.withLock { $0 += 1; return 1 } }
}

final class Recorder: Sendable {
    private let list = Mutex<[String]>([])
    var values: [String] { self.list.withLock { $0 } }
    func record(_ value: String) { self.list.withLock { $0.append(value) } }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= self.count else { return false }
        return (0...(self.count - subsequence.count)).contains { self[$0..<$0 + subsequence.count].elementsEqual(subsequence) }
    }
}
