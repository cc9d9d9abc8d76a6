import CCRCore
import CCRTestSupport
import Foundation
import Testing

/// Builders shared by the transformer tests.
enum TransformerHarness {
    static func json(_ text: String) -> JSONValue {
        try! JSONParser.parse(Array(text.utf8))
    }

    static func object(_ text: String) -> JSONObject {
        self.json(text).objectValue!
    }

    static func reference(_ name: String, _ options: String? = nil) -> TransformerReference {
        TransformerReference(name: name, options: options.map(Self.object) ?? [:])
    }

    static func chain(_ provider: [TransformerReference], model: [TransformerReference] = []) -> TransformerChain {
        TransformerChain(provider: provider, model: model)
    }

    static func context(
        model: String = "some-model", baseURL: String = "https://api.example.com/v1/chat/completions", anthropic: String = #"{"stream": true}"#
    ) -> TransformerContext {
        TransformerContext(providerName: "p", baseURL: baseURL, model: model, anthropicRequest: Self.object(anthropic))
    }

    /// The request after one transformer.
    static func request(_ name: String, _ options: String? = nil, _ request: String, context: TransformerContext = Self.context()) -> JSONObject {
        var body = Self.object(request)
        Self.chain([Self.reference(name, options)]).transformRequest(&body, context: context)
        return body
    }

    /// A stream chunk with one choice.
    static func chunk(_ delta: String, finish: String? = nil, id: String = "gen-abc123") -> JSONValue {
        var choice: JSONObject = ["index": 0, "delta": Self.json(delta)]
        if let finish { choice["finish_reason"] = .string(finish) }
        return ["id": .string(id), "object": "chat.completion.chunk", "model": "some-model", "choices": [.object(choice)]]
    }

    /// The chunks that come out of the chain's stream stages.
    static func stages(_ chain: TransformerChain, _ chunks: [JSONValue], context: TransformerContext = Self.context()) -> [JSONValue] {
        var pipeline = chain.makeStreamPipeline(context: context)
        return chunks.flatMap { pipeline.feed($0) } + pipeline.finish()
    }

    /// The Anthropic stream the converter makes of the chunks (sent as SSE with `[DONE]`), checked
    /// by the strict validator.
    static func anthropic(_ chain: TransformerChain, _ chunks: [JSONValue], context: TransformerContext = Self.context()) throws -> AnthropicStreamValidator.Summary {
        var converter = TransformedStreamConverter(
            converter: OpenAIChatStreamConverter(messageID: "msg_test", model: "some-model", inputTokenEstimate: 10),
            pipeline: chain.makeStreamPipeline(context: context))
        var sse: [UInt8] = []
        for chunk in chunks { sse += Array("data: \(chunk.jsonString())\n\n".utf8) }
        sse += Array("data: [DONE]\n\n".utf8)
        var decoder = SSEDecoder()
        var output: [UInt8] = []
        for event in decoder.feed(sse) {
            _ = converter.consume(event)
            output += converter.takeOutput()
        }
        _ = converter.finish(sawDone: false)
        output += converter.takeOutput()
        return try AnthropicStreamValidator.validate(output)
    }

    static func toolCall(_ index: Int, id: String? = nil, name: String? = nil, arguments: String? = nil) -> String {
        var call: JSONObject = ["index": .int(index)]
        if let id {
            call["id"] = .string(id)
            call["type"] = "function"
        }
        var function = JSONObject()
        if let name { function["name"] = .string(name) }
        if let arguments { function["arguments"] = .string(arguments) }
        call["function"] = .object(function)
        return JSONValue.object(["tool_calls": [.object(call)]]).jsonString()
    }

    /// A non-streamed `chat.completion`.
    static func completion(_ message: String, finish: String = "stop") -> JSONObject {
        Self.object(#"{"id": "gen-xyz789", "object": "chat.completion", "model": "some-model", "choices": [{"index": 0, "message": \#(message), "finish_reason": "\#(finish)"}]}"#)
    }
}

private typealias H = TransformerHarness

@Suite("Transformer chains: order, names, options")
struct TransformerChainTests {
    @Test func requestsRunProviderThenModelAndAnswersRunEachChainReversed() {
        let chain = H.chain([H.reference("maxtoken", #"{"max_tokens": 1}"#), H.reference("cleancache")], model: [H.reference("tooluse"), H.reference("enhancetool")])
        #expect(chain.requestSteps.map(\.name) == ["maxtoken", "cleancache", "tooluse", "enhancetool"])
        #expect(chain.responseSteps.map(\.name) == ["cleancache", "maxtoken", "enhancetool", "tooluse"])
    }

    @Test func theModelChainHasTheLastWordOnTheRequest() {
        var body = H.object(#"{"model": "m", "messages": []}"#)
        let chain = H.chain([H.reference("openrouter", #"{"route": "provider"}"#)], model: [H.reference("openrouter", #"{"route": "model"}"#)])
        chain.transformRequest(&body, context: H.context())
        #expect(body["route"] == "model")
    }

    @Test func wireNamesAreLeftToTheWireAndOtherNamesGoToPlugins() {
        let chain = TransformerChain(
            provider: [H.reference("OpenAI"), H.reference("deepseek"), H.reference("my-plugin")], model: [H.reference("maxtoken", #"{"max_tokens": 5}"#)],
            externalNames: ["my-plugin", "maxtoken"])
        #expect(chain.requestSteps.map(\.name) == ["deepseek", "my-plugin", "maxtoken"])
        // A plugin with a built-in's name replaces the built-in.
        guard case .external(_, let options) = chain.requestSteps[2] else {
            Issue.record("maxtoken should be the plugin's")
            return
        }
        #expect(options["max_tokens"] == 5)
        #expect(chain.hasExternalSteps)
    }

    @Test func externalStepsRunInTheirPlaceWithTheirOptions() async throws {
        let chain = TransformerChain(
            provider: [H.reference("maxtoken", #"{"max_tokens": 100}"#), H.reference("mine", #"{"flag": true}"#)], model: [H.reference("maxcompletiontokens")],
            externalNames: ["mine"])
        var body = H.object(#"{"model": "m", "max_tokens": 500}"#)
        var seen: [JSONObject] = []
        try await chain.transformRequest(&body, context: H.context()) { (name: String, options: JSONObject, request: JSONObject) throws(AnthropicError) -> JSONObject in
            #expect(name == "mine")
            #expect(options["flag"] == true)
            seen.append(request)
            var changed = request
            changed["plugin"] = "was here"
            return changed
        }
        #expect(seen.first?["max_tokens"] == 100)  // maxtoken ran before the plugin
        #expect(body["plugin"] == "was here")
        #expect(body["max_completion_tokens"] == 100 && body["max_tokens"] == nil)  // and maxcompletiontokens after it
    }

    @Test func everyBuiltInNameIsImplementedOrAWire() {
        for name in TransformerCatalog.builtInNames where TransformerRegistry.types[name] == nil {
            // The rest select a wire (some only once their adapter lands).
            #expect(["Anthropic", "OpenAI", "gemini", "vertex-gemini", "vertex-claude", "openai-responses"].contains(name), "\(name)")
        }
        #expect(TransformerRegistry.names.isSubset(of: TransformerCatalog.implementedNames))
        #expect(TransformerRegistry.names.count == 16)
    }

    @Test func aStreamWithoutStagesGoesThroughUnchanged() throws {
        let chunks = [H.chunk(#"{"role": "assistant", "content": "Hello"}"#), H.chunk(#"{"content": " world"}"#, finish: "stop")]
        let plain = try H.anthropic(H.chain([]), chunks)
        let named = try H.anthropic(H.chain([H.reference("maxtoken", #"{"max_tokens": 9}"#), H.reference("streamoptions")]), chunks)
        #expect(plain == named)
        #expect(plain.text == "Hello world")
    }
}

@Suite("Transformer options in config.json")
struct TransformerOptionTests {
    static func diagnostics(_ use: String, extra: String = "", url: String = "https://p.example/v1/chat/completions") -> [ConfigDiagnostic] {
        let text = #"{\#(extra)"Providers":[{"name":"p","api_base_url":"\#(url)","api_key":"k","models":["m"],"transformer":{"use":\#(use)}}],"Router":{"default":"p,m"}}"#
        do {
            return try ConfigLoader(environment: [:]).load(text: Array(text.utf8)).1
        } catch {
            return error.diagnostics
        }
    }

    static func errors(_ use: String, extra: String = "") -> [ConfigDiagnostic] {
        Self.diagnostics(use, extra: extra).filter { $0.severity == .error }
    }

    @Test func validOptionsLoad() {
        let use = #"[["maxtoken", {"max_tokens": 16384}], ["sampling", {"temperature": 0.2, "top_k": 40}], ["reasoning", {"enable": false}], ["deepseek", {"max_tokens": "32768"}], ["openrouter", {"provider": {"only": ["x"]}}], "enhancetool", "tooluse"]"#
        #expect(Self.errors(use).isEmpty)
    }

    @Test func aWrongOptionIsAnErrorWithItsPath() {
        let errors = Self.errors(#"["cleancache", ["maxtoken", {"max_tokens": "lots"}], ["sampling", {"temperature": "hot"}], ["reasoning", {"enable": "yes"}]]"#)
        #expect(errors.count == 3)
        #expect(errors.contains { $0.path == "Providers[0].transformer.use[1][1]" && $0.message.contains("max_tokens must be a positive whole number") })
        #expect(errors.contains { $0.path == "Providers[0].transformer.use[2][1]" && $0.message.contains("temperature must be a number") })
        #expect(errors.contains { $0.path == "Providers[0].transformer.use[3][1]" && $0.message.contains("enable must be true or false") })
        #expect(errors.allSatisfy { $0.location != nil })
    }

    @Test func maxtokenWithoutItsOptionIsAnError() {
        let errors = Self.errors(#"["maxtoken"]"#)
        #expect(errors.count == 1)
        #expect(errors.first?.path == "Providers[0].transformer.use[0]")
        #expect(errors.first?.message.contains("needs the option max_tokens") == true)
    }

    @Test func anUnknownNameStaysAnErrorUnlessAPluginMayServeIt() {
        #expect(Self.errors(#"["my-transformer"]"#).contains { $0.message.contains("unknown transformer 'my-transformer'") })
        // A plugin whose name the config gives: checked now.
        let named = Self.diagnostics(#"["my-transformer"]"#, extra: #""transformers": [{"path": "/x/my.js", "name": "my-transformer"}],"#)
        #expect(named.isEmpty)
        // A plugin that names itself: checked when the server starts, said now.
        let unnamed = Self.diagnostics(#"["my-transformer"]"#, extra: #""transformers": [{"path": "/x/my.js", "options": {"project": "p"}}],"#)
        #expect(unnamed.count == 1 && unnamed.first?.severity == .warning)
        #expect(unnamed.first?.fix?.contains(#""name": "my-transformer""#) == true)
    }

    @Test func customTransformerEntriesAreRead() throws {
        let text = #"{"transformers": [{"path": "~/plugins/a.js", "options": {"k": 1}, "timeout_ms": 2500}, {"path": "/bin/b", "name": "b"}], "Router": {}}"#
        let (configuration, _) = try ConfigLoader(environment: [:]).load(text: Array(text.utf8))
        #expect(configuration.customTransformers == [
            CustomTransformerConfiguration(path: "~/plugins/a.js", options: ["k": 1], timeoutMilliseconds: 2500),
            CustomTransformerConfiguration(path: "/bin/b", name: "b"),
        ])
        let bad = #"{"transformers": [{"options": {}}, {"path": "/x", "name": "Anthropic"}, "y"]}"#
        do {
            _ = try ConfigLoader(environment: [:]).load(text: Array(bad.utf8))
            Issue.record("should not load")
        } catch {
            let paths = error.diagnostics.filter { $0.severity == .error }.map(\.path)
            #expect(paths == ["transformers[0].path", "transformers[1].name", "transformers[2]"])
        }
    }

    @Test func transformersOnAProviderOfAnotherWireAreSaidToDoNothing() {
        let warnings = Self.diagnostics(#"["Anthropic", ["maxtoken", {"max_tokens": 10}]]"#)
        #expect(warnings.count == 1)
        #expect(warnings.first?.severity == .warning && warnings.first?.message.contains("'maxtoken'") == true)
    }
}

@Suite("Built-in transformers: request and answer before/after")
struct BuiltInTransformerTests {
    // MARK: Token limits and sampling

    @Test func maxtokenCapsTheLimitTheRequestCarries() {
        #expect(H.request("maxtoken", #"{"max_tokens": 8192}"#, #"{"max_tokens": 32000}"#) == H.object(#"{"max_tokens": 8192}"#))
        #expect(H.request("maxtoken", #"{"max_tokens": 8192}"#, #"{"max_tokens": 100}"#) == H.object(#"{"max_tokens": 100}"#))
        #expect(H.request("maxtoken", #"{"max_tokens": 8192}"#, #"{"max_completion_tokens": 9000}"#) == H.object(#"{"max_completion_tokens": 8192}"#))
        #expect(H.request("maxtoken", #"{"max_tokens": 8192}"#, #"{"model": "m"}"#) == H.object(#"{"model": "m"}"#))
    }

    @Test func maxcompletiontokensRenamesTheLimit() {
        #expect(H.request("maxcompletiontokens", nil, #"{"model": "m", "max_tokens": 4096}"#) == H.object(#"{"model": "m", "max_completion_tokens": 4096}"#))
    }

    @Test func samplingSetsWhatItsOptionsGive() {
        let after = H.request(
            "sampling", #"{"max_tokens": 1000, "temperature": 0.6, "top_p": 0.95, "top_k": 20, "repetition_penalty": 1.05}"#,
            #"{"max_tokens": 32000, "temperature": 1, "top_p": 1}"#)
        #expect(after == H.object(#"{"max_tokens": 1000, "temperature": 0.6, "top_p": 0.95, "top_k": 20, "repetition_penalty": 1.05}"#))
        #expect(H.request("sampling", #"{"temperature": 0.1}"#, #"{"max_tokens": 5}"#) == H.object(#"{"max_tokens": 5, "temperature": 0.1}"#))
    }

    @Test func deepseekCapsAt8192OrItsOption() {
        #expect(H.request("deepseek", nil, #"{"max_tokens": 32000}"#) == H.object(#"{"max_tokens": 8192}"#))
        #expect(H.request("deepseek", #"{"max_tokens": 65536}"#, #"{"max_tokens": 32000}"#) == H.object(#"{"max_tokens": 32000}"#))
    }

    @Test func deepseekReasoningBecomesThinkingNatively() throws {
        let summary = try H.anthropic(
            H.chain([H.reference("deepseek")]),
            [
                H.chunk(#"{"role": "assistant", "reasoning_content": "Let me think."}"#), H.chunk(#"{"content": "Answer."}"#),
                H.chunk(#"{}"#, finish: "stop"),
            ])
        #expect(summary.thinking == "Let me think.")
        #expect(summary.text == "Answer.")
        #expect(summary.signatures.count == 1)
    }

    // MARK: Cache hints, custom parameters, stream options

    @Test func cleancacheRemovesEveryCacheHint() {
        let before = #"""
            {"messages": [{"role": "system", "content": [{"type": "text", "text": "s", "cache_control": {"type": "ephemeral"}}]},
                          {"role": "user", "content": "hi", "cache_control": {"type": "ephemeral"}}],
             "tools": [{"type": "function", "cache_control": {"type": "ephemeral"}, "function": {"name": "t", "parameters": {"type": "object"}}}]}
            """#
        let after = #"""
            {"messages": [{"role": "system", "content": [{"type": "text", "text": "s"}]}, {"role": "user", "content": "hi"}],
             "tools": [{"type": "function", "function": {"name": "t", "parameters": {"type": "object"}}}]}
            """#
        #expect(H.request("cleancache", nil, before) == H.object(after))
    }

    @Test func customparamsFillsInAndMergesObjects() {
        let after = H.request(
            "customparams", #"{"temperature": 0.1, "top_k": 20, "chat_template_kwargs": {"enable_thinking": true}, "extra": {"a": 1, "b": 2}}"#,
            #"{"model": "m", "temperature": 0.7, "extra": {"a": 9}}"#)
        #expect(after == H.object(#"{"model": "m", "temperature": 0.7, "extra": {"a": 9, "b": 2}, "top_k": 20, "chat_template_kwargs": {"enable_thinking": true}}"#))
    }

    @Test func streamoptionsChangesNothingBecauseUsageIsAlwaysAskedFor() throws {
        let encoded = try OpenAIChatRequestEncoder.encode(H.object(#"{"model": "m", "stream": true, "messages": [{"role": "user", "content": "hi"}]}"#), target: OpenAIChatTarget(model: "m"))
        var body = encoded.objectValue!
        H.chain([H.reference("streamoptions")]).transformRequest(&body, context: H.context())
        #expect(JSONValue.object(body) == encoded)
        #expect(body["stream_options"]?["include_usage"] == true)
    }

    // MARK: OpenRouter, Vercel, Groq, Cerebras

    @Test func openrouterMergesOptionsAndStripsCacheHintsForOtherModels() {
        let before = #"{"model": "moonshotai/kimi-k2", "messages": [{"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}], "provider": {"sort": "price"}}"#
        let after = H.request("openrouter", #"{"provider": {"only": ["moonshotai/fp8"]}}"#, before, context: H.context(model: "moonshotai/kimi-k2"))
        #expect(after == H.object(#"{"model": "moonshotai/kimi-k2", "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}], "provider": {"only": ["moonshotai/fp8"]}}"#))
    }

    @Test func openrouterGivesClaudeModelsCacheBreakpoints() {
        let anthropic = #"{"system": [{"type": "text", "text": "s", "cache_control": {"type": "ephemeral"}}], "messages": [{"role": "user", "content": "hi"}]}"#
        let before = #"{"model": "anthropic/claude-sonnet-4", "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}"#
        let after = H.request("openrouter", nil, before, context: H.context(model: "anthropic/claude-sonnet-4", anthropic: anthropic))
        let expected = #"""
            {"model": "anthropic/claude-sonnet-4", "messages": [
              {"role": "system", "content": [{"type": "text", "text": "s", "cache_control": {"type": "ephemeral"}}]},
              {"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]},
              {"role": "assistant", "content": "yo"}]}
            """#
        #expect(after == H.object(expected))
        // No caching asked for, no breakpoints.
        #expect(H.request("openrouter", nil, before, context: H.context(model: "anthropic/claude-sonnet-4")) == H.object(before))
    }

    @Test func openrouterNeverPrefixesADataURLTwice() {
        let before = #"{"model": "google/gemini-2.5-pro", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/AAA"}}, {"type": "image_url", "image_url": {"url": "/9j/BBB"}}, {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]}"#
        let after = H.request("openrouter", nil, before)
        let urls = after["messages"]?.arrayValue?.first?["content"]?.arrayValue?.compactMap { $0["image_url"]?["url"]?.stringValue }
        #expect(urls == ["data:image/jpeg;base64,/9j/AAA", "data:image/jpeg;base64,/9j/BBB", "https://x/y.png"])
    }

    @Test func openrouterMakesNumericToolIDsUniqueCallIDs() throws {
        let chain = H.chain([H.reference("openrouter")])
        let chunks = [H.chunk(H.toolCall(0, id: "0", name: "Read", arguments: #"{"file_path":"/a"}"#)), H.chunk("{}", finish: "tool_calls")]
        let out = H.stages(chain, chunks)
        #expect(H.json(out[0].jsonString())["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue?.first?["id"] == "call_genabc123_0")
        let summary = try H.anthropic(chain, chunks)
        #expect(summary.tools.map(\.id) == ["call_genabc123_0"])
        #expect(summary.tools.first?.input == H.json(#"{"file_path":"/a"}"#))
        // Ids that are not numbers are kept.
        #expect(H.stages(chain, [H.chunk(H.toolCall(0, id: "call_x", name: "Read"))]) == [H.chunk(H.toolCall(0, id: "call_x", name: "Read"))])
        // Non-streamed answers too.
        var message = H.completion(#"{"role": "assistant", "content": null, "tool_calls": [{"id": "1", "type": "function", "function": {"name": "Read", "arguments": "{}"}}]}"#, finish: "tool_calls")
        chain.transformResponse(&message, context: H.context())
        #expect(message["choices"]?.arrayValue?.first?["message"]?["tool_calls"]?.arrayValue?.first?["id"] == "call_genxyz789_1")
    }

    @Test func vercelAdaptsLikeOpenRouter() {
        let before = #"{"model": "openai/gpt-5", "messages": [{"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}]}"#
        #expect(H.request("vercel", #"{"providerOptions": {"gateway": {"order": ["azure"]}}}"#, before) == H.object(#"{"model": "openai/gpt-5", "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}], "providerOptions": {"gateway": {"order": ["azure"]}}}"#))
        #expect(H.stages(H.chain([H.reference("vercel")]), [H.chunk(H.toolCall(0, id: "7", name: "T"))]).first?["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue?.first?["id"] == "call_genabc123_7")
    }

    @Test func groqRemovesCacheHintsAndSchemaKeywordsAtAnyDepth() {
        let before = #"""
            {"messages": [{"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}],
             "tools": [{"type": "function", "function": {"name": "t", "parameters": {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
               "properties": {"$schema": {"type": "string"}, "list": {"type": "array", "items": {"$schema": "x", "type": "object"}}, "any": {"anyOf": [{"$schema": "y", "type": "string"}]}}}}}]}
            """#
        let after = #"""
            {"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
             "tools": [{"type": "function", "function": {"name": "t", "parameters": {"type": "object",
               "properties": {"$schema": {"type": "string"}, "list": {"type": "array", "items": {"type": "object"}}, "any": {"anyOf": [{"type": "string"}]}}}}}]}
            """#
        #expect(H.request("groq", nil, before) == H.object(after))
    }

    @Test func cerebrasDropsReasoningAndSetsDisableReasoningOnlyForGLM() {
        let before = #"{"model": "zai-glm-4.6", "reasoning": {"effort": "high"}}"#
        #expect(H.request("cerebras", nil, before, context: H.context(model: "zai-glm-4.6", anthropic: #"{"thinking": {"type": "adaptive"}}"#)) == H.object(#"{"model": "zai-glm-4.6", "disable_reasoning": false}"#))
        #expect(H.request("cerebras", nil, before, context: H.context(model: "zai-glm-4.6", anthropic: #"{"thinking": {"type": "disabled"}}"#)) == H.object(#"{"model": "zai-glm-4.6", "disable_reasoning": true}"#))
        #expect(H.request("cerebras", nil, #"{"model": "qwen-3-coder-480b", "reasoning": {"effort": "high"}}"#) == H.object(#"{"model": "qwen-3-coder-480b"}"#))
        #expect(
            H.request("cerebras", nil, #"{"model": "gpt-oss-120b"}"#, context: H.context(model: "gpt-oss-120b", anthropic: #"{"thinking": {"type": "enabled", "budget_tokens": 30000}}"#))
                == H.object(#"{"model": "gpt-oss-120b", "reasoning_effort": "high"}"#))
    }

    // MARK: Reasoning

    @Test func reasoningWritesTheFieldsTheEndpointTakes() {
        let enabled = #"{"thinking": {"type": "enabled", "budget_tokens": 4000}}"#
        let dashscope = H.context(model: "qwen3-235b", baseURL: "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions", anthropic: enabled)
        #expect(H.request("reasoning", nil, #"{"model": "qwen3-235b"}"#, context: dashscope) == H.object(#"{"model": "qwen3-235b", "enable_thinking": true, "thinking_budget": 4000}"#))
        let zhipu = H.context(model: "glm-4.6", baseURL: "https://open.bigmodel.cn/api/paas/v4/chat/completions", anthropic: enabled)
        #expect(H.request("reasoning", nil, #"{"model": "glm-4.6"}"#, context: zhipu) == H.object(#"{"model": "glm-4.6", "thinking": {"type": "enabled"}}"#))
        let other = H.context(model: "Qwen/Qwen3-235B-A22B-Thinking-2507", baseURL: "https://api-inference.modelscope.cn/v1/chat/completions", anthropic: enabled)
        #expect(H.request("reasoning", nil, #"{"model": "q"}"#, context: other) == H.object(#"{"model": "q", "thinking": {"type": "enabled", "budget_tokens": 4000}, "enable_thinking": true}"#))
    }

    @Test func reasoningFollowsClaudeCodeUnlessDisabledByOption() {
        let adaptive = H.context(anthropic: #"{"thinking": {"type": "adaptive"}}"#)
        #expect(H.request("reasoning", nil, "{}", context: adaptive) == H.object(#"{"thinking": {"type": "enabled"}, "enable_thinking": true}"#))
        let off = H.context(anthropic: #"{"thinking": {"type": "disabled"}}"#)
        #expect(H.request("reasoning", nil, "{}", context: off) == H.object(#"{"thinking": {"type": "disabled"}, "enable_thinking": false}"#))
        #expect(H.request("reasoning", nil, "{}", context: H.context(anthropic: "{}")) == H.object("{}"))
        #expect(H.request("reasoning", #"{"enable": false}"#, "{}", context: adaptive) == H.object(#"{"thinking": {"type": "disabled"}, "enable_thinking": false}"#))
    }

    // MARK: Forced reasoning and think tags

    @Test func forcereasoningAsksForTaggedReasoningAndRenamesEarlierOnes() {
        let before = #"{"messages": [{"role": "system", "content": "You are Claude Code."}, {"role": "user", "content": "hi"}, {"role": "assistant", "content": "<think>Greeting.</think>\nHello!"}]}"#
        let after = H.request("forcereasoning", nil, before)
        let messages = after["messages"]?.arrayValue ?? []
        #expect(messages[0]["content"]?.stringValue?.hasPrefix("You are Claude Code.\n\nBefore every answer") == true)
        #expect(messages[0]["content"]?.stringValue?.contains("<reasoning_content>") == true)
        #expect(messages[2]["content"] == "<reasoning_content>Greeting.</reasoning_content>\nHello!")
        // Without a system message, one is added.
        #expect(H.request("forcereasoning", nil, #"{"messages": [{"role": "user", "content": "hi"}]}"#)["messages"]?.arrayValue?.first?["role"] == "system")
    }

    @Test func forcereasoningTurnsTaggedReasoningIntoThinkingAcrossChunks() throws {
        let chain = H.chain([H.reference("forcereasoning")])
        let chunks = ["<reason", "ing_content>The user", " greets.</reasoning_", "content>\n\nHel", "lo!"].map { H.chunk(JSONValue.object(["content": .string($0)]).jsonString()) }
            + [H.chunk("{}", finish: "stop")]
        let texts = H.stages(chain, chunks).compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }
        #expect(texts.joined() == "<think>The user greets.</think>Hello!")
        let summary = try H.anthropic(chain, chunks)
        #expect(summary.thinking == "The user greets.")
        #expect(summary.text == "Hello!")
        // Without the transformer the tags stay in the answer.
        #expect(try H.anthropic(H.chain([]), chunks).text.contains("<reasoning_content>"))
        // Non-streamed answers too.
        var message = H.completion(#"{"role": "assistant", "content": "<reasoning_content>Hmm.</reasoning_content>Done."}"#)
        chain.transformResponse(&message, context: H.context())
        #expect(message["choices"]?.arrayValue?.first?["message"]?["content"] == "<think>Hmm.</think>Done.")
    }

    @Test func extrathinktagIsAlreadyWhatTheAdapterDoes() throws {
        let chunks = [H.chunk(#"{"content": "<thi"}"#), H.chunk(#"{"content": "nk>Plan it.</think>\n\nDone."}"#), H.chunk("{}", finish: "stop")]
        let with = try H.anthropic(H.chain([H.reference("extrathinktag")]), chunks)
        let without = try H.anthropic(H.chain([]), chunks)
        #expect(with.thinking == "Plan it." && with.text == "Done.")
        #expect(with == without)
        #expect(H.stages(H.chain([H.reference("extrathinktag")]), chunks) == chunks)
    }

    // MARK: Tool use

    static let toolRequest = #"""
        {"model": "m", "messages": [{"role": "system", "content": "You are Claude Code."}, {"role": "user", "content": "hi"}],
         "tools": [{"type": "function", "function": {"name": "Read", "parameters": {"type": "object"}}}], "tool_choice": "auto"}
        """#

    @Test func tooluseRequiresAToolAndOffersExitTool() {
        let after = H.request("tooluse", nil, Self.toolRequest)
        #expect(after["tool_choice"] == "required")
        #expect(after["tools"]?.arrayValue?.compactMap { $0["function"]?["name"]?.stringValue } == ["Read", "ExitTool"])
        #expect(after["messages"]?.arrayValue?.first?["content"]?.stringValue?.contains("<system-reminder>Tool mode is active") == true)
        #expect(after["messages"]?.arrayValue?.count == 2)
        // No tools: nothing to require, no reminder.
        #expect(H.request("tooluse", nil, #"{"messages": [{"role": "user", "content": "hi"}]}"#) == H.object(#"{"messages": [{"role": "user", "content": "hi"}]}"#))
        // A choice Claude Code made is kept.
        #expect(H.request("tooluse", nil, Self.toolRequest.replacingOccurrences(of: #""auto""#, with: #""none""#))["tool_choice"] == "none")
    }

    @Test func tooluseTurnsAnExitToolCallIntoText() throws {
        let chain = H.chain([H.reference("tooluse")])
        let chunks = [
            H.chunk(H.toolCall(0, id: "call_1", name: "ExitTool", arguments: "")), H.chunk(H.toolCall(0, arguments: #"{"response": "All do"#)),
            H.chunk(H.toolCall(0, arguments: #"ne."}"#)), H.chunk("{}", finish: "tool_calls"),
        ]
        let summary = try H.anthropic(chain, chunks)
        #expect(summary.text == "All done.")
        #expect(summary.tools.isEmpty)
        #expect(summary.stopReason == "end_turn")
        // Another tool in the same answer stays a tool call.
        let mixed = [
            H.chunk(H.toolCall(0, id: "call_1", name: "Read", arguments: #"{"file_path": "/a"}"#)),
            H.chunk(H.toolCall(1, id: "call_2", name: "ExitTool", arguments: #"{"response": "Reading."}"#)), H.chunk("{}", finish: "tool_calls"),
        ]
        let both = try H.anthropic(chain, mixed)
        #expect(both.tools.map(\.name) == ["Read"])
        #expect(both.text == "Reading.")
        #expect(both.stopReason == "tool_use")
    }

    @Test func tooluseTurnsANonStreamedExitToolCallIntoText() {
        var message = H.completion(
            #"{"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "ExitTool", "arguments": "{\"response\": \"Bye.\"}"}}]}"#,
            finish: "tool_calls")
        H.chain([H.reference("tooluse")]).transformResponse(&message, context: H.context())
        #expect(message["choices"] == H.json(#"[{"index": 0, "message": {"role": "assistant", "content": "Bye."}, "finish_reason": "stop"}]"#))
    }

    // MARK: Enhanced tool arguments

    @Test func enhancetoolHoldsOnlyArgumentsAndSendsThemRepairedWhenTheCallEnds() throws {
        let chain = H.chain([H.reference("enhancetool")])
        let chunks = [
            H.chunk(#"{"role": "assistant", "content": "Let me look."}"#),
            H.chunk(H.toolCall(0, id: "call_1", name: "Read", arguments: "{file_path: 'src/a.swift',")),
            H.chunk(H.toolCall(0, arguments: " limit: 20,}")),
            H.chunk(H.toolCall(1, id: "call_2", name: "Grep", arguments: #"{"pattern": "TODO", "path": "sr"#)),
            H.chunk("{}", finish: "tool_calls"),
        ]
        var pipeline = chain.makeStreamPipeline(context: H.context())
        // Text passes at once.
        #expect(pipeline.feed(chunks[0]) == [chunks[0]])
        // The call starts at once, without its arguments.
        let start = pipeline.feed(chunks[1])
        #expect(start.count == 1)
        #expect(start[0]["choices"]?.arrayValue?.first?["delta"]?["tool_calls"] == H.json(#"[{"index": 0, "id": "call_1", "type": "function", "function": {"name": "Read"}}]"#))
        #expect(pipeline.feed(chunks[2]).isEmpty)
        // The next call ends the first: its arguments come out repaired, then the second starts.
        let next = pipeline.feed(chunks[3])
        #expect(next.count == 2)
        #expect(next[0]["choices"]?.arrayValue?.first?["delta"]?["tool_calls"] == H.json(#"[{"index": 0, "function": {"arguments": "{\"file_path\":\"src/a.swift\",\"limit\":20}"}}]"#))
        let end = pipeline.feed(chunks[4]) + pipeline.finish()
        #expect(end.count == 2)
        #expect(OpenAIChatTestAccess.finishReason(end[1]) == "tool_calls")

        let summary = try H.anthropic(chain, chunks)
        #expect(summary.text == "Let me look.")
        #expect(summary.tools.map(\.input) == [H.json(#"{"file_path": "src/a.swift", "limit": 20}"#), H.json(#"{"pattern": "TODO", "path": "sr"}"#)])
        #expect(summary.stopReason == "tool_use")
        // Without it, Claude Code would get arguments it cannot parse.
        #expect(throws: AnthropicStreamValidator.Violation.self) { try H.anthropic(H.chain([]), chunks) }
    }

    @Test func enhancetoolRepairsNonStreamedArguments() {
        var message = H.completion(
            #"{"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "Bash", "arguments": "{'command': 'ls', }"}}]}"#,
            finish: "tool_calls")
        H.chain([H.reference("enhancetool")]).transformResponse(&message, context: H.context())
        #expect(message["choices"]?.arrayValue?.first?["message"]?["tool_calls"]?.arrayValue?.first?["function"]?["arguments"] == #"{"command":"ls"}"#)
    }
}

/// Small readers for assertions.
enum OpenAIChatTestAccess {
    static func finishReason(_ chunk: JSONValue) -> String? {
        chunk["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue
    }
}

@Suite("Transformers: tool argument repair")
struct TransformerToolArgumentsRepairTests {
    @Test(arguments: [
        (#"{"a": 1}"#, #"{"a": 1}"#),  // valid JSON is kept byte for byte
        ("", "{}"),
        ("{'path': 'a.txt'}", #"{"path":"a.txt"}"#),
        ("{path: \"a\", n: 2,}", #"{"path":"a","n":2}"#),
        ("{\"a\": [1, 2,], }", #"{"a":[1,2]}"#),
        ("```json\n{\"a\": 1}\n```", #"{"a":1}"#),
        (#""{\"a\": 1}""#, #"{"a":1}"#),  // encoded twice
        (#"{"command": "ls -la", "description": "List fi"#, #"{"command":"ls -la","description":"List fi"}"#),
        (#"{"a": {"b": [1, 2"#, #"{"a":{"b":[1,2]}}"#),
        (#"{"a": 1, "b"#, #"{"a":1}"#),
        (#"{"a": 1, "b": "#, #"{"a":1}"#),
        (#"{"a": tr"#, #"{"a":true}"#),
        (#"{"a": 12."#, #"{"a":12}"#),
        (#"{"text": "line\"#, #"{"text":"line"}"#),
        ("not json at all", #"{"raw":"not json at all"}"#),
    ])
    func repairs(input: String, expected: String) {
        #expect(ToolArgumentsRepair.repair(input) == expected)
    }
}

@Suite("Transformers: the seeds' config examples load and route")
struct TransformerSeedConfigTests {
    static func text(_ name: String) -> String {
        try! String(contentsOf: Fixtures.root.appendingPathComponent("seed-configs/\(name)"), encoding: .utf8)
    }

    static func load(_ text: String, env: [String: String]) throws(ConfigError) -> (CCRConfiguration, [ConfigDiagnostic]) {
        try ConfigLoader(environment: env).load(text: Array(text.utf8))
    }

    static let claudeCodeTurn = #"{"model": "claude-sonnet-4-5", "max_tokens": 1024, "stream": true, "messages": [{"role": "user", "content": "hello"}]}"#

    /// Routes a plain Claude Code turn.
    static func defaultRoute(_ configuration: CCRConfiguration) async throws -> RouteTarget {
        let router = RequestRouter(configuration: configuration, countTokens: { _ in 100 })
        return try await router.route(body: H.object(Self.claudeCodeTurn), headers: [:]).decision.target
    }

    static let environment = [
        "OPENAI_API_KEY": "sk-openai", "GEMINI_API_KEY": "g", "MODELSCOPE_API_KEY": "ms", "DASHSCOPE_API_KEY": "ds", "OPENROUTER_API_KEY": "or",
        "DEEPSEEK_API_KEY": "dk", "SILICONFLOW_API_KEY": "sf",
    ]

    @Test(arguments: [
        ("seed-002-comprehensive.json", "deepseek,deepseek-chat"),
        ("seed-002-env-vars.json", "openai,gpt-5"),
        ("seed-002-transformer-snippets.json", "siliconflow,moonshotai/Kimi-K2-Instruct"),
        ("seed-004-readme-zh-snippets.json", "deepseek,deepseek-chat"),
    ])
    func loadsAndRoutesToItsDefault(file: String, target: String) async throws {
        let (configuration, warnings) = try Self.load(Self.text(file), env: Self.environment)
        #expect(try await Self.defaultRoute(configuration).description == target)
        // The only warnings: keys the original has and ccr does not use.
        #expect(warnings.allSatisfy { $0.path == "GEMINI_API_KEY" || $0.path == "transformers[0]" || $0.message.contains("gemini") }, "\(warnings)")
    }

    @Test func theComprehensiveExampleBuildsEveryChain() throws {
        let (configuration, _) = try Self.load(Self.text("seed-002-comprehensive.json"), env: Self.environment)
        let deepseek = try #require(configuration.provider(named: "deepseek"))
        #expect(TransformerChain(provider: deepseek, model: "deepseek-chat").requestSteps.map(\.name) == ["deepseek", "tooluse"])
        #expect(TransformerChain(provider: deepseek, model: "deepseek-reasoner").requestSteps.map(\.name) == ["deepseek"])
        let modelscope = try #require(configuration.provider(named: "modelscope"))
        #expect(modelscope.apiKey == "ms")
        let thinking = TransformerChain(provider: modelscope, model: "Qwen/Qwen3-235B-A22B-Thinking-2507")
        #expect(thinking.requestSteps.map(\.name) == ["maxtoken", "enhancetool", "reasoning"])
        #expect(thinking.responseSteps.map(\.name) == ["enhancetool", "maxtoken", "reasoning"])
        // The gemini provider's chain is its wire, not a transformer step.
        let gemini = try #require(configuration.provider(named: "gemini"))
        #expect(TransformerChain(provider: gemini, model: "gemini-2.5-pro").isEmpty)
        #expect(configuration.router.routes[.webSearch]?.description == "gemini,gemini-2.5-flash")
    }

    @Test func theSnippetsCarryTheirOptionsAndTheCustomTransformer() throws {
        let (configuration, _) = try Self.load(Self.text("seed-002-transformer-snippets.json"), env: [:])
        #expect(configuration.customTransformers == [CustomTransformerConfiguration(path: "/User/xxx/.claude-code-router/plugins/gemini-cli.js", options: ["project": "xxx"])])
        let openrouter = try #require(configuration.provider(named: "openrouter"))
        var body = H.object(#"{"model": "moonshotai/kimi-k2", "messages": []}"#)
        TransformerChain(provider: openrouter, model: "moonshotai/kimi-k2").transformRequest(&body, context: H.context(model: "moonshotai/kimi-k2"))
        #expect(body["provider"] == H.json(#"{"only": ["moonshotai/fp8"]}"#))
        let siliconflow = try #require(configuration.provider(named: "siliconflow"))
        var limited = H.object(#"{"max_tokens": 32000}"#)
        TransformerChain(provider: siliconflow, model: "moonshotai/Kimi-K2-Instruct").transformRequest(&limited, context: H.context())
        #expect(limited["max_tokens"] == 16384)
    }

    @Test func theForksBasicExampleNeedsTheProviderItRoutesTo() async throws {
        let text = Self.text("seed-003-basic.json")
        do {
            _ = try Self.load(text, env: [:])
            Issue.record("Router.background names a provider the example does not define")
        } catch {
            let errors = error.diagnostics.filter { $0.severity == .error }
            #expect(errors.map(\.path) == ["Router.background"])
            #expect(errors.first?.message.contains("no provider named 'ollama'") == true)
        }
        // With the ollama provider of the original's README it loads and routes.
        var document = H.object(text)
        document.editArray("Providers") {
            $0.append(H.json(#"{"name": "ollama", "api_base_url": "http://localhost:11434/v1/chat/completions", "api_key": "ollama", "models": ["qwen2.5-coder:latest"]}"#))
        }
        let (configuration, _) = try Self.load(JSONValue.object(document).jsonString(), env: [:])
        #expect(try await Self.defaultRoute(configuration).description == "deepseek,deepseek-chat")
        #expect(configuration.effectiveHost == "0.0.0.0")  // HOST with APIKEY
    }
}
