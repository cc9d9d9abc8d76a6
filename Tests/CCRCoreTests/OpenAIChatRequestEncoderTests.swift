import CCRCore
import CCRTestSupport
import Testing

@Suite("Anthropic requests → OpenAI Chat requests")
struct OpenAIChatRequestEncoderTests {
    static let targets = [
        OpenAIChatTarget.infer(baseURL: "https://api.openai.com/v1/chat/completions", model: "gpt-4o"),
        OpenAIChatTarget.infer(baseURL: "https://api.openai.com/v1/chat/completions", model: "o3"),
        OpenAIChatTarget.infer(baseURL: "https://api.deepseek.com/chat/completions", model: "deepseek-chat"),
    ]

    @Test(arguments: Fixtures.claudeCodeRequestNames)
    func everyClaudeCodeRequestBecomesARequestAStrictOpenAIAccepts(_ name: String) throws {
        let request = try #require(Fixtures.claudeCodeRequest(name).objectValue)
        for target in Self.targets {
            let encoded = try OpenAIChatRequestEncoder.encode(request, target: target)
            #expect(OpenAIChatRequestValidator.problems(encoded) == [], "\(name) for \(target.model)")
            let text = encoded.jsonString()
            for anthropicOnly in ["cache_control", "context_management", "output_config", "safeguards", "x-anthropic-billing-header", "defer_loading", "\"metadata\""] {
                #expect(!text.contains(anthropicOnly), "\(name): \(anthropicOnly) leaked")
            }
            if request["stream"] == true { #expect(encoded["stream_options"]?["include_usage"] == true) }
        }
    }

    @Test func theMainTurnKeepsItsSystemPromptToolsAndTheSystemMessage() throws {
        let request = try #require(Fixtures.claudeCodeRequest("01-main-turn-opus-default.json").objectValue)
        let encoded = try OpenAIChatRequestEncoder.encode(request, target: Self.targets[0])
        let messages = encoded["messages"]?.arrayValue ?? []
        #expect(messages.first?["role"] == "system")
        let system = messages.first?["content"]?.stringValue ?? ""
        #expect(system.contains("You are a Claude agent"))
        // Claude Code's role:"system" message (environment, deferred tools) is folded in.
        let inner = request["messages"]?.arrayValue?.first { $0["role"] == "system" }?["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
        #expect(system.contains(String(inner.prefix(200))))
        #expect(messages.filter { $0["role"] == "system" }.count == 1)
        let names = (encoded["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue }
        #expect(names.contains("Bash") && names.contains("DeferredToolPlaceholder"))
        #expect(encoded["max_completion_tokens"] == 128000)
        #expect(encoded["reasoning_effort"] == nil)  // adaptive/medium: the provider's default
    }

    @Test func toolResultsComeBeforeTheTurnsTextWithIdsAndErrors() throws {
        let request: JSONObject = [
            "model": "m", "max_tokens": 10,
            "messages": [
                ["role": "user", "content": "go"],
                ["role": "assistant", "content": [["type": "text", "text": "ok"], ["type": "tool_use", "id": "toolu_1", "name": "Bash", "input": ["command": "ls"]], ["type": "tool_use", "id": "toolu_2", "name": "Read", "input": [:]]]],
                ["role": "user", "content": [
                    ["type": "text", "text": "also this"],
                    ["type": "tool_result", "tool_use_id": "toolu_1", "content": [["type": "text", "text": "a.txt"]]],
                    ["type": "tool_result", "tool_use_id": "toolu_2", "content": "no such file", "is_error": true],
                ]],
            ],
            "tools": [["name": "Bash", "input_schema": ["type": "object"]], ["name": "Read", "input_schema": ["type": "object"]], ["type": "web_search_20250305", "name": "web_search"]],
            "tool_choice": ["type": "any"],
            "stop_sequences": ["A", "B", "C", "D", "E"],
            "temperature": 0.5, "top_p": 0.9, "top_k": 5,
        ]
        let encoded = try OpenAIChatRequestEncoder.encode(request, target: OpenAIChatTarget(model: "m"))
        #expect(OpenAIChatRequestValidator.problems(encoded) == [])
        let messages = encoded["messages"]?.arrayValue ?? []
        #expect(messages.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "tool", "tool", "user"])
        #expect(messages[2]["tool_call_id"] == "toolu_1" && messages[2]["content"] == "a.txt")
        #expect(messages[3]["content"] == "Error: no such file")
        #expect(messages[4]["content"] == "also this")
        #expect(encoded["tool_choice"] == "required")
        #expect((encoded["tools"]?.arrayValue ?? []).count == 2)  // the server tool is not a function
        #expect(encoded["stop"]?.arrayValue?.count == 4)
        #expect(encoded["temperature"] == 0.5 && encoded["top_p"] == 0.9 && encoded["top_k"] == nil)
        #expect(encoded["max_tokens"] == 10)
    }

    @Test func imagesAndDocumentsBecomeParts() throws {
        let request: JSONObject = [
            "model": "m",
            "messages": [["role": "user", "content": [
                ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "iVBOR"]],
                ["type": "image", "source": ["type": "url", "url": "https://example.com/a.png"]],
                ["type": "document", "source": ["type": "text", "media_type": "text/plain", "data": "notes"]],
                ["type": "text", "text": "describe"],
            ]]],
        ]
        let encoded = try OpenAIChatRequestEncoder.encode(request, target: OpenAIChatTarget(model: "m"))
        let parts = encoded["messages"]?.arrayValue?.first?["content"]?.arrayValue ?? []
        #expect(parts[0]["image_url"]?["url"] == "data:image/png;base64,iVBOR")
        #expect(parts[1]["image_url"]?["url"] == "https://example.com/a.png")
        #expect(parts[2]["text"] == "notes")
        #expect(OpenAIChatRequestValidator.problems(encoded) == [])
        let url: JSONObject = ["model": "m", "messages": [["role": "user", "content": [["type": "document", "source": ["type": "url", "url": "https://x/y.pdf"]]]]]]
        #expect(throws: AnthropicError.self) { try OpenAIChatRequestEncoder.encode(url, target: OpenAIChatTarget(model: "m")) }
    }

    @Test(arguments: [
        (JSONValue.object(["type": "enabled", "budget_tokens": 31999]), JSONValue.null, "high"),
        (["type": "enabled", "budget_tokens": 1024], .null, "low"),
        (["type": "adaptive"], ["effort": "max"], "high"),
        (["type": "adaptive"], ["effort": "medium"], nil),
        (["type": "disabled"], .null, nil),
    ] as [(JSONValue, JSONValue, String?)])
    func thinkingBecomesTheTargetsReasoningSetting(thinking: JSONValue, outputConfig: JSONValue, effort: String?) throws {
        var request: JSONObject = ["model": "m", "messages": [["role": "user", "content": "hi"]], "thinking": thinking]
        if !outputConfig.isNull { request["output_config"] = outputConfig }
        let openAI = try OpenAIChatRequestEncoder.encode(request, target: OpenAIChatTarget(model: "o3", usesMaxCompletionTokens: true, reasoningStyle: .reasoningEffort))
        #expect(openAI["reasoning_effort"]?.stringValue == effort)
        let openRouter = try OpenAIChatRequestEncoder.encode(request, target: OpenAIChatTarget(model: "x", reasoningStyle: .openRouter))
        #expect(openRouter["reasoning"]?["effort"]?.stringValue == effort)
        let generic = try OpenAIChatRequestEncoder.encode(request, target: OpenAIChatTarget(model: "x"))
        #expect(generic["reasoning_effort"] == nil && generic["reasoning"] == nil && generic["thinking"] == nil)
    }
}
