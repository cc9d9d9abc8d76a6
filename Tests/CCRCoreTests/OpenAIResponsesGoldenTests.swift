import CCRCore
import CCRTestSupport
import Foundation
import Testing

/// Every recorded OpenAI Responses answer (OpenAI, OpenRouter, xAI, DeepSeek) converted to
/// Anthropic: the stream passes the strict validator, and text, thinking, tool inputs, stop reason
/// and usage are what the recording says the model produced; the reasoning's encrypted content
/// goes back to the provider on the next turn.
@Suite("OpenAI Responses recordings → Anthropic")
struct OpenAIResponsesGoldenTests {
    static let cases = Fixtures.providerCases(wire: "openai-responses")

    /// What converting a recorded stream gave.
    typealias Outcome = Fixtures.StreamOutcome

    @Test func everyResponsesRecordingIsCovered() {
        let providers = Set(Self.cases.map { String($0.id.dropFirst("shared:".count).prefix { $0 != "/" }) })
        for provider in ["openai-responses", "openrouter", "xai", "deepseek"] {
            #expect(providers.contains(provider), "no recording for \(provider)")
        }
        #expect(Self.cases.count == 25)
    }

    /// Feeds the recorded bytes in pieces of `chunkSize` (0 = as recorded).
    static func convertStream(_ body: [UInt8], chunkSize: Int) -> Outcome {
        let converter = OpenAIResponsesStreamConverter(messageID: "msg_test", model: "test-model", inputTokenEstimate: 100)
        return Fixtures.convertStream(body, chunkSize: chunkSize, with: converter)
    }

    /// The Anthropic message a recording converts to (streams assembled).
    static func message(of recorded: Fixtures.ProviderCase) throws -> JSONValue {
        if !recorded.stream {
            return try OpenAIResponsesResponseDecoder.message(from: JSONParser.parse(recorded.body), messageID: "msg_test", model: "test-model")
        }
        guard case .stream(let bytes) = Self.convertStream(recorded.body, chunkSize: 0) else {
            throw AnthropicError(status: 502, kind: .api, message: "\(recorded.id) failed")
        }
        var accumulator = AnthropicMessageAccumulator()
        accumulator.feed(bytes)
        return accumulator.result
    }

    @Test(arguments: cases.filter { $0.status < 400 && $0.stream })
    func streamsConvertToValidAnthropicStreams(_ recorded: Fixtures.ProviderCase) throws {
        for chunkSize in [0, 1, 7] {
            let output: [UInt8]
            switch Self.convertStream(recorded.body, chunkSize: chunkSize) {
            case .failedBeforeContent(let error):
                // Only a recording of a failure may fail, and then with the provider's message.
                let message = try #require(recorded.expect["error"]?["message"]?.stringValue, "\(recorded.id) failed: \(error.message)")
                #expect(error.message.contains(String(message.prefix(40))), "\(recorded.id): \(error.message)")
                continue
            case .stream(let bytes):
                output = bytes
            }
            guard let summary = Fixtures.expectedStreamSummary(output, of: recorded, chunkSize: chunkSize) else { continue }
            Fixtures.check(summary, against: recorded.expect, case: recorded.id)
            #expect(summary.signatures.allSatisfy { OpenAIResponsesReasoningSignature(decoding: $0) != nil }, "\(recorded.id) signatures")
        }
    }

    @Test(arguments: cases.filter { $0.status < 400 && !$0.stream })
    func messagesConvertToValidAnthropicMessages(_ recorded: Fixtures.ProviderCase) throws {
        let message = try Self.message(of: recorded)
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

    /// Every `encrypted_content` of the recording's reasoning items.
    static func encryptedContents(of recorded: Fixtures.ProviderCase) -> [String] {
        var found: [String] = []
        func items(_ value: JSONValue) {
            if value["type"] == "response.output_item.done", let item = value["item"], item["type"] == "reasoning",
                let encrypted = item["encrypted_content"]?.stringValue
            {
                found.append(encrypted)
            }
        }
        if recorded.stream {
            var decoder = SSEDecoder()
            for event in decoder.feed(recorded.body) {
                if let value = try? JSONParser.parse(event.data) { items(value) }
            }
        } else if let response = try? JSONParser.parse(recorded.body) {
            for item in response["output"]?.arrayValue ?? [] where item["type"] == "reasoning" {
                if let encrypted = item["encrypted_content"]?.stringValue { found.append(encrypted) }
            }
        }
        return found
    }

    /// Claude Code's next request: the converted answer as the assistant turn, a result for each
    /// tool call.
    static func nextRequest(after message: JSONValue, results: [String]) -> JSONObject {
        let blocks = message["content"]?.arrayValue ?? []
        let uses = blocks.filter { $0["type"] == "tool_use" }
        var user: [JSONValue] = uses.enumerated().map { position, use in
            ["type": "tool_result", "tool_use_id": use["id"] ?? "", "content": .string(position < results.count ? results[position] : "ok")]
        }
        if user.isEmpty { user = [["type": "text", "text": "Continue."]] }
        return [
            "model": "x", "max_tokens": 1000, "stream": true,
            "messages": [["role": "user", "content": "start"], ["role": "assistant", "content": .array(blocks)], ["role": "user", "content": .array(user)]],
        ]
    }

    @Test(arguments: cases.filter { $0.status < 400 && !encryptedContents(of: $0).isEmpty })
    func theNextRequestCarriesTheEncryptedReasoningBack(_ recorded: Fixtures.ProviderCase) throws {
        let message = try Self.message(of: recorded)
        let results = (recorded.followup?["results"]?.arrayValue ?? []).compactMap(\.stringValue)
        let next = Self.nextRequest(after: message, results: results)
        let encoded = try OpenAIResponsesRequestEncoder.encode(next, target: OpenAIResponsesTarget(model: "gpt-5", isReasoningModel: true))
        let input = encoded["input"]?.arrayValue ?? []
        let sent = input.filter { $0["type"] == "reasoning" }.compactMap { $0["encrypted_content"]?.stringValue }
        #expect(sent == Self.encryptedContents(of: recorded), "\(recorded.id)")
        #expect(encoded["include"] == ["reasoning.encrypted_content"])
        #expect(encoded["store"] == false)
        // Each reasoning item goes right before the item it led to, and every call has its output.
        for (position, item) in input.enumerated() where item["type"] == "reasoning" {
            let following = position + 1 < input.count ? input[position + 1] : .null
            #expect(following["type"] == "function_call" || following["role"] == "assistant", "\(recorded.id): reasoning followed by \(following.jsonString())")
        }
        let calls = input.filter { $0["type"] == "function_call" }.compactMap { $0["call_id"]?.stringValue }
        let outputs = input.filter { $0["type"] == "function_call_output" }.compactMap { $0["call_id"]?.stringValue }
        #expect(calls == outputs)
    }

    @Test func theRecordedFollowUpGetsItsEncryptedContentBack() throws {
        // The recording's own turn 2 (pydantic-ai): what its client sent back, ccr sends back too.
        let first = try #require(Self.cases.first { $0.id.hasSuffix("thinking_with_tool_calls.yaml#0") })
        let wanted = (first.followup?["atoms"]?.arrayValue ?? []).filter { $0.arrayValue?.first == "encrypted_content" }.compactMap { $0.arrayValue?.last?.stringValue }
        #expect(wanted.count == 1)
        let message = try Self.message(of: first)
        let encoded = try OpenAIResponsesRequestEncoder.encode(
            Self.nextRequest(after: message, results: ["plan updated"]), target: OpenAIResponsesTarget(model: "gpt-5", isReasoningModel: true))
        let input = encoded["input"]?.arrayValue ?? []
        let reasoning = try #require(input.first { $0["type"] == "reasoning" })
        #expect(reasoning["encrypted_content"]?.stringValue == wanted.first)
        #expect(reasoning["id"] == "rs_68c42d29124881968e24c1ca8c1fc7860e8bc41441c948f6")
        #expect(reasoning["summary"]?.arrayValue?.first?["text"]?.stringValue?.hasPrefix("**Creating a structured poem**") == true)
        #expect(input.map { $0["type"]?.stringValue ?? $0["role"]?.stringValue ?? "" } == ["user", "reasoning", "function_call", "function_call_output"])
        #expect(input[2]["call_id"] == "call_gL7JE6GDeGGsFubqO2XGytyO")
        #expect(input[3]["output"] == "plan updated")
    }

    // MARK: - Event handling beyond the recordings

    static func events(_ events: [JSONValue]) -> [UInt8] {
        Array(events.map { "event: \($0["type"]?.stringValue ?? "")\ndata: \($0.jsonString())\n\n" }.joined().utf8)
    }

    static let created: JSONValue = ["type": "response.created", "response": ["id": "resp_1", "model": "gpt-5-test", "status": "in_progress", "output": []]]

    static func completed(status: String = "completed", reason: String? = nil, output: [JSONValue] = []) -> JSONValue {
        var response: JSONObject = [
            "id": "resp_1", "model": "gpt-5-test", "status": .string(status), "output": .array(output),
            "usage": ["input_tokens": 120, "input_tokens_details": ["cached_tokens": 100], "output_tokens": 30, "output_tokens_details": ["reasoning_tokens": 20]],
        ]
        if let reason { response["incomplete_details"] = ["reason": .string(reason)] }
        return ["type": .string(status == "completed" ? "response.completed" : "response.incomplete"), "response": .object(response)]
    }

    @Test func reasoningWithToolCallsStreamsThinkingSignedWithTheItem() throws {
        let body = Self.events([
            Self.created,
            ["type": "response.output_item.added", "output_index": 0, "item": ["id": "rs_1", "type": "reasoning", "summary": []]],
            ["type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0, "summary_index": 0, "delta": "Plan "],
            ["type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0, "summary_index": 0, "delta": "one."],
            ["type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0, "summary_index": 1, "delta": "Plan two."],
            ["type": "response.output_item.done", "output_index": 0, "item": ["id": "rs_1", "type": "reasoning", "encrypted_content": "ENC-1", "summary": []]],
            ["type": "response.output_item.added", "output_index": 1, "item": ["id": "fc_1", "type": "function_call", "call_id": "call_a", "name": "Bash", "arguments": ""]],
            ["type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 1, "delta": "{\"command\":"],
            ["type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 1, "delta": "\"ls\"}"],
            ["type": "response.function_call_arguments.done", "item_id": "fc_1", "output_index": 1, "arguments": "{\"command\":\"ls\"}"],
            ["type": "response.output_item.done", "output_index": 1, "item": ["id": "fc_1", "type": "function_call", "call_id": "call_a", "name": "Bash", "arguments": "{\"command\":\"ls\"}"]],
            ["type": "response.output_item.added", "output_index": 2, "item": ["id": "fc_2", "type": "function_call", "call_id": "call_b", "name": "Read", "arguments": ""]],
            // No deltas: the arguments arrive only with the item.
            ["type": "response.output_item.done", "output_index": 2, "item": ["id": "fc_2", "type": "function_call", "call_id": "call_b", "name": "Read", "arguments": "{\"file_path\":\"/a\"}"]],
            Self.completed(),
        ])
        guard case .stream(let output) = Self.convertStream(body, chunkSize: 5) else {
            Issue.record("the stream failed")
            return
        }
        let summary = try AnthropicStreamValidator.validate(output)
        #expect(summary.thinking == "Plan one.\n\nPlan two.")
        #expect(summary.tools.map(\.id) == ["call_a", "call_b"])
        #expect(summary.tools.map(\.input) == [["command": "ls"], ["file_path": "/a"]])
        #expect(summary.stopReason == "tool_use")
        #expect(summary.model == "gpt-5-test")
        #expect(summary.usage?["input_tokens"] == 20)
        #expect(summary.usage?["cache_read_input_tokens"] == 100)
        #expect(summary.usage?["output_tokens"] == 30)
        let signature = try #require(summary.signatures.first.flatMap(OpenAIResponsesReasoningSignature.init(decoding:)))
        #expect(signature == OpenAIResponsesReasoningSignature(itemID: "rs_1", encryptedContent: "ENC-1"))
    }

    @Test func anIncompleteResponseStopsAtMaxTokens() throws {
        let body = Self.events([
            Self.created,
            ["type": "response.output_item.added", "output_index": 0, "item": ["id": "msg_1", "type": "message", "role": "assistant", "content": []]],
            ["type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": "Half an ans"],
            Self.completed(status: "incomplete", reason: "max_output_tokens"),
        ])
        guard case .stream(let output) = Self.convertStream(body, chunkSize: 0) else {
            Issue.record("the stream failed")
            return
        }
        let summary = try AnthropicStreamValidator.validate(output)
        #expect(summary.text == "Half an ans")
        #expect(summary.stopReason == "max_tokens")
    }

    @Test func aFailureAfterContentClosesBlocksThenSendsAnErrorEvent() throws {
        let body = Self.events([
            Self.created,
            ["type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": "Partial"],
            ["type": "response.failed", "response": ["id": "resp_1", "status": "failed", "error": ["code": "server_error", "message": "The server had an error"]]],
        ])
        guard case .stream(let output) = Self.convertStream(body, chunkSize: 0) else {
            Issue.record("the stream failed before content")
            return
        }
        let summary = try AnthropicStreamValidator.validate(output)
        #expect(summary.text == "Partial")
        #expect(summary.endedWithError?["message"]?.stringValue?.contains("The server had an error") == true)
    }

    @Test func errorsBeforeContentBecomeHTTPErrorsWithAFittingStatus() {
        let rateLimited = Self.events([Self.created, ["type": "error", "code": "rate_limit_exceeded", "message": "slow down", "param": nil]])
        guard case .failedBeforeContent(let error) = Self.convertStream(rateLimited, chunkSize: 3) else {
            Issue.record("an error before content must fail the request")
            return
        }
        #expect(error.status == 429)
        #expect(error.kind == .rateLimit)
        guard case .failedBeforeContent(let empty) = Self.convertStream(Self.events([Self.created]), chunkSize: 0) else {
            Issue.record("an empty stream must fail the request")
            return
        }
        #expect(empty.status == 502)
        // Cut off after content: an error event, never a stream without message_stop.
        let cut = Self.events([Self.created, ["type": "response.output_text.delta", "item_id": "m", "output_index": 0, "delta": "Hi"]])
        guard case .stream(let output) = Self.convertStream(cut, chunkSize: 0), let summary = try? AnthropicStreamValidator.validate(output) else {
            Issue.record("a cut stream must still be valid")
            return
        }
        #expect(summary.endedWithError != nil)
    }

    @Test func hostedWebSearchBecomesServerToolBlocks() throws {
        let body = Self.events([
            Self.created,
            ["type": "response.output_item.added", "output_index": 0, "item": ["id": "ws_1", "type": "web_search_call", "status": "in_progress"]],
            [
                "type": "response.output_item.done", "output_index": 0,
                "item": ["id": "ws_1", "type": "web_search_call", "status": "completed", "action": ["type": "search", "query": "swift 6.3", "sources": [["type": "url", "url": "https://swift.org"]]]],
            ],
            ["type": "response.output_item.done", "output_index": 1, "item": ["id": "ws_2", "type": "web_search_call", "action": ["type": "open_page", "url": "https://swift.org"]]],
            ["type": "response.output_text.delta", "item_id": "msg_1", "output_index": 2, "delta": "Swift 6.3 is out."],
            Self.completed(),
        ])
        guard case .stream(let output) = Self.convertStream(body, chunkSize: 0) else {
            Issue.record("the stream failed")
            return
        }
        let summary = try AnthropicStreamValidator.validate(output)
        #expect(summary.text == "Swift 6.3 is out.")
        #expect(summary.stopReason == "end_turn")
        var accumulator = AnthropicMessageAccumulator()
        accumulator.feed(output)
        let blocks = accumulator.result["content"]?.arrayValue ?? []
        #expect(blocks.map { $0["type"]?.stringValue ?? "" } == ["server_tool_use", "web_search_tool_result", "text"])
        #expect(blocks.first?["input"] == ["query": "swift 6.3"])
        #expect(blocks[1]["tool_use_id"] == "ws_1")
        #expect(blocks[1]["content"]?.arrayValue?.first?["url"] == "https://swift.org")
    }

    @Test func aWholeResponseObjectInsteadOfAStreamConvertsToo() throws {
        let response = Self.completed(output: [
            ["id": "rs_9", "type": "reasoning", "summary": [["type": "summary_text", "text": "Short."]], "encrypted_content": "ENC-9"],
            ["id": "msg_9", "type": "message", "role": "assistant", "content": [["type": "output_text", "text": "Done.", "annotations": []]]],
        ])["response"] ?? .null
        var converter = OpenAIResponsesStreamConverter(messageID: "m", model: "x", inputTokenEstimate: 1)
        #expect(converter.consume(chunk: response) == .finished)
        let summary = try AnthropicStreamValidator.validate(converter.takeOutput())
        #expect(summary.thinking == "Short.")
        #expect(summary.text == "Done.")
        let message = try OpenAIResponsesResponseDecoder.message(from: response, messageID: "m", model: "x")
        let decoded = try AnthropicStreamValidator.validateMessage(message)
        #expect(decoded.signatures.first.flatMap(OpenAIResponsesReasoningSignature.init(decoding:))?.encryptedContent == "ENC-9")
        #expect(message["usage"]?["cache_read_input_tokens"] == 100)
    }
}
