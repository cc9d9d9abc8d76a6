import CCRCore
import Testing

@Suite("Config loading and validation")
struct ConfigLoaderTests {
    static func load(_ text: String, env: [String: String] = [:]) throws(ConfigError) -> (CCRConfiguration, [ConfigDiagnostic]) {
        try ConfigLoader(environment: env).load(text: Array(text.utf8))
    }

    static func errors(_ text: String, env: [String: String] = [:]) -> [ConfigDiagnostic] {
        do {
            _ = try Self.load(text, env: env)
            return []
        } catch {
            return error.diagnostics.filter { $0.severity == .error }
        }
    }

    static let good = """
        {
          // comments are fine
          "PORT": 4000,
          "APIKEY": "${CCR_KEY}",
          "Providers": [
            {"name": "deepseek", "api_base_url": "https://api.deepseek.com/anthropic/v1/messages",
             "api_key": "$DEEPSEEK_API_KEY", "models": ["deepseek-chat"], "transformer": {"use": ["Anthropic"]}},
            {"name": "local", "api_base_url": "http://127.0.0.1:11434/v1/chat/completions", "models": ["qwen"]},
          ],
          "Router": {"default": "deepseek, deepseek-chat", "longContextThreshold": 100000},
          "Mystery": 1,
        }
        """

    @Test func loadsTheOriginalsFormatWithInterpolation() throws {
        let (config, warnings) = try Self.load(Self.good, env: ["CCR_KEY": "k1", "DEEPSEEK_API_KEY": "sk-ds"])
        #expect(config.port == 4000)
        #expect(config.apiKey == "k1")
        #expect(config.providers.map(\.name) == ["deepseek", "local"])
        #expect(config.providers[0].apiKey == "sk-ds")
        #expect(config.providers[0].wire == .anthropic)
        #expect(config.providers[1].wire == .openAIChat)
        #expect(config.providers[1].apiKey == nil)  // a loopback provider needs no key
        #expect(config.router.defaultRoute == RouteTarget(provider: "deepseek", model: "deepseek-chat"))
        #expect(config.router.longContextThreshold == 100_000)
        // Unknown keys are kept and warned about.
        #expect(warnings.contains { $0.path == "Mystery" && $0.severity == .warning })
        #expect(config.raw["Mystery"] == 1)
        #expect(config.raw["APIKEY"] == "${CCR_KEY}")  // the raw document keeps the reference
    }

    @Test func servicePortOverridesPort() throws {
        let (config, _) = try Self.load(#"{"PORT": 4000}"#, env: ["SERVICE_PORT": "5000"])
        #expect(config.port == 5000)
    }

    @Test func reportsEveryProblemAtOnceWithPathPositionAndFix() {
        let text = """
            {
              "PORT": "x",
              "Providers": [
                {"name": "a", "api_base_url": "https://a.example/v1/messages", "models": ["m"]},
                {"name": "b", "api_base_url": "https://b.example/v1/messages", "api_key": "$B_KEY", "models": ["m"]},
                {"name": "A", "api_base_url": "https://c.example/v1/messages", "api_key": "k", "models": ["m"]},
                {"name": "d", "api_base_url": "https://d.example/v1/messages", "api_key": "k", "models": ["m"], "transformer": {"use": ["anthropic"]}},
              ],
              "Router": {"default": "zzz,m"}
            }
            """
        let errors = Self.errors(text)
        let byPath = Dictionary(errors.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byPath["PORT"]?.location?.description == "2:11")
        #expect(byPath["Providers[0].api_key"]?.message.contains("no api_key") == true)
        #expect(byPath["Providers[0].api_key"]?.fix?.contains("export A_API_KEY") == true)
        #expect(byPath["Providers[1].api_key"]?.message.contains("B_KEY is not set") == true)
        #expect(byPath["Providers[2].name"]?.message.contains("duplicate provider name") == true)
        #expect(byPath["Providers[3].transformer.use[0]"]?.fix?.contains("\"Anthropic\"") == true)
        #expect(byPath["Router.default"]?.message.contains("no provider named 'zzz'") == true)
        #expect(errors.allSatisfy { $0.location != nil && $0.description.contains("error: ") })
    }

    @Test func aSyntaxErrorSaysWhere() {
        let errors = Self.errors("{\n  \"PORT\": 3456\n  \"LOG\": true\n}")
        #expect(errors.count == 1)
        #expect(errors.first?.location?.description == "3:3")
    }

    @Test func anUnknownTransformerIsAnErrorNotASkip() {
        let errors = Self.errors(#"{"Providers":[{"name":"p","api_base_url":"https://p.example/v1/chat/completions","api_key":"k","models":["m"],"transformer":{"use":["nonsense"]}}],"Router":{"default":"p,m"}}"#)
        #expect(errors.contains { $0.path == "Providers[0].transformer.use[0]" && $0.message.contains("unknown transformer 'nonsense'") })
    }

    @Test func optionalVariablesTakeTheirDefault() throws {
        let (config, _) = try Self.load(#"{"HOST": "${CCR_HOST:-127.0.0.1}", "APIKEY": "a$$b"}"#)
        #expect(config.host == "127.0.0.1")
        #expect(config.apiKey == "a$b")
    }

    @Test func aNonLoopbackHostWithoutAKeyBindsLoopback() throws {
        let (open, _) = try Self.load(#"{"HOST": "0.0.0.0"}"#)
        #expect(open.effectiveHost == "127.0.0.1")
        let (keyed, _) = try Self.load(#"{"HOST": "0.0.0.0", "APIKEY": "k"}"#)
        #expect(keyed.effectiveHost == "0.0.0.0")
    }

    @Test func proxySettingsComeFromConfigThenEnvironment() throws {
        let (fromConfig, _) = try Self.load(#"{"PROXY_URL": "http://user:pw@10.0.0.1:7890"}"#, env: ["HTTPS_PROXY": "http://other:1"])
        #expect(fromConfig.proxyURL == "http://user:pw@10.0.0.1:7890")
        let (fromEnv, _) = try Self.load("{}", env: ["HTTPS_PROXY": "socks5://127.0.0.1:1080", "NO_PROXY": "internal.example,.corp"])
        #expect(fromEnv.proxyURL == "socks5://127.0.0.1:1080")
        #expect(ProxySettings.bypasses(host: "api.corp", noProxy: fromEnv.noProxy))
        #expect(!ProxySettings.bypasses(host: "api.deepseek.com", noProxy: fromEnv.noProxy))
        #expect(ProxySettings.parse("http://user:pw@h:3128") == ProxySettings(kind: .http, host: "h", port: 3128, user: "user", password: "pw"))
    }

    static let routerProviders = #""Providers": [{"name": "p", "api_base_url": "http://127.0.0.1:1/v1/chat/completions", "models": ["a", "b"]}]"#

    @Test func theRouterSectionReadsFamiliesRulesAndTheThinkTrigger() throws {
        let (config, warnings) = try Self.load(#"""
            {\#(Self.routerProviders), "Router": {"default": "p,a", "subagent": "P, B",
              "families": {"Haiku": {"default": "p,b", "extendedContext": "p,a", "longContextThreshold": 9}},
              "thinkTrigger": {"budgetTokens": 2048, "effort": ["MAX"], "planMode": false},
              "rules": [{"name": "r", "scenario": "think", "model": "claude-*", "minTokens": 1, "maxTokens": 9, "tools": ["Bash"],
                         "lastUserMessage": "^hi", "headers": {"X-A": "1*"}, "route": "p,b"}]}}
            """#)
        #expect(warnings.isEmpty)
        #expect(config.router.routes[.subagent] == RouteTarget(provider: "p", model: "b"))
        #expect(config.router.families[.haiku]?.routes[.default] == RouteTarget(provider: "p", model: "b"))
        #expect(config.router.families[.haiku]?.extendedContext == RouteTarget(provider: "p", model: "a"))
        #expect(config.router.families[.haiku]?.longContextThreshold == 9)
        #expect(config.router.thinkTrigger == ThinkTrigger(minimumBudgetTokens: 2048, efforts: ["max"], planMode: false))
        let rule = try #require(config.router.rules.first)
        #expect(rule.scenario == .think && rule.minTokens == 1 && rule.maxTokens == 9 && rule.tools == ["Bash"])
        #expect(rule.headers.first?.name == "x-a" && rule.headers.first?.value.matches("12") == true)
        #expect(rule.lastUserMessage?.matches(in: "hi there") == true && rule.lastUserMessage?.matches(in: "oh hi") == false)
    }

    @Test func routerMistakesAreReportedWithTheirPath() {
        let errors = Self.errors(#"""
            {\#(Self.routerProviders), "Router": {"default": "p,a",
              "families": {"gpt": {"default": "p,a"}, "opus": {"default": "p,zzz"}},
              "rules": [{"route": "p,a", "lastUserMessage": "(unclosed"}, {"model": "x"}, {"route": "p,a", "colour": "red"}, {"route": "p,a", "scenario": "sleepy"}]}}
            """#)
        let paths = errors.map(\.path)
        #expect(paths.contains("Router.families.gpt"))
        #expect(paths.contains("Router.families.opus.default"))
        #expect(paths.contains("Router.rules[0].lastUserMessage"))
        #expect(paths.contains("Router.rules[1]"))
        #expect(paths.contains("Router.rules[2].colour"))
        #expect(paths.contains("Router.rules[3].scenario"))
        #expect(errors.count == 6)
    }
}
