import Testing

@testable import CCRCore

private let esc = "\u{1B}"

@Suite("StatusLineConfiguration")
struct StatusLineConfigurationTests {
    @Test func readsEnabledStyleAndTheModulesOfTheCurrentStyle() throws {
        let json = try JSONParser.parse(
            #"""
            {"enabled": true, "currentStyle": "powerline",
             "default": {"modules": [{"type": "model", "text": "{{model}}"}]},
             "powerline": {"modules": [
               {"type": "workDir", "icon": "D", "text": "{{workDirName}}", "color": "white", "background": "bg_bright_orange"},
               "not a module",
               {"type": "script", "text": "", "scriptPath": "/x/s.js", "options": {"n": 1}},
               {"type": "futureType", "text": 42}
             ]}}
            """#)
        let configuration = StatusLineConfiguration(json: json)
        #expect(configuration.enabled)
        #expect(configuration.currentStyle == "powerline")
        #expect(configuration.style == .powerline)
        let theme = try #require(configuration.configuredTheme)
        #expect(theme.style == .powerline)
        #expect(
            theme.modules == [
                StatusLineModule(type: .workDir, icon: "D", text: "{{workDirName}}", color: "white", background: "bg_bright_orange"),
                StatusLineModule(type: .script, scriptPath: "/x/s.js", options: ["n": 1]),
                StatusLineModule(type: StatusLineModule.Kind(rawValue: "futureType"), text: "42"),
            ])
    }

    @Test func anEmptyModulesListWinsAndDrawsAnEmptyLine() {
        let configuration = StatusLineConfiguration(json: ["enabled": true, "default": ["modules": []]])
        let theme = configuration.theme(environment: [:])
        #expect(theme.modules.isEmpty)
        #expect(StatusLineRenderer(theme: theme).render(StatusLineVariables(["model": "m"])) == "")
    }

    @Test func withoutModulesTheBuiltInThemeIsUsed() {
        #expect(StatusLineConfiguration(json: nil) == StatusLineConfiguration())
        #expect(StatusLineConfiguration(json: ["enabled": "yes"]).enabled == false)
        #expect(StatusLineConfiguration(json: ["enabled": "true"]).enabled)
        let noModules = StatusLineConfiguration(json: ["default": ["modules": "nope"]])
        #expect(noModules.configuredTheme == nil)
        #expect(noModules.theme(environment: ["TERM": "xterm-256color"]) == .builtIn)
        let powerline = StatusLineConfiguration(json: ["currentStyle": "powerline"])
        #expect(powerline.theme(environment: [:]) == .powerlineBuiltIn)
        let custom = StatusLineConfiguration(json: ["currentStyle": "mine", "mine": ["modules": [["type": "model", "text": "{{model}}"]]]])
        #expect(custom.configuredTheme?.style == .default)
        #expect(custom.configuredTheme?.modules.count == 1)
    }

    @Test(arguments: [
        (["USE_SIMPLE_ICONS": "true"], true), (["TERM": "dumb"], true), (["TERM": "unknown"], true),
        (["TERM": "xterm-256color"], false), (["USE_SIMPLE_ICONS": "1", "TERM": "xterm"], false), ([:], false),
    ])
    func theSimpleThemeIsChosenForPlainTerminals(environment: [String: String], simple: Bool) {
        #expect(StatusLineTheme.prefersSimpleIcons(environment: environment) == simple)
        #expect(StatusLineConfiguration().theme(environment: environment) == (simple ? .simple : .builtIn))
        #expect(StatusLineConfiguration(currentStyle: "powerline").theme(environment: environment) == (simple ? .simple : .powerlineBuiltIn))
    }

    @Test func theBuiltInThemesShowEveryFactAndTheSimpleOneHasNoNerdFontIcons() {
        let texts = StatusLineTheme.builtIn.modules.map(\.text)
        #expect(
            texts == [
                "{{workDirName}}", "{{gitBranch}}", "{{model}}", "{{provider}} ({{scenario}})", "{{inputTokens}}", "{{outputTokens}}",
                "{{tokenSpeed}} t/s", "{{sessionCost}}",
            ])
        #expect(StatusLineTheme.simple.modules.map(\.text) == texts)
        #expect(StatusLineTheme.powerlineBuiltIn.modules.map(\.text) == texts)
        let privateUse = StatusLineTheme.simple.modules.flatMap(\.icon.unicodeScalars).filter { $0.value >= 0xE000 }
        #expect(privateUse.isEmpty)
        #expect(StatusLineTheme.builtIn.modules[0].icon == "\u{F024B}")
        #expect(StatusLineTheme.powerlineBuiltIn.modules.allSatisfy { $0.background != nil })
    }
}

@Suite("StatusLineVariables")
struct StatusLineVariablesTests {
    @Test(arguments: [
        (0, "0"), (999, "999"), (1000, "1000"), (1001, "1.0k"), (1050, "1.1k"), (15312, "15.3k"), (999_999, "1000.0k"),
        (1_000_000, "1000.0k"), (1_500_000, "1.5M"),
    ])
    func tokenCountsAbove1000AreShownInThousands(count: Int, text: String) {
        #expect(StatusLineVariables.tokens(count) == text)
    }

    @Test func otherFormats() {
        #expect(StatusLineVariables.compactTokens(200_000) == "200k")
        #expect(StatusLineVariables.compactTokens(1_000_000) == "1M")
        #expect(StatusLineVariables.compactTokens(128_500) == "128.5k")
        #expect(StatusLineVariables.speed(57.8) == "58")
        #expect(StatusLineVariables.speed(7.46) == "7.5")
        #expect(StatusLineVariables.speed(0) == nil)
        #expect(StatusLineVariables.milliseconds(640) == "640ms")
        #expect(StatusLineVariables.milliseconds(1250) == "1.3s")
        #expect(StatusLineVariables.duration(45_900) == "45s")
        #expect(StatusLineVariables.duration(192_000) == "3m 12s")
        #expect(StatusLineVariables.duration(3_900_000) == "1h 5m")
        #expect(StatusLineVariables.dollars(0.1234) == "$0.12")
        #expect(StatusLineVariables.dollars(12.5) == "$12.50")
        #expect(StatusLineVariables.dollars(0.00421) == "$0.0042")
        #expect(StatusLineVariables.dollars(0) == "$0.00")
        #expect(StatusLineVariables.dollars(-1) == nil)
        #expect(DecimalText.fixed(-2.25, decimals: 1) == "-2.3")
        #expect(DecimalText.fixed(0.05, decimals: 2) == "0.05")
    }

    @Test func substitutesKnownVariablesAndDropsUnknownOnes() {
        let variables = StatusLineVariables(["model": "deepseek-chat", "inputTokens": "1.2k"])
        #expect(variables.substitute("{{model}} in:{{inputTokens}} {{nope}}!") == "deepseek-chat in:1.2k !")
        #expect(variables.substitute("{{ model }}") == "deepseek-chat")
        #expect(variables.substitute("{{not valid}} {{model") == "{{not valid}} {{model")
        #expect(variables.substitute("{{{model}}}") == "{deepseek-chat}")
        #expect(variables.substitute("") == "")
        #expect(variables["anything"] == "")
        #expect(StatusLineVariables.references(in: "{{a}} x {{b_2}} {{c d}}") == ["a", "b_2"])
    }

    static let input: JSONValue = [
        "session_id": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", "transcript_path": "/t.jsonl", "cwd": "/elsewhere",
        "model": ["id": "claude-sonnet-4-5", "display_name": "Sonnet 4.5"],
        "workspace": ["current_dir": "/home/me/repo/", "project_dir": "/home/me/repo"], "version": "2.0.30",
        "cost": ["total_cost_usd": 0.1234, "total_duration_ms": 192_000, "total_lines_added": 40, "total_lines_removed": 52],
        "context_window": [
            "context_window_size": 200_000, "total_input_tokens": 50_000, "total_output_tokens": 3_000,
            "current_usage": ["input_tokens": 12, "cache_read_input_tokens": 15_000, "cache_creation_input_tokens": 988],
        ],
    ]

    @Test func readsClaudeCodesInput() {
        let variables = StatusLineVariables(input: Self.input, gitBranch: " main\n")
        #expect(
            variables.values == [
                "workDirName": "repo", "gitBranch": "main", "model": "Sonnet 4.5", "cost": "$0.12", "duration": "3m 12s",
                "linesAdded": "40", "linesRemoved": "52", "netLines": "-12", "sessionId": "0b1c2d3e", "version": "2.0.30",
                "contextWindowSize": "200k", "contextPercent": "8", "totalInputTokens": "50.0k", "totalOutputTokens": "3.0k",
            ])
    }

    @Test func aServerRecordWinsOverTheTranscriptWhichWinsOverTheConfig() {
        var session = StatusLineSessionUsage()
        session.model = "deepseek-reasoner"
        session.provider = "ds"
        session.route = "ds,deepseek-reasoner"
        session.scenario = "think"
        session.inputTokens = 31_120
        session.outputTokens = 2345
        session.tokensPerSecond = 57.8
        session.ttftMilliseconds = 640
        session.sessionCostUSD = 0.0421
        session.sessionRequests = 7
        let transcript = StatusLineTranscriptTurn(model: "from-transcript", inputTokens: 10, outputTokens: 20)
        let all = StatusLineVariables(input: [:], session: session, transcript: transcript, defaultModel: "from-config")
        #expect(
            all.values == [
                "model": "deepseek-reasoner", "provider": "ds", "route": "ds,deepseek-reasoner", "scenario": "think",
                "inputTokens": "31.1k", "outputTokens": "2.3k", "tokenSpeed": "58", "timeToFirstToken": "640ms",
                "sessionCost": "$0.04", "sessionRequests": "7",
            ])
        let fromTranscript = StatusLineVariables(input: Self.input, transcript: transcript, defaultModel: "from-config")
        #expect(fromTranscript["model"] == "from-transcript")
        #expect(fromTranscript["inputTokens"] == "10")
        #expect(fromTranscript["outputTokens"] == "20")
        #expect(fromTranscript["tokenSpeed"] == "")
        #expect(StatusLineVariables(input: Self.input, defaultModel: "from-config")["model"] == "from-config")
        #expect(StatusLineVariables(input: Self.input)["model"] == "Sonnet 4.5")
        #expect(StatusLineVariables(input: ["model": ["id": "claude-x"]])["model"] == "claude-x")
    }

    @Test func membersOfTheWrongTypeAreIgnored() {
        let input: JSONValue = [
            "session_id": 5, "cwd": ["x"], "model": "flat", "workspace": "w", "cost": ["total_cost_usd": "1", "total_lines_added": 3],
            "context_window": ["context_window_size": 0, "used_percentage": 41.6],
        ]
        let variables = StatusLineVariables(input: input)
        #expect(variables.values == ["linesAdded": "3", "netLines": "+3", "contextPercent": "42"])
        #expect(StatusLineVariables(input: .array([1, 2])).values.isEmpty)
        #expect(StatusLineVariables(input: ["cwd": "/"])["workDirName"] == "/")
    }

    @Test func scriptsReceiveEveryVariableAsJSON() {
        let json = StatusLineVariables(["model": "m"]).json
        #expect(json["model"] == "m")
        #expect(json["gitBranch"] == "")
        #expect(json.objectValue?.count == StatusLineVariables.names.count)
    }
}

@Suite("StatusLineSessionUsage")
struct StatusLineSessionUsageTests {
    @Test func readsTheNewestConversationRecordAndTheTotals() throws {
        let records = try JSONParser.parse(
            #"""
            {"records": [
              {"provider": "ds", "model": "deepseek-chat", "upstream_model": null, "scenario": "background", "outcome": "ok",
               "input_tokens": 50, "output_tokens": 10},
              {"provider": "ds", "model": "deepseek-reasoner", "upstream_model": "deepseek-reasoner-0528", "scenario": "think", "outcome": "ok",
               "input_tokens": 120, "output_tokens": 2345, "cache_read_tokens": 30000, "cache_write_tokens": 1000, "ttft_ms": 640,
               "duration_ms": 9000, "tokens_per_second": 57.8, "cost_usd": 0.01},
              {"provider": "other", "model": "old", "scenario": "default", "outcome": "ok"}
            ], "total": 3, "page": 1, "page_size": 5}
            """#)
        let summary = try JSONParser.parse(
            #"""
            {"totals": {"requests": 7, "errors": 0, "input_tokens": 1000, "output_tokens": 5000, "cache_read_tokens": 90000,
             "cache_write_tokens": 2000, "cost_usd": null, "ttft_ms": {"p50": 800}, "duration_ms": {}, "tokens_per_second": 40.2}, "by_model": []}
            """#)
        let usage = try #require(StatusLineSessionUsage(records: records, summary: summary))
        #expect(usage.provider == "ds")
        #expect(usage.model == "deepseek-reasoner-0528")
        #expect(usage.route == "ds,deepseek-reasoner")
        #expect(usage.scenario == "think")
        #expect(usage.inputTokens == 31_120)
        #expect(usage.outputTokens == 2345)
        #expect(usage.tokensPerSecond == 57.8)
        #expect(usage.ttftMilliseconds == 640)
        #expect(usage.sessionRequests == 7)
        #expect(usage.sessionCostUSD == nil)
        #expect(usage.sessionInputTokens == 93_000)
        #expect(usage.sessionOutputTokens == 5000)
    }

    @Test func fallsBackToBackgroundThenFailedRecords() throws {
        let background: JSONValue = ["records": [["provider": "p", "model": "haiku-ish", "scenario": "background", "outcome": "ok"]]]
        #expect(StatusLineSessionUsage(records: background, summary: nil)?.model == "haiku-ish")
        let failed: JSONValue = ["records": [["provider": "p", "model": "broken", "scenario": "default", "outcome": "error"]]]
        #expect(StatusLineSessionUsage(records: failed, summary: nil)?.model == "broken")
        let mixed: JSONValue = [
            "records": [
                ["provider": "p", "model": "broken", "outcome": "error"], ["provider": "p", "model": "good", "outcome": "ok"],
            ]
        ]
        #expect(StatusLineSessionUsage(records: mixed, summary: nil)?.model == "good")
    }

    @Test func nothingKnownIsNil() {
        #expect(StatusLineSessionUsage(records: nil, summary: nil) == nil)
        #expect(StatusLineSessionUsage(records: ["records": []], summary: ["totals": ["requests": 0]]) == nil)
        #expect(StatusLineSessionUsage(records: ["records": "x"], summary: "y") == nil)
        let onlyTotals = StatusLineSessionUsage(records: ["records": []], summary: ["totals": ["requests": 2, "cost_usd": 0.5]])
        #expect(onlyTotals?.sessionCostUSD == 0.5)
        #expect(onlyTotals?.model == nil)
        let unpriced = StatusLineSessionUsage(records: nil, summary: ["totals": ["requests": 2, "cost_usd": 0, "unpriced_requests": 2]])
        #expect(unpriced?.sessionRequests == 2)
        #expect(unpriced?.sessionCostUSD == nil)
        let partly = StatusLineSessionUsage(records: nil, summary: ["totals": ["requests": 2, "cost_usd": 0.25, "unpriced_requests": 1]])
        #expect(partly?.sessionCostUSD == 0.25)
    }
}

@Suite("StatusLineTranscriptTurn")
struct StatusLineTranscriptTurnTests {
    static let transcript = """
        {"type":"assistant","message":{"model":"first","usage":{"input_tokens":1,"output_tokens":2}}}
        {"type":"user","message":{"role":"user","content":"hi"}}
        {"type":"assistant","message":{"model":"deepseek-chat","usage":{"input_tokens":12,\
        "cache_read_input_tokens":15000,"cache_creation_input_tokens":300,"output_tokens":1234}}}
        not json but mentions "assistant"
        {"type":"assistant","message":{"model":"<synthetic>","usage":{"input_tokens":0,"output_tokens":0}}}
        {"type":"user","message":{"content":"the assistant said"}}

        """

    @Test func findsTheLastRealAssistantTurn() {
        let turn = StatusLineTranscriptTurn.last(inTail: Array(Self.transcript.utf8), startsMidLine: false)
        #expect(turn == StatusLineTranscriptTurn(model: "deepseek-chat", inputTokens: 15312, outputTokens: 1234))
    }

    @Test func skipsTheCutFirstLineOfATail() {
        let line = #"{"type":"assistant","message":{"model":"only","usage":{"output_tokens":5}}}"#
        #expect(StatusLineTranscriptTurn.last(inTail: Array(line.utf8), startsMidLine: true) == nil)
        let whole = StatusLineTranscriptTurn.last(inTail: Array(line.utf8), startsMidLine: false)
        #expect(whole == StatusLineTranscriptTurn(model: "only", outputTokens: 5))
        #expect(StatusLineTranscriptTurn.last(inTail: Array("\n\n".utf8), startsMidLine: false) == nil)
        #expect(StatusLineTranscriptTurn.last(inTail: [UInt8](), startsMidLine: false) == nil)
    }
}

@Suite("StatusLineColor")
struct StatusLineColorTests {
    @Test func parsesNamesHexAndTheExtraPaletteNames() {
        #expect(StatusLineColor("red") == .palette(1))
        #expect(StatusLineColor("bg_red") == .palette(1))
        #expect(StatusLineColor("bright_blue") == .palette(12))
        #expect(StatusLineColor("BG_BRIGHT_WHITE") == .palette(15))
        #expect(StatusLineColor("bg_bright_orange") == .palette(202))
        #expect(StatusLineColor("bg_bright_purple") == .palette(129))
        #expect(StatusLineColor("#ff8800") == .rgb(255, 136, 0))
        #expect(StatusLineColor("#f80") == .rgb(255, 136, 0))
        #expect(StatusLineColor("bg_#336699") == .rgb(51, 102, 153))
        #expect(StatusLineColor("336699") == .rgb(51, 102, 153))
        #expect(StatusLineColor("#12345") == nil)
        #expect(StatusLineColor("#gggggg") == nil)
        #expect(StatusLineColor("chartreuse") == nil)
    }

    @Test func mapsThe256ColourTable() {
        #expect(StatusLineColor.palette(202).components == (255, 95, 0))
        #expect(StatusLineColor.palette(129).components == (175, 0, 255))
        #expect(StatusLineColor.palette(12).components == (0, 0, 255))
        #expect(StatusLineColor.palette(7).components == (192, 192, 192))
        #expect(StatusLineColor.palette(244).components == (128, 128, 128))
    }

    @Test func writesSGRSequences() {
        #expect(StatusLineColor.palette(1).foreground == "\(esc)[31m")
        #expect(StatusLineColor.palette(12).foreground == "\(esc)[94m")
        #expect(StatusLineColor.palette(1).background == "\(esc)[41m")
        #expect(StatusLineColor.palette(12).background == "\(esc)[104m")
        #expect(StatusLineColor.palette(202).background == "\(esc)[48;5;202m")
        #expect(StatusLineColor.rgb(1, 2, 3).foreground == "\(esc)[38;2;1;2;3m")
        #expect(StatusLineColor.rgb(1, 2, 3).background == "\(esc)[48;2;1;2;3m")
        #expect(StatusLineColor.palette(12).trueColorBackground == "\(esc)[48;2;0;0;255m")
    }
}

@Suite("StatusLineRenderer")
struct StatusLineRendererTests {
    static let variables = StatusLineVariables(["model": "deepseek-chat", "inputTokens": "15.3k", "outputTokens": "1.2k", "workDirName": "repo"])

    @Test func defaultStyleColoursHexAndNamedColoursAndJoinsWithSpaces() {
        let theme = StatusLineTheme(modules: [
            StatusLineModule(type: .workDir, icon: "D", text: "{{workDirName}}", color: "#ff8800"),
            StatusLineModule(type: .model, text: "{{model}}", color: "bright_cyan"),
            StatusLineModule(type: .usage, icon: "↑", text: "{{inputTokens}}", color: "green", background: "bg_blue"),
            StatusLineModule(type: .usage, icon: "↓", text: "{{outputTokens}}"),
            StatusLineModule(type: .usage, text: "x", color: "not-a-colour", background: "#000"),
        ])
        #expect(
            StatusLineRenderer(theme: theme).render(Self.variables)
                == "\(esc)[38;2;255;136;0mD repo\(esc)[0m \(esc)[96mdeepseek-chat\(esc)[0m \(esc)[44m\(esc)[32m↑ 15.3k\(esc)[0m "
                + "↓ 1.2k \(esc)[48;2;0;0;0mx\(esc)[0m")
    }

    @Test func modulesWithNothingToShowAreLeftOut() {
        let theme = StatusLineTheme(modules: [
            StatusLineModule(type: .gitBranch, icon: "B", text: "{{gitBranch}}", color: "red"),
            StatusLineModule(type: .speed, text: "{{tokenSpeed}} t/s"),
            StatusLineModule(type: .usage, text: "{{inputTokens}}/{{tokenSpeed}}"),
            StatusLineModule(type: .model, text: "   "),
            StatusLineModule(type: .model, text: "static"),
            StatusLineModule(type: .model, icon: "only-icon", text: ""),
        ])
        #expect(StatusLineRenderer(theme: theme).render(Self.variables) == "15.3k/ static")
    }

    @Test func powerlineStyleDrawsSegmentsJoinedByArrows() {
        let theme = StatusLineTheme(
            style: .powerline,
            modules: [
                StatusLineModule(type: .workDir, icon: "D", text: "{{workDirName}}", color: "white", background: "bg_bright_orange"),
                StatusLineModule(type: .gitBranch, text: "{{gitBranch}}", background: "bg_red"),
                StatusLineModule(type: .model, text: "{{model}}", color: "#112233", background: "#336699"),
                StatusLineModule(type: .usage, text: "{{inputTokens}}"),
            ])
        let arrow = "\u{E0B0}"
        let expected =
            "\(esc)[48;2;255;95;0m\(esc)[38;2;192;192;192m D repo \(esc)[0m\(esc)[38;2;255;95;0m\(esc)[48;2;51;102;153m\(arrow)\(esc)[0m"
            + "\(esc)[48;2;51;102;153m\(esc)[38;2;17;34;51m deepseek-chat \(esc)[0m\(esc)[38;2;51;102;153m\(esc)[48;2;0;0;255m\(arrow)\(esc)[0m"
            + "\(esc)[48;2;0;0;255m\(esc)[38;2;192;192;192m 15.3k \(esc)[0m\(esc)[38;2;0;0;255m\(arrow)\(esc)[0m"
        #expect(StatusLineRenderer(theme: theme).render(Self.variables) == expected)
    }

    @Test func atMostTenModulesAreDrawn() {
        let theme = StatusLineTheme(modules: (0..<12).map { StatusLineModule(type: .model, text: "m\($0)") })
        #expect(StatusLineRenderer(theme: theme).render(Self.variables) == "m0 m1 m2 m3 m4 m5 m6 m7 m8 m9")
    }

    @Test func scriptModulesShowTheFirstLineOfTheirOutputOrNothingWhenTheyFail() {
        let theme = StatusLineTheme(modules: [
            StatusLineModule(type: .script, icon: "S", text: "ignored", color: "red", scriptPath: "/ok.js"),
            StatusLineModule(type: .script, text: "ignored", scriptPath: "/fails.js"),
            StatusLineModule(type: .script, text: "no path: {{model}}"),
        ])
        var asked: [String] = []
        let line = StatusLineRenderer(theme: theme).render(Self.variables) { module in
            asked.append(module.scriptPath ?? "")
            return module.scriptPath == "/ok.js" ? "\nfirst\nsecond" : nil
        }
        #expect(line == "\(esc)[31mS first\(esc)[0m no path: deepseek-chat")
        #expect(asked == ["/ok.js", "/fails.js"])
    }

    @Test func theBuiltInThemeShowsWhatIsKnown() {
        let variables = StatusLineVariables([
            "workDirName": "repo", "model": "glm-4.6", "provider": "zai", "scenario": "default", "inputTokens": "12.0k", "outputTokens": "800",
            "tokenSpeed": "41", "sessionCost": "$0.03",
        ])
        #expect(
            StatusLineRenderer(theme: .simple).render(variables)
                == "\(esc)[94mrepo\(esc)[0m \(esc)[96mglm-4.6\(esc)[0m \(esc)[36mzai (default)\(esc)[0m \(esc)[92m↑ 12.0k\(esc)[0m "
                + "\(esc)[93m↓ 800\(esc)[0m \(esc)[91m41 t/s\(esc)[0m \(esc)[33m$0.03\(esc)[0m"
        )
        #expect(StatusLineRenderer(theme: .simple).render(StatusLineVariables(["model": "m"])) == "\(esc)[96mm\(esc)[0m")
    }
}
