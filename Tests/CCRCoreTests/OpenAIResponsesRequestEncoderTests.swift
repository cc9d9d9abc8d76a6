import CCRCore
import CCRTestSupport
import Testing

@Suite("Anthropic requests → OpenAI Responses requests")
struct OpenAIResponsesRequestEncoderTests {
    static let reasoning = OpenAIResponsesTarget.infer(baseURL: "https://api.openai.com/v1/responses", model: "gpt-5", sessionID: "session-1")
    static let plain = OpenAIResponsesTarget.infer(baseURL: "https://api.openai.com/v1/responses", model: "gpt-4.1")

    /// What a Responses endpoint rejects in a request body, as a list of problems.
    static func problems(_ body: JSONValue) -> [String] {
        var problems: [String] = []
        let allowed: Set<String> = [
            "model", "instructions", "input", "tools", "tool_choice", "parallel_tool_calls", "max_output_tokens", "temperature", "top_p",
            "reasoning", "include", "store", "stream", "prompt_cache_key",
        ]
        for key in body.objectValue?.keys ?? [] where !allowed.contains(key) { problems.append("unexpected field \(key)") }
        guard let input = body["input"]?.arrayValue else { return problems + ["input is not an array"] }
        var calls: [String] = []
        for (position, item) in input.enumerated() {
            switch item["type"]?.stringValue ?? "message" {
            case "message":
                let role = item["role"]?.stringValue ?? ""
                guard ["user", "assistant", "developer", "system"].contains(role) else {
                    problems.append("input[\(position)]: role \(role)")
                    continue
                }
                if case .string = item["content"] { continue }
                for part in item["content"]?.arrayValue ?? [] {
                    let type = part["type"]?.stringValue ?? ""
                    let fits = role == "assistant" ? ["output_text", "refusal"].contains(type) : ["input_text", "input_image", "input_file"].contains(type)
                    if !fits { problems.append("input[\(position)]: a \(role) message with a \(type) part") }
                }
            case "function_call":
                if item["call_id"]?.stringValue?.isEmpty != false || item["name"]?.stringValue == nil || item["arguments"]?.stringValue == nil {
                    problems.append("input[\(position)]: incomplete function_call")
                }
                calls.append(item["call_id"]?.stringValue ?? "")
            case "function_call_output":
                if !calls.contains(item["call_id"]?.stringValue ?? "") { problems.append("input[\(position)]: output for an unknown call") }
                if item["output"]?.stringValue == nil { problems.append("input[\(position)]: output is not a string") }
            case "reasoning":
                if item["encrypted_content"]?.stringValue == nil || item["summary"]?.arrayValue == nil {
                    problems.append("input[\(position)]: reasoning without encrypted_content or summary")
                }
            case let other:
                problems.append("input[\(position)]: item type \(other)")
            }
        }
        for tool in body["tools"]?.arrayValue ?? [] {
            switch tool["type"]?.stringValue {
            case "function":
                if tool["name"]?.stringValue == nil || tool["parameters"]?.objectValue == nil || tool["strict"] != false {
                    problems.append("tool \(tool["name"]?.stringValue ?? "?"): not a function with parameters and strict false")
                }
            case "web_search":
                break
            default:
                problems.append("tool of type \(tool["type"]?.jsonString() ?? "nothing")")
            }
        }
        return problems
    }

    @Test(arguments: Fixtures.claudeCodeRequestNames)
    func everyClaudeCodeRequestBecomesAValidResponsesRequest(_ name: String) throws {
        let request = try #require(Fixtures.claudeCodeRequest(name).objectValue)
        for target in [Self.reasoning, Self.plain] {
            let encoded = try OpenAIResponsesRequestEncoder.encode(request, target: target)
            #expect(Self.problems(encoded) == [], "\(name) for \(target.model)")
            let text = encoded.jsonString()
            for anthropicOnly in ["cache_control", "context_management", "output_config", "safeguards", "x-anthropic-billing-header", "defer_loading", "\"metadata\"", "max_tokens\""] {
                #expect(!text.contains(anthropicOnly), "\(name): \(anthropicOnly) leaked")
            }
            #expect(encoded["store"] == false)
            #expect(encoded["stream"]?.boolValue == (request["stream"] == true))
            if target.isReasoningModel {
                #expect(encoded["include"] == ["reasoning.encrypted_content"])
                #expect(encoded["temperature"] == nil && encoded["top_p"] == nil)
                #expect(encoded["prompt_cache_key"] == "session-1")
            } else {
                #expect(encoded["include"] == nil && encoded["reasoning"] == nil)
            }
        }
    }

    @Test func theMainTurnKeepsItsInstructionsToolsAndTheSystemMessageInPlace() throws {
        let request = try #require(Fixtures.claudeCodeRequest("01-main-turn-opus-default.json").objectValue)
        let encoded = try OpenAIResponsesRequestEncoder.encode(request, target: Self.reasoning)
        let instructions = encoded["instructions"]?.stringValue ?? ""
        #expect(instructions.hasPrefix("You are a Claude agent"))
        let input = encoded["input"]?.arrayValue ?? []
        #expect(input.map { $0["role"]?.stringValue ?? "" } == ["user", "developer"])
        let inner = request["messages"]?.arrayValue?.first { $0["role"] == "system" }?["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
        #expect(input[1]["content"]?.stringValue?.hasPrefix(String(inner.prefix(200))) == true)
        #expect(input[0]["content"]?.arrayValue?.count == 2)  // the reminder and the prompt stay separate parts
        let names = (encoded["tools"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(names.contains("Bash") && names.contains("DeferredToolPlaceholder"))
        #expect(encoded["max_output_tokens"] == 128000)
        #expect(encoded["reasoning"] == ["effort": "medium", "summary": "auto"])
    }

    @Test func toolCallsAndResultsBecomeItemsInOrder() throws {
        let request: JSONObject = [
            "model": "m", "max_tokens": 10,
            "messages": [
                ["role": "user", "content": "go"],
                ["role": "assistant", "content": [
                    ["type": "text", "text": "ok"], ["type": "text", "text": "two"],
                    ["type": "tool_use", "id": "toolu_1", "name": "Bash", "input": ["command": "ls"]],
                    ["type": "tool_use", "id": "toolu_2", "name": "Read", "input": [:]],
                ]],
                ["role": "user", "content": [
                    ["type": "text", "text": "also this"],
                    ["type": "tool_result", "tool_use_id": "toolu_1", "content": [["type": "text", "text": "a.txt"]]],
                    ["type": "tool_result", "tool_use_id": "toolu_2", "content": "no such file", "is_error": true],
                ]],
            ],
            "tools": [["name": "Bash", "input_schema": ["type": "object", "$schema": "x"]], ["name": "Read", "input_schema": ["type": "object"]], ["type": "bash_20250124", "name": "bash"]],
            "tool_choice": ["type": "tool", "name": "Read", "disable_parallel_tool_use": true],
            "stop_sequences": ["A"], "temperature": 0.5, "top_p": 0.9, "top_k": 5,
        ]
        let encoded = try OpenAIResponsesRequestEncoder.encode(request, target: OpenAIResponsesTarget(model: "gpt-4.1", isReasoningModel: false))
        #expect(Self.problems(encoded) == [])
        let input = encoded["input"]?.arrayValue ?? []
        #expect(input.map { $0["type"]?.stringValue ?? $0["role"]?.stringValue ?? "" } == ["user", "assistant", "function_call", "function_call", "function_call_output", "function_call_output", "user"])
        #expect(input[1]["content"]?.arrayValue?.map { $0["text"]?.stringValue ?? "" } == ["ok", "two"])
        #expect(input[2] == ["type": "function_call", "call_id": "toolu_1", "name": "Bash", "arguments": #"{"command":"ls"}"#])
        #expect(input[4]["output"] == "a.txt")
        #expect(input[5]["output"] == "Error: no such file")
        #expect(input[6]["content"]?.arrayValue?.first?["text"] == "also this")
        let tools = encoded["tools"]?.arrayValue ?? []
        #expect(tools.count == 2)  // the Anthropic-run bash tool is not a function
        #expect(tools.first?["parameters"] == ["type": "object"])
        #expect(encoded["tool_choice"] == ["type": "function", "name": "Read"])
        #expect(encoded["parallel_tool_calls"] == false)
        #expect(encoded["temperature"] == 0.5 && encoded["top_p"] == 0.9)
        #expect(encoded["max_output_tokens"] == 16)  // the Responses minimum
        #expect(encoded["stop"] == nil && encoded["top_k"] == nil && encoded["stop_sequences"] == nil)
    }

    @Test func imagesDocumentsAndToolImagesBecomeInputParts() throws {
        let request: JSONObject = [
            "model": "m",
            "messages": [
                ["role": "user", "content": [
                    ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "iVBOR"]],
                    ["type": "image", "source": ["type": "url", "url": "https://example.com/a.png"]],
                    ["type": "document", "source": ["type": "text", "media_type": "text/plain", "data": "notes"]],
                    ["type": "document", "title": "spec.pdf", "source": ["type": "base64", "media_type": "application/pdf", "data": "JVBER"]],
                    ["type": "text", "text": "describe"],
                ]],
                ["role": "assistant", "content": [["type": "tool_use", "id": "t1", "name": "Read", "input": ["file_path": "/a.png"]]]],
                ["role": "user", "content": [["type": "tool_result", "tool_use_id": "t1", "content": [["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "AAA"]]]]]],
            ],
        ]
        let encoded = try OpenAIResponsesRequestEncoder.encode(request, target: Self.plain)
        #expect(Self.problems(encoded) == [])
        let input = encoded["input"]?.arrayValue ?? []
        let parts = input.first?["content"]?.arrayValue ?? []
        #expect(parts[0] == ["type": "input_image", "image_url": "data:image/png;base64,iVBOR", "detail": "auto"])
        #expect(parts[1]["image_url"] == "https://example.com/a.png")
        #expect(parts[2] == ["type": "input_text", "text": "notes"])
        #expect(parts[3] == ["type": "input_file", "filename": "spec.pdf", "file_data": "data:application/pdf;base64,JVBER"])
        // The tool's image follows its output, in a user message.
        #expect(input[2]["output"] == "(the result is an image, attached below)")
        #expect(input[3]["content"]?.arrayValue?[1]["image_url"] == "data:image/png;base64,AAA")
        let bad: JSONObject = ["model": "m", "messages": [["role": "user", "content": [["type": "document", "source": ["type": "base64", "media_type": "text/csv", "data": "eA=="]]]]]]
        #expect(throws: AnthropicError.self) { try OpenAIResponsesRequestEncoder.encode(bad, target: Self.plain) }
    }

    @Test func onlyThisAdaptersReasoningGoesBackAndOnlyBeforeWhatFollowedIt() throws {
        let own = OpenAIResponsesReasoningSignature(itemID: "rs_1", encryptedContent: "ENC-1").encoded
        let withoutContent = OpenAIResponsesReasoningSignature(itemID: "rs_2", encryptedContent: nil).encoded
        let chat = ReasoningSignature(dialect: .reasoningContent).encoded
        let orphan = OpenAIResponsesReasoningSignature(itemID: "rs_3", encryptedContent: "ENC-3").encoded
        let request: JSONObject = [
            "model": "m",
            "messages": [
                ["role": "user", "content": "q"],
                ["role": "assistant", "content": [
                    ["type": "thinking", "thinking": "Anthropic's own", "signature": "EqQBCkYIBxgCKkB"],
                    ["type": "thinking", "thinking": "from a chat provider", "signature": .string(chat)],
                    ["type": "thinking", "thinking": "no content", "signature": .string(withoutContent)],
                    ["type": "thinking", "thinking": "Plan.", "signature": .string(own)],
                    ["type": "tool_use", "id": "call_1", "name": "Bash", "input": ["command": "ls"]],
                ]],
                ["role": "user", "content": [["type": "tool_result", "tool_use_id": "call_1", "content": "a"]]],
                ["role": "assistant", "content": [
                    // The same item echoed twice, and one whose following item is not replayed.
                    ["type": "thinking", "thinking": "Plan.", "signature": .string(own)],
                    ["type": "thinking", "thinking": "searching", "signature": .string(orphan)],
                    ["type": "server_tool_use", "id": "ws_1", "name": "web_search", "input": ["query": "x"]],
                    ["type": "web_search_tool_result", "tool_use_id": "ws_1", "content": []],
                    ["type": "text", "text": "Found it."],
                ]],
                ["role": "user", "content": "thanks"],
            ],
        ]
        let encoded = try OpenAIResponsesRequestEncoder.encode(request, target: Self.reasoning)
        #expect(Self.problems(encoded) == [])
        let input = encoded["input"]?.arrayValue ?? []
        #expect(input.map { $0["type"]?.stringValue ?? $0["role"]?.stringValue ?? "" } == ["user", "reasoning", "function_call", "function_call_output", "assistant", "user"])
        #expect(input[1] == ["type": "reasoning", "id": "rs_1", "summary": [["type": "summary_text", "text": "Plan."]], "encrypted_content": "ENC-1"])
    }

    @Test func webSearchBecomesTheHostedTool() throws {
        let request: JSONObject = [
            "model": "m", "messages": [["role": "user", "content": "news?"]],
            "tools": [["type": "web_search_20250305", "name": "web_search", "max_uses": 8, "allowed_domains": ["swift.org"], "user_location": ["type": "approximate", "city": "Paris", "country": "FR"]]],
            "tool_choice": ["type": "tool", "name": "web_search"],
        ]
        let encoded = try OpenAIResponsesRequestEncoder.encode(request, target: Self.reasoning)
        #expect(Self.problems(encoded) == [])
        #expect(encoded["tools"] == [["type": "web_search", "filters": ["allowed_domains": ["swift.org"]], "user_location": ["type": "approximate", "city": "Paris", "country": "FR"]]])
        #expect(encoded["tool_choice"] == nil)
        #expect(encoded["include"] == ["reasoning.encrypted_content", "web_search_call.action.sources"])
    }

    @Test(arguments: [
        (JSONValue.object(["type": "enabled", "budget_tokens": 31999]), JSONValue.null, JSONValue.object(["effort": "high", "summary": "auto"])),
        (["type": "enabled", "budget_tokens": 1024], .null, ["effort": "low", "summary": "auto"]),
        (["type": "adaptive"], ["effort": "max"], ["effort": "high", "summary": "auto"]),
        (["type": "adaptive"], ["effort": "low"], ["effort": "low", "summary": "auto"]),
        (.null, .null, ["summary": "auto"]),
        (["type": "disabled"], .null, .null),
    ] as [(JSONValue, JSONValue, JSONValue)])
    func thinkingBecomesReasoningForReasoningModelsOnly(thinking: JSONValue, outputConfig: JSONValue, reasoning: JSONValue) throws {
        var request: JSONObject = ["model": "m", "messages": [["role": "user", "content": "hi"]], "temperature": 1]
        if !thinking.isNull { request["thinking"] = thinking }
        if !outputConfig.isNull { request["output_config"] = outputConfig }
        let encoded = try OpenAIResponsesRequestEncoder.encode(request, target: Self.reasoning)
        #expect((encoded["reasoning"] ?? .null) == reasoning)
        #expect(encoded["temperature"] == nil)
        let plain = try OpenAIResponsesRequestEncoder.encode(request, target: Self.plain)
        #expect(plain["reasoning"] == nil)
        #expect(plain["temperature"] == 1)
        let xai = try OpenAIResponsesRequestEncoder.encode(request, target: .infer(baseURL: "https://api.x.ai/v1/responses", model: "grok-4"))
        #expect(xai["reasoning"] == nil)
        #expect(xai["include"] == ["reasoning.encrypted_content"])
        #expect(xai["prompt_cache_key"] == nil)
    }

    @Test func theSummaryCanBeConfiguredOrTurnedOff() throws {
        let request: JSONObject = ["model": "m", "messages": [["role": "user", "content": "hi"]], "output_config": ["effort": "high"]]
        let url = "https://api.openai.com/v1/responses"
        let detailed = OpenAIResponsesTarget.infer(baseURL: url, model: "o3", options: ["summary": "detailed"])
        #expect(try OpenAIResponsesRequestEncoder.encode(request, target: detailed)["reasoning"] == ["effort": "high", "summary": "detailed"])
        for off: JSONValue in ["none", false] {
            let target = OpenAIResponsesTarget.infer(baseURL: url, model: "o3", options: ["summary": off])
            #expect(try OpenAIResponsesRequestEncoder.encode(request, target: target)["reasoning"] == ["effort": "high"])
        }
        let neither = OpenAIResponsesTarget.infer(baseURL: url, model: "o3", options: ["summary": "none"])
        let plainRequest: JSONObject = ["model": "m", "messages": [["role": "user", "content": "hi"]]]
        #expect(try OpenAIResponsesRequestEncoder.encode(plainRequest, target: neither)["reasoning"] == nil)
    }

    @Test(arguments: [
        ("gpt-5", true), ("gpt-5-mini", true), ("o3", true), ("o4-mini", true), ("openai/gpt-oss-20b", true), ("codex-mini-latest", true),
        ("grok-4-fast-reasoning", true), ("grok-4-fast-non-reasoning", false), ("gpt-5-chat-latest", false), ("gpt-4.1", false), ("gpt-4o", false),
    ])
    func reasoningModelsAreRecognisedByName(model: String, reasons: Bool) {
        #expect(OpenAIResponsesTarget.isReasoningModel(model) == reasons)
    }
}
