import CCRCore
import Testing

@Suite("Routing: explicit provider,model and the default")
struct RequestRouterTests {
    static let router: RequestRouter = {
        let text = """
            {"Providers": [
               {"name": "DeepSeek", "api_base_url": "https://api.deepseek.com/chat/completions", "api_key": "k", "models": ["deepseek-chat", "deepseek-reasoner"]},
               {"name": "groq", "api_base_url": "https://api.groq.com/openai/v1/chat/completions", "api_key": "k", "models": ["Llama-3"]}],
             "Router": {"default": "groq,llama-3"}}
            """
        return RequestRouter(configuration: try! ConfigLoader(environment: [:]).load(text: Array(text.utf8)).0)
    }()

    @Test(arguments: [
        ("deepseek,deepseek-reasoner", "DeepSeek,deepseek-reasoner", RouteDecision.Scenario.explicit),
        ("DEEPSEEK, DeepSeek-Chat", "DeepSeek,deepseek-chat", .explicit),
        ("claude-ccr/groq,llama-3", "groq,Llama-3", .explicit),
        ("claude-opus-5-5", "groq,Llama-3", .default),
        ("claude-haiku-5-5", "groq,Llama-3", .default),
    ])
    func routes(model: String, target: String, scenario: RouteDecision.Scenario) throws {
        let decision = try Self.router.route(model: model)
        #expect(decision.target.description == target)
        #expect(decision.scenario == scenario)
        #expect(decision.headerValue == "\(target); scenario=\(scenario.rawValue)")
    }

    @Test func unknownNamesListWhatExists() {
        #expect {
            try Self.router.route(model: "openai,gpt-4o")
        } throws: { error in
            let error = error as! AnthropicError
            return error.status == 400 && error.message.contains("DeepSeek [deepseek-chat, deepseek-reasoner]")
        }
    }
}
