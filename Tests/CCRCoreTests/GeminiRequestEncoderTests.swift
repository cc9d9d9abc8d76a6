import CCRCore
import CCRTestSupport
import Testing

@Suite("Anthropic requests → Gemini requests")
struct GeminiRequestEncoderTests {
    static let targets = ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-pro-preview", "gemini-2.0-flash"].map(GeminiTarget.infer(model:))

    @Test(arguments: Fixtures.claudeCodeRequestNames)
    func everyClaudeCodeRequestBecomesARequestAStrictGeminiAccepts(_ name: String) throws {
        let request = try #require(Fixtures.claudeCodeRequest(name).objectValue)
        for target in Self.targets {
            let encoded = try GeminiRequestEncoder.encode(request, target: target)
            #expect(GeminiRequestValidator.problems(encoded) == [], "\(name) for \(target.model)")
            let text = encoded.jsonString()
            for anthropicOnly in [
                "cache_control", "context_management", "output_config", "safeguards", "x-anthropic-billing-header", "defer_loading",
                "\"metadata\"", "$schema", "additionalProperties", "exclusiveMinimum",
            ] {
                #expect(!text.contains(anthropicOnly), "\(name): \(anthropicOnly) leaked")
            }
            #expect(encoded["model"] == nil && encoded["stream"] == nil && encoded["max_tokens"] == nil)
        }
    }

    @Test func theMainTurnKeepsItsSystemPromptToolsAndTheSystemMessage() throws {
        let request = try #require(Fixtures.claudeCodeRequest("01-main-turn-opus-default.json").objectValue)
        let encoded = try GeminiRequestEncoder.encode(request, target: .infer(model: "gemini-2.5-pro"))
        let system = encoded["systemInstruction"]?["parts"]?.arrayValue?.first?["text"]?.stringValue ?? ""
        #expect(system.contains("You are a Claude agent"))
        let inner = request["messages"]?.arrayValue?.first { $0["role"] == "system" }?["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
        #expect(system.contains(String(inner.prefix(200))))
        let contents = encoded["contents"]?.arrayValue ?? []
        #expect(contents.map { $0["role"]?.stringValue ?? "" } == ["user"])
        #expect(contents.first?["parts"]?.arrayValue?.last?["text"] == "say hi")
        let declarations = encoded["tools"]?.arrayValue?.first?["functionDeclarations"]?.arrayValue ?? []
        let names = declarations.compactMap { $0["name"]?.stringValue }
        #expect(names.contains("Bash") && names.contains("DeferredToolPlaceholder"))
        // A tool without arguments is declared without parameters.
        #expect(declarations.first { $0["name"] == "DeferredToolPlaceholder" }?["parameters"] == nil)
        let bash = declarations.first { $0["name"] == "Bash" }?["parameters"]
        #expect(bash?["type"] == "OBJECT" && bash?["required"] == ["command"])
        let config = encoded["generationConfig"]
        #expect(config?["maxOutputTokens"] == 65536)
        #expect(config?["thinkingConfig"] == ["includeThoughts": true, "thinkingBudget": -1])
    }

    @Test func aToolRoundTripBecomesFunctionCallsAndNamedResponses() throws {
        let request: JSONObject = [
            "model": "m", "max_tokens": 10,
            "messages": [
                ["role": "user", "content": "go"],
                ["role": "assistant", "content": [
                    ["type": "text", "text": "ok"], ["type": "tool_use", "id": "toolu_01A", "name": "Bash", "input": ["command": "ls"]],
                    ["type": "tool_use", "id": "wxvlv0tv", "name": "Read", "input": ["file_path": "/a"]],
                ]],
                ["role": "user", "content": [
                    ["type": "tool_result", "tool_use_id": "toolu_01A", "content": [["type": "text", "text": "a.txt"], ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "iVBOR"]]]],
                    ["type": "tool_result", "tool_use_id": "wxvlv0tv", "content": "no such file", "is_error": true],
                    ["type": "text", "text": "also this"],
                ]],
                ["role": "user", "content": "and this"],
            ],
            "tools": [
                ["name": "Bash", "input_schema": ["type": "object", "properties": ["command": ["type": "string"]]]],
                ["name": "Read", "input_schema": ["type": "object", "properties": ["file_path": ["type": "string"]]]],
                ["type": "web_search_20250305", "name": "web_search"],
            ],
            "tool_choice": ["type": "tool", "name": "Read"],
            "stop_sequences": ["A", "B", "C", "D", "E", "F"],
            "temperature": 0.5, "top_p": 0.9, "top_k": 5,
        ]
        let encoded = try GeminiRequestEncoder.encode(request, target: .infer(model: "gemini-2.5-flash"))
        #expect(GeminiRequestValidator.problems(encoded) == [])
        let contents = encoded["contents"]?.arrayValue ?? []
        #expect(contents.map { $0["role"]?.stringValue ?? "" } == ["user", "model", "user"])
        let model = contents[1]["parts"]?.arrayValue ?? []
        #expect(model[0] == ["text": "ok"])
        // Ids Gemini gave go back; ids made up on this side (toolu_…) do not.
        #expect(model[1] == ["functionCall": ["name": "Bash", "args": ["command": "ls"]]])
        #expect(model[2] == ["functionCall": ["name": "Read", "args": ["file_path": "/a"], "id": "wxvlv0tv"]])
        let user = contents[2]["parts"]?.arrayValue ?? []
        #expect(user[0] == ["functionResponse": ["name": "Bash", "response": ["output": "a.txt"]]])
        #expect(user[1] == ["functionResponse": ["name": "Read", "id": "wxvlv0tv", "response": ["error": "no such file"]]])
        #expect(user[2] == ["inlineData": ["mimeType": "image/png", "data": "iVBOR"]])
        #expect(user[3] == ["text": "also this"] && user[4] == ["text": "and this"])
        // Gemini 2.x cannot combine Google Search with functions: the functions win.
        #expect(encoded["tools"]?.arrayValue?.count == 1)
        #expect(encoded["toolConfig"] == ["functionCallingConfig": ["mode": "ANY", "allowedFunctionNames": ["Read"]]])
        let config = encoded["generationConfig"]
        #expect(config?["stopSequences"]?.arrayValue?.count == 5)
        #expect(config?["temperature"] == 0.5 && config?["topP"] == 0.9 && config?["topK"] == 5 && config?["maxOutputTokens"] == 10)
        #expect(config?["thinkingConfig"] == nil)
    }

    @Test func webSearchBecomesGoogleSearch() throws {
        let request: JSONObject = [
            "model": "m", "messages": [["role": "user", "content": "Perform a web search for the query: swift 6.3"]],
            "tools": [["type": "web_search_20250305", "name": "web_search", "max_uses": 8]],
        ]
        let encoded = try GeminiRequestEncoder.encode(request, target: .infer(model: "gemini-2.5-flash"))
        #expect(encoded["tools"] == [["googleSearch": [:]]])
        #expect(GeminiRequestValidator.problems(encoded) == [])
        var withFunctions = request
        withFunctions["tools"] = [["type": "web_search_20250305", "name": "web_search"], ["name": "f", "input_schema": ["type": "object", "properties": ["a": ["type": "string"]]]]]
        let gemini3 = try GeminiRequestEncoder.encode(withFunctions, target: .infer(model: "gemini-3-pro-preview"))
        #expect(gemini3["tools"]?.arrayValue?.count == 2)
    }

    @Test func signedThinkingBlocksPutTheirSignaturesBackAndOthersAreDropped() throws {
        let call = GeminiThoughtSignature(anchor: .functionCall, value: "Q0FMTA==").encoded
        let text = GeminiThoughtSignature(anchor: .text, value: "VEVYVA==").encoded
        let request: JSONObject = [
            "model": "m",
            "messages": [
                ["role": "user", "content": "go"],
                ["role": "assistant", "content": [
                    // Thinking first, as in a non-streamed message: each signature still finds its part.
                    ["type": "thinking", "thinking": "plan", "signature": .string(text)],
                    ["type": "thinking", "thinking": "", "signature": .string(call)],
                    ["type": "thinking", "thinking": "anthropic's", "signature": "ZmFrZS1zaWduYXR1cmU="],
                    ["type": "redacted_thinking", "data": "abc"],
                    ["type": "text", "text": "Let me look."],
                    ["type": "tool_use", "id": "toolu_1", "name": "Read", "input": [:]],
                ]],
                ["role": "user", "content": [["type": "tool_result", "tool_use_id": "toolu_1", "content": "x"]]],
            ],
        ]
        let encoded = try GeminiRequestEncoder.encode(request, target: .infer(model: "gemini-3-pro-preview"))
        let parts = encoded["contents"]?.arrayValue?[1]["parts"]?.arrayValue ?? []
        #expect(parts == [
            ["text": "Let me look.", "thoughtSignature": "VEVYVA=="],
            ["functionCall": ["name": "Read", "args": [:]], "thoughtSignature": "Q0FMTA=="],
        ])
        #expect(!encoded.jsonString().contains("plan") && !encoded.jsonString().contains("ZmFrZS1"))
    }

    @Test func callsFromAnotherProviderGetGeminisBypassSignatureOnGemini3Only() throws {
        let request = try #require(Fixtures.claudeCodeRequest("03-thinking-signature-roundtrip.json").objectValue)
        let gemini3 = try GeminiRequestEncoder.encode(request, target: .infer(model: "gemini-3-flash-preview"))
        let call = gemini3["contents"]?.arrayValue?.first { $0["role"] == "model" }?["parts"]?.arrayValue?.first { $0["functionCall"] != nil }
        #expect(call?["thoughtSignature"] == "skip_thought_signature_validator")
        let gemini25 = try GeminiRequestEncoder.encode(request, target: .infer(model: "gemini-2.5-flash"))
        #expect(!gemini25.jsonString().contains("thoughtSignature"))
    }

    @Test func imagesAndDocumentsBecomeInlineOrFileData() throws {
        let request: JSONObject = [
            "model": "m",
            "messages": [["role": "user", "content": [
                ["type": "image", "source": ["type": "base64", "media_type": "image/webp", "data": "UklG"]],
                ["type": "image", "source": ["type": "url", "url": "https://example.com/a.png"]],
                ["type": "document", "source": ["type": "base64", "media_type": "application/pdf", "data": "JVBE"]],
                ["type": "document", "title": "Notes", "source": ["type": "text", "media_type": "text/plain", "data": "notes"]],
                ["type": "text", "text": "describe"],
            ]]],
        ]
        let encoded = try GeminiRequestEncoder.encode(request, target: .infer(model: "gemini-2.5-flash"))
        let parts = encoded["contents"]?.arrayValue?.first?["parts"]?.arrayValue ?? []
        #expect(parts[0] == ["inlineData": ["mimeType": "image/webp", "data": "UklG"]])
        #expect(parts[1] == ["fileData": ["mimeType": "image/png", "fileUri": "https://example.com/a.png"]])
        #expect(parts[2] == ["inlineData": ["mimeType": "application/pdf", "data": "JVBE"]])
        #expect(parts[3] == ["text": "Notes\n\nnotes"])
        #expect(GeminiRequestValidator.problems(encoded) == [])
    }

    @Test(arguments: [
        ("gemini-2.5-flash", JSONValue.object(["type": "enabled", "budget_tokens": 31999]), JSONValue.null, JSONValue.object(["includeThoughts": true, "thinkingBudget": 24576])),
        ("gemini-2.5-pro", ["type": "enabled", "budget_tokens": 64], .null, ["includeThoughts": true, "thinkingBudget": 128]),
        ("gemini-2.5-flash", ["type": "adaptive"], ["effort": "medium"], ["includeThoughts": true, "thinkingBudget": -1]),
        ("gemini-2.5-flash", ["type": "disabled"], .null, ["thinkingBudget": 0]),
        ("gemini-2.5-pro", ["type": "disabled"], .null, ["thinkingBudget": 128]),
        ("gemini-3-pro-preview", ["type": "adaptive"], ["effort": "medium"], ["includeThoughts": true]),
        ("gemini-3-pro-preview", ["type": "adaptive"], ["effort": "max"], ["includeThoughts": true, "thinkingLevel": "high"]),
        ("gemini-3-pro-preview", ["type": "enabled", "budget_tokens": 2048], .null, ["includeThoughts": true, "thinkingLevel": "low"]),
        ("gemini-3-flash-preview", ["type": "disabled"], .null, ["thinkingLevel": "minimal"]),
        ("gemini-2.0-flash", ["type": "adaptive"], .null, .null),
        ("gemini-2.5-flash", .null, ["effort": "high"], .null),
    ] as [(String, JSONValue, JSONValue, JSONValue)])
    func thinkingBecomesThinkingConfig(model: String, thinking: JSONValue, outputConfig: JSONValue, expected: JSONValue) throws {
        var request: JSONObject = ["model": "m", "max_tokens": 100_000, "messages": [["role": "user", "content": "hi"]]]
        if !thinking.isNull { request["thinking"] = thinking }
        if !outputConfig.isNull { request["output_config"] = outputConfig }
        let encoded = try GeminiRequestEncoder.encode(request, target: .infer(model: model))
        #expect((encoded["generationConfig"]?["thinkingConfig"] ?? .null) == expected, "\(model)")
        #expect(GeminiRequestValidator.problems(encoded) == [])
        #expect(encoded["generationConfig"]?["maxOutputTokens"] == (model.contains("2.0") ? 8192 : 65536))
    }

    @Test(arguments: [
        ("https://generativelanguage.googleapis.com/v1beta/models/", "gemini-2.5-flash", true,
         "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"),
        ("https://generativelanguage.googleapis.com/v1beta/models", "models/gemini-2.5-pro", false,
         "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent"),
        ("http://127.0.0.1:9/v1beta", "g", true, "http://127.0.0.1:9/v1beta/models/g:streamGenerateContent?alt=sse"),
        ("https://proxy.example/v1beta/models/?tenant=a", "g", true, "https://proxy.example/v1beta/models/g:streamGenerateContent?alt=sse&tenant=a"),
    ])
    func theURLIsTheBaseThenTheModelAndMethod(base: String, model: String, stream: Bool, url: String) {
        #expect(GeminiTarget.url(baseURL: base, model: model, stream: stream) == url)
    }

    @Test func anUnknownRoleOrNothingToSendIsAnInvalidRequest() {
        #expect(throws: AnthropicError.self) {
            try GeminiRequestEncoder.encode(["messages": [["role": "tool", "content": "x"]]], target: .infer(model: "gemini-2.5-flash"))
        }
        #expect(throws: AnthropicError.self) {
            try GeminiRequestEncoder.encode(["messages": [["role": "system", "content": "only a system prompt"]]], target: .infer(model: "gemini-2.5-flash"))
        }
    }
}

@Suite("JSON Schema → Gemini Schema")
struct GeminiSchemaSanitizerTests {
    @Test func everyClaudeCodeToolSchemaUsesOnlyGeminisKeywords() throws {
        for name in Fixtures.claudeCodeRequestNames {
            for tool in Fixtures.claudeCodeRequest(name)["tools"]?.arrayValue ?? [] {
                guard let parameters = GeminiSchemaSanitizer.parameters(for: tool["input_schema"]) else { continue }
                let body: JSONValue = [
                    "contents": [["role": "user", "parts": [["text": "x"]]]],
                    "tools": [["functionDeclarations": [["name": tool["name"] ?? "", "parameters": parameters]]]],
                ]
                #expect(GeminiRequestValidator.problems(body) == [], "\(name): \(tool["name"]?.stringValue ?? "")")
            }
        }
    }

    @Test func boundsDefaultsAndFormatsKeepTheirMeaning() {
        let schema: JSONValue = [
            "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "additionalProperties": false,
            "properties": [
                "limit": ["type": "integer", "exclusiveMinimum": 0, "maximum": 9_007_199_254_740_991, "description": "How many"],
                "ratio": ["type": "number", "exclusiveMaximum": 1],
                "url": ["type": "string", "format": "uri"],
                "when": ["type": "string", "format": "date-time"],
                "flag": ["type": "boolean", "default": false],
                "mode": ["const": "fast"],
                "level": ["type": "integer", "enum": [1, 2, 3]],
                "tags": ["type": "array", "items": ["type": "string"], "uniqueItems": true, "maxItems": 4],
                "env": ["type": "object", "additionalProperties": ["type": "string"], "propertyNames": ["pattern": "^[A-Z]+$"]],
            ],
            "required": ["limit", "missing"],
        ]
        let out = GeminiSchemaSanitizer.sanitize(schema)
        let p = out["properties"] ?? .null
        #expect(out["required"] == ["limit"])
        #expect(p["limit"] == ["type": "INTEGER", "minimum": 1, "maximum": 9_007_199_254_740_991, "description": "How many"])
        #expect(p["ratio"] == ["type": "NUMBER", "maximum": 1, "description": "Less than 1."])
        #expect(p["url"] == ["type": "STRING", "description": "Format: uri."])
        #expect(p["when"] == ["type": "STRING", "format": "date-time"])
        #expect(p["flag"] == ["type": "BOOLEAN", "description": "Default: false."])
        #expect(p["mode"] == ["type": "STRING", "enum": ["fast"]])
        #expect(p["level"] == ["type": "INTEGER", "description": "One of: 1, 2, 3."])
        #expect(p["tags"] == ["type": "ARRAY", "maxItems": 4, "items": ["type": "STRING"]])
        #expect(p["env"] == ["type": "OBJECT", "description": "An object mapping names to string values."])
    }

    @Test func nullableUnionsReferencesAndIntersectionsAreResolved() {
        let schema: JSONValue = [
            "type": "object",
            "$defs": [
                "Point": ["type": "object", "properties": ["x": ["type": "number"], "y": ["type": "number"]], "required": ["x", "y"]],
                "Node": ["type": "object", "properties": ["next": ["$ref": "#/$defs/Node"]]],
            ],
            "properties": [
                "maybe": ["anyOf": [["type": "string"], ["type": "null"]], "description": "Optional name"],
                "listed": ["type": ["integer", "null"]],
                "either": ["oneOf": [["type": "string"], ["type": "integer"]]],
                "point": ["$ref": "#/$defs/Point", "description": "Where"],
                "node": ["$ref": "#/$defs/Node"],
                "both": ["allOf": [["type": "object", "properties": ["a": ["type": "string"]], "required": ["a"]], ["properties": ["b": ["type": "boolean"]]]]],
            ],
        ]
        let p = GeminiSchemaSanitizer.sanitize(schema)["properties"] ?? .null
        #expect(p["maybe"] == ["type": "STRING", "description": "Optional name", "nullable": true])
        #expect(p["listed"] == ["type": "INTEGER", "nullable": true])
        #expect(p["either"] == ["anyOf": [["type": "STRING"], ["type": "INTEGER"]]])
        #expect(p["point"] == ["type": "OBJECT", "properties": ["x": ["type": "NUMBER"], "y": ["type": "NUMBER"]], "required": ["x", "y"], "description": "Where"])
        #expect(p["node"]?["properties"]?["next"] == ["type": "OBJECT", "description": "A Node object."])
        #expect(p["both"]?["properties"]?.objectValue?.keys == ["a", "b"])
        #expect(p["both"]?["required"] == ["a"])
        let body: JSONValue = [
            "contents": [["role": "user", "parts": [["text": "x"]]]],
            "tools": [["functionDeclarations": [["name": "f", "parameters": GeminiSchemaSanitizer.sanitize(schema)]]]],
        ]
        #expect(GeminiRequestValidator.problems(body) == [])
    }

    @Test func aToolWithoutArgumentsHasNoParameters() {
        #expect(GeminiSchemaSanitizer.parameters(for: ["type": "object", "properties": [:]]) == nil)
        #expect(GeminiSchemaSanitizer.parameters(for: ["type": "object", "additionalProperties": false]) == nil)
        #expect(GeminiSchemaSanitizer.parameters(for: nil) == nil)
    }
}

@Suite("A Gemini provider in config.json")
struct GeminiProviderConfigTests {
    @Test func theGeminiTransformerOrTheModelsBaseChoosesTheGeminiWire() throws {
        let text = """
            {"Providers": [
              {"name": "gemini", "api_base_url": "https://generativelanguage.googleapis.com/v1beta/models/", "api_key": "k",
               "models": ["gemini-2.5-pro"], "transformer": {"use": ["gemini"]}},
              {"name": "bare", "api_base_url": "https://generativelanguage.googleapis.com/v1beta/models/", "api_key": "k", "models": ["gemini-2.5-flash"]},
              {"name": "compat", "api_base_url": "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions", "api_key": "k", "models": ["gemini-2.5-flash"]}
            ], "Router": {"default": "gemini,gemini-2.5-pro"}}
            """
        let (config, _) = try ConfigLoader(environment: [:]).load(text: Array(text.utf8))
        #expect(config.providers.map(\.wire) == [.gemini, .gemini, .openAIChat])
    }
}
