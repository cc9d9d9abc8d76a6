import CCRCore
import CCRTestSupport
import Foundation
import Testing

/// Every recorded OpenAI-compatible response (OpenAI, DeepSeek, Groq, Mistral, OpenRouter,
/// Together, Ollama, Qwen, GLM, xAI, Cerebras, Azure) converted to Anthropic: the stream passes
/// the strict validator, and text, thinking, tool inputs, stop reason and usage are what the
/// recording says the model produced.
@Suite("OpenAI Chat recordings → Anthropic")
struct OpenAIChatGoldenTests {
    static let cases = Fixtures.providerCases(wire: "openai-chat")

    @Test func everyOpenAICompatibleProviderIsCovered() {
        let providers = Set(Self.cases.map { String($0.id.dropFirst("shared:".count).prefix { $0 != "/" }) })
        for provider in ["openai-chat", "deepseek", "groq", "mistral", "openrouter", "together", "ollama", "qwen-dashscope", "zhipu-glm", "xai", "cerebras", "azure-openai"] {
            #expect(providers.contains(provider), "no recording for \(provider)")
        }
        #expect(Self.cases.count >= 70)
    }

    /// Feeds the recorded bytes in pieces of `chunkSize` (0 = as recorded).
    static func convertStream(_ body: [UInt8], chunkSize: Int) -> [UInt8] {
        let converter = OpenAIChatStreamConverter(messageID: "msg_test", model: "test-model", inputTokenEstimate: 100)
        return Fixtures.convertStream(body, chunkSize: chunkSize, with: converter).bytes
    }

    @Test(arguments: cases.filter { $0.status < 400 && $0.stream })
    func streamsConvertToValidAnthropicStreams(_ recorded: Fixtures.ProviderCase) throws {
        for chunkSize in [0, 1, 7] {
            let output = Self.convertStream(recorded.body, chunkSize: chunkSize)
            guard let summary = Fixtures.expectedStreamSummary(output, of: recorded, chunkSize: chunkSize) else { continue }
            Fixtures.check(summary, against: recorded.expect, case: recorded.id)
        }
    }

    @Test(arguments: cases.filter { $0.status < 400 && !$0.stream })
    func messagesConvertToValidAnthropicMessages(_ recorded: Fixtures.ProviderCase) throws {
        let response = try JSONParser.parse(recorded.body)
        let message = try OpenAIChatResponseDecoder.message(from: response, messageID: "msg_test", model: "test-model")
        let summary = try AnthropicStreamValidator.validateMessage(message)
        Fixtures.check(summary, against: recorded.expect, case: recorded.id)
    }

    @Test(arguments: cases.filter { $0.status >= 400 })
    func httpErrorsBecomeAnthropicErrorsWithTheSameStatus(_ recorded: Fixtures.ProviderCase) throws {
        let error = AnthropicError.fromUpstream(status: recorded.status, body: recorded.body, provider: "p", model: "m")
        #expect(error.status == recorded.status)
        let body = try JSONParser.parse(error.body)
        #expect(body["type"] == "error")
        if let message = recorded.expect["error"]?["message"]?.stringValue, !message.isEmpty {
            #expect(error.message.contains(String(message.prefix(40))), "\(recorded.id): \(error.message)")
        }
    }

    @Test func aReasoningContentTurnGoesBackAsReasoningContent() throws {
        // A DeepSeek-style stream: reasoning, then a tool call.
        let chunks = [
            #"{"choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"Need the "}}]}"#,
            #"{"choices":[{"index":0,"delta":{"reasoning_content":"weather."}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\"city\":"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":"tool_calls"}]}"#,
            #"{"choices":[],"usage":{"prompt_tokens":50,"completion_tokens":9,"prompt_cache_hit_tokens":32}}"#,
        ]
        let body = Array((chunks.map { "data: \($0)\n\n" }.joined() + "data: [DONE]\n\n").utf8)
        var accumulator = AnthropicMessageAccumulator()
        accumulator.feed(Self.convertStream(body, chunkSize: 3))
        let message = accumulator.result
        let blocks = message["content"]?.arrayValue ?? []
        #expect(blocks.map { $0["type"]?.stringValue ?? "" } == ["thinking", "tool_use"])
        #expect(message["usage"]?["cache_read_input_tokens"] == 32)
        #expect(message["usage"]?["input_tokens"] == 18)
        // Claude Code sends the assistant turn back; the provider gets its reasoning_content again.
        let next: JSONObject = [
            "model": "x", "max_tokens": 100,
            "messages": [
                ["role": "user", "content": "weather in Paris?"],
                ["role": "assistant", "content": .array(blocks)],
                ["role": "user", "content": [["type": "tool_result", "tool_use_id": "call_1", "content": "sunny"]]],
            ],
        ]
        let encoded = try OpenAIChatRequestEncoder.encode(next, target: OpenAIChatTarget(model: "deepseek-chat"))
        let assistant = encoded["messages"]?.arrayValue?[1]
        #expect(assistant?["reasoning_content"] == "Need the weather.")
        #expect(assistant?["tool_calls"]?.arrayValue?.first?["function"]?["arguments"] == #"{"city":"Paris"}"#)
        #expect(encoded["messages"]?.arrayValue?[2]["role"] == "tool")
    }

    @Test func openRouterReasoningDetailsSurviveTheRoundTrip() throws {
        let chunks = [
            #"{"choices":[{"index":0,"delta":{"reasoning":"Think","reasoning_details":[{"type":"reasoning.text","text":"Think","index":0,"format":"anthropic-claude-v1"}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"reasoning":"ing.","reasoning_details":[{"type":"reasoning.text","text":"ing.","index":0,"signature":"sig-abc"}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"Answer."},"finish_reason":"stop"}]}"#,
        ]
        let body = Array((chunks.map { "data: \($0)\n\n" }.joined() + "data: [DONE]\n\n").utf8)
        let output = Self.convertStream(body, chunkSize: 0)
        let summary = try AnthropicStreamValidator.validate(output)
        #expect(summary.thinking == "Thinking.")
        #expect(summary.text == "Answer.")
        var accumulator = AnthropicMessageAccumulator()
        accumulator.feed(output)
        let blocks = accumulator.result["content"]?.arrayValue ?? []
        let next: JSONObject = ["model": "x", "messages": [["role": "user", "content": "q"], ["role": "assistant", "content": .array(blocks)], ["role": "user", "content": "more"]]]
        let encoded = try OpenAIChatRequestEncoder.encode(next, target: OpenAIChatTarget(model: "anthropic/claude"))
        let details = encoded["messages"]?.arrayValue?[1]["reasoning_details"]?.arrayValue
        #expect(details?.count == 1)
        #expect(details?.first?["text"] == "Thinking.")
        #expect(details?.first?["signature"] == "sig-abc")
        #expect(details?.first?["format"] == "anthropic-claude-v1")
    }

    @Test func thinkTagsSplitAcrossChunksBecomeAThinkingBlock() throws {
        let pieces = ["<thi", "nk>plan ", "it</th", "ink>\n\nDone", " now."]
        let chunks = pieces.map { #"{"choices":[{"index":0,"delta":{"content":\#(JSONValue.string($0).jsonString())}}]}"# }
            + [#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#]
        let body = Array((chunks.map { "data: \($0)\n\n" }.joined() + "data: [DONE]\n\n").utf8)
        let summary = try AnthropicStreamValidator.validate(Self.convertStream(body, chunkSize: 0))
        #expect(summary.thinking == "plan it")
        #expect(summary.text == "Done now.")
    }

    @Test func textAfterAToolGetsANewBlockNeverIndexMinusOne() throws {
        let chunks = [
            #"{"choices":[{"index":0,"delta":{"content":"Let me check."}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{}"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"g","arguments":"{\"x\":1}"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"Both started."},"finish_reason":"tool_calls"}]}"#,
        ]
        let body = Array((chunks.map { "data: \($0)\n\n" }.joined() + "data: [DONE]\n\n").utf8)
        let output = Self.convertStream(body, chunkSize: 0)
        let summary = try AnthropicStreamValidator.validate(output)
        #expect(summary.text == "Let me check.Both started.")
        #expect(summary.tools.map(\.name) == ["f", "g"])
        #expect(summary.stopReason == "tool_use")
        #expect(!String(decoding: output, as: UTF8.self).contains("\"index\":-1"))
    }

    @Test func anEmptyStreamIsAnErrorBeforeAnythingIsSent() {
        var converter = OpenAIChatStreamConverter(messageID: "m", model: "x", inputTokenEstimate: 1)
        _ = converter.consume(SSEEvent(event: nil, data: Array(#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#.utf8)))
        guard case .failedBeforeContent(let error) = converter.finish() else {
            Issue.record("an empty stream must fail before content")
            return
        }
        #expect(error.status == 502)
        #expect(converter.takeOutput().isEmpty)
    }

    @Test func anErrorMidStreamClosesBlocksThenSendsAnErrorEvent() throws {
        let chunks = [
            #"{"choices":[{"index":0,"delta":{"content":"Partial"}}]}"#,
            #"{"error":{"message":"upstream overloaded","code":502}}"#,
        ]
        let body = Array(chunks.map { "data: \($0)\n\n" }.joined().utf8)
        let summary = try AnthropicStreamValidator.validate(Self.convertStream(body, chunkSize: 0))
        #expect(summary.text == "Partial")
        #expect(summary.endedWithError?["message"]?.stringValue?.contains("upstream overloaded") == true)
    }
}
