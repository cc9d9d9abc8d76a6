import CCRCore
import CCRTestSupport
import Foundation
import Testing

/// Every recorded Gemini response (Gemini 2.5 and 3, thinking, parallel and streamed function
/// calls, context-cache usage, errors) converted to Anthropic: the stream passes the strict
/// validator, and text, thinking, tool inputs, stop reason and usage are what the recording says
/// the model produced; the thought signatures Gemini signed its calls with come back on the
/// calls in the next request.
@Suite("Gemini recordings → Anthropic")
struct GeminiGoldenTests {
    static let cases = Fixtures.providerCases(wire: "gemini")

    @Test func everyGeminiRecordingIsCovered() {
        #expect(Self.cases.count >= 18)
        #expect(Self.cases.contains { $0.stream } && Self.cases.contains { !$0.stream } && Self.cases.contains { $0.status >= 400 })
    }

    /// Feeds the recorded bytes in pieces of `chunkSize` (0 = as recorded).
    static func convertStream(_ body: [UInt8], chunkSize: Int) -> [UInt8] {
        let converter = GeminiStreamConverter(messageID: "msg_test", model: "test-model", inputTokenEstimate: 100)
        return Fixtures.convertStream(body, chunkSize: chunkSize, with: converter).bytes
    }

    /// A JSON answer served as a one-event stream (what `alt=sse` gives for a short answer).
    static func asStream(_ body: [UInt8]) throws -> [UInt8] {
        Array("data: ".utf8) + (try JSONParser.parse(body)).encoded() + Array("\r\n\r\n".utf8)
    }

    /// Gemini bills thoughts as output: output_tokens is candidates + thoughts when there were thoughts.
    static func check(_ summary: AnthropicStreamValidator.Summary, against expect: JSONValue, case id: String) {
        Fixtures.check(summary, against: expect, case: id, thoughtsBilledAsOutput: true)
    }

    @Test(arguments: cases.filter { $0.status < 400 && $0.stream })
    func streamsConvertToValidAnthropicStreams(_ recorded: Fixtures.ProviderCase) throws {
        for chunkSize in [0, 1, 7] {
            guard let summary = Fixtures.summarize(Self.convertStream(recorded.body, chunkSize: chunkSize), "\(recorded.id) (pieces of \(chunkSize))") else { continue }
            Self.check(summary, against: recorded.expect, case: recorded.id)
        }
    }

    @Test(arguments: cases.filter { $0.status < 400 && !$0.stream })
    func messagesConvertToValidAnthropicMessages(_ recorded: Fixtures.ProviderCase) throws {
        let response = try JSONParser.parse(recorded.body)
        let message = try GeminiResponseDecoder.message(from: response, messageID: "msg_test", model: "test-model")
        let summary = try AnthropicStreamValidator.validateMessage(message)
        Self.check(summary, against: recorded.expect, case: recorded.id)
    }

    @Test(arguments: cases.filter { $0.status < 400 && !$0.stream })
    func messagesServedAsStreamsConvertAlike(_ recorded: Fixtures.ProviderCase) throws {
        let body = try Self.asStream(recorded.body)
        for chunkSize in [0, 3] {
            guard let summary = Fixtures.summarize(Self.convertStream(body, chunkSize: chunkSize), recorded.id) else { continue }
            Self.check(summary, against: recorded.expect, case: recorded.id)
        }
    }

    @Test(arguments: cases.filter { $0.status >= 400 })
    func httpErrorsBecomeAnthropicErrorsWithTheSameStatus(_ recorded: Fixtures.ProviderCase) throws {
        let error = AnthropicError.fromUpstream(status: recorded.status, body: recorded.body, provider: "p", model: "m")
        #expect(error.status == recorded.status)
        #expect(try JSONParser.parse(error.body)["type"] == "error")
        if let message = recorded.expect["error"]?["message"]?.stringValue, !message.isEmpty {
            #expect(error.message.contains(String(message.prefix(40))), "\(recorded.id): \(error.message)")
        }
        // The same error inside a stream: before any content it is the HTTP error, same status.
        let stream = Array("data: ".utf8) + (try JSONParser.parse(recorded.body)).encoded() + Array("\n\n".utf8)
        let output = String(decoding: Self.convertStream(stream, chunkSize: 5), as: UTF8.self)
        #expect(output.hasPrefix("FAILED:") && output.contains(String((recorded.expect["error"]?["message"]?.stringValue ?? "").prefix(30))), "\(recorded.id): \(output)")
    }

    @Test func aRateLimitCarriesGeminisRetryDelay() throws {
        let recorded = try #require(Self.cases.first { $0.status == 429 })
        #expect(GeminiError.retryAfterSeconds(try JSONParser.parse(recorded.body)) == 35)
    }

    // MARK: - Thought signatures, round trip

    /// The thought signatures a recording carries: on which kind of part, and for function calls
    /// the call's position among the answer's calls.
    static func recordedSignatures(_ recorded: Fixtures.ProviderCase) throws -> [(call: Int?, value: String)] {
        let chunks: [JSONValue]
        if recorded.stream {
            var decoder = SSEDecoder()
            chunks = decoder.feed(recorded.body).compactMap { try? JSONParser.parse($0.data) }
        } else {
            chunks = [try JSONParser.parse(recorded.body)]
        }
        var out: [(call: Int?, value: String)] = []
        var calls = 0
        for chunk in chunks {
            for part in chunk["candidates"]?.arrayValue?.first?["content"]?["parts"]?.arrayValue ?? [] {
                let isNewCall = part["functionCall"]?["name"]?.stringValue != nil
                if let signature = part["thoughtSignature"]?.stringValue { out.append((isNewCall ? calls : nil, signature)) }
                if isNewCall { calls += 1 }
            }
        }
        return out
    }

    /// Claude Code's next request after the converted answer: the answer as the assistant turn and
    /// a result for each tool call.
    static func nextRequest(after blocks: [JSONValue]) -> JSONObject {
        let results: [JSONValue] = blocks.filter { $0["type"] == "tool_use" }.map {
            ["type": "tool_result", "tool_use_id": $0["id"] ?? "", "content": "ok", "cache_control": ["type": "ephemeral"]]
        }
        return [
            "model": "gemini-3-pro-preview", "max_tokens": 1000,
            "messages": [
                ["role": "user", "content": "go"],
                ["role": "assistant", "content": .array(blocks)],
                ["role": "user", "content": results.isEmpty ? [["type": "text", "text": "more"]] : .array(results)],
            ],
            "tools": [["name": "t", "input_schema": ["type": "object", "properties": ["x": ["type": "string"]]]]],
        ]
    }

    @Test(arguments: cases.filter { $0.status < 400 && $0.body.count > 0 && String(decoding: $0.body, as: UTF8.self).contains("thoughtSignature") })
    func thoughtSignaturesGoBackOnThePartsTheyCameOn(_ recorded: Fixtures.ProviderCase) throws {
        let signatures = try Self.recordedSignatures(recorded)
        #expect(!signatures.isEmpty)
        var blocks: [JSONValue]
        if recorded.stream {
            var accumulator = AnthropicMessageAccumulator()
            accumulator.feed(Self.convertStream(recorded.body, chunkSize: 11))
            blocks = accumulator.result["content"]?.arrayValue ?? []
        } else {
            let message = try GeminiResponseDecoder.message(from: try JSONParser.parse(recorded.body), messageID: "msg_test", model: "m")
            blocks = message["content"]?.arrayValue ?? []
        }
        // Claude Code drops blank text blocks before it sends a turn back.
        blocks = blocks.filter { !($0["type"] == "text" && ($0["text"]?.stringValue ?? "").allSatisfy(\.isWhitespace)) }
        let encoded = try GeminiRequestEncoder.encode(Self.nextRequest(after: blocks), target: .infer(model: "gemini-3-pro-preview"))
        #expect(GeminiRequestValidator.problems(encoded) == [], "\(recorded.id)")
        let model = try #require(encoded["contents"]?.arrayValue?.first { $0["role"] == "model" })
        let parts = model["parts"]?.arrayValue ?? []
        let callParts = parts.filter { $0["functionCall"] != nil }
        for (call, value) in signatures {
            if let call {
                #expect(call < callParts.count && callParts[call]["thoughtSignature"]?.stringValue == value, "\(recorded.id): call \(call)")
            } else {
                #expect(parts.contains { $0["thoughtSignature"]?.stringValue == value }, "\(recorded.id): text signature")
            }
        }
        // Nothing else was signed, and no part is empty.
        #expect(parts.filter { $0["thoughtSignature"] != nil }.count == signatures.count, "\(recorded.id)")
    }

    // (Fixtures keeps a recorded `"followup": null` as `.null`, hence the explicit test.)
    @Test(arguments: cases.filter { $0.followup.map { !$0.isNull } ?? false })
    func theRecordedFollowUpGetsWhatTheRecordedClientSentBack(_ recorded: Fixtures.ProviderCase) throws {
        let followup = try #require(recorded.followup)
        let message = try GeminiResponseDecoder.message(from: try JSONParser.parse(recorded.body), messageID: "msg_test", model: "m")
        let blocks = message["content"]?.arrayValue ?? []
        let results = followup["results"]?.arrayValue ?? []
        let uses = blocks.filter { $0["type"] == "tool_use" }
        let answers: [JSONValue] = uses.enumerated().map { n, use in
            ["type": "tool_result", "tool_use_id": use["id"] ?? "", "content": n < results.count ? results[n] : "ok"]
        }
        let request: JSONObject = [
            "model": "m", "max_tokens": 100,
            "messages": [["role": "user", "content": "go"], ["role": "assistant", "content": .array(blocks)], ["role": "user", "content": .array(answers)]],
        ]
        let encoded = try GeminiRequestEncoder.encode(request, target: .infer(model: "gemini-2.5-flash"))
        #expect(GeminiRequestValidator.problems(encoded) == [], "\(recorded.id)")
        let contents = encoded["contents"]?.arrayValue ?? []
        for atom in followup["atoms"]?.arrayValue ?? [] {
            let key = atom.arrayValue?.first?.stringValue ?? ""
            let value = atom.arrayValue?.last?.stringValue ?? ""
            let onCall = key.hasSuffix("functionCall part")
            let found = contents.flatMap { $0["parts"]?.arrayValue ?? [] }.contains { part in
                let sent = (part["thoughtSignature"]?.stringValue ?? "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                return sent.trimmingCharacters(in: ["="]) == value && (!onCall || part["functionCall"] != nil)
            }
            #expect(found, "\(recorded.id): \(key) not sent back")
        }
        // The function responses name the calls they answer.
        try #require(contents.count == 3, "\(recorded.id)")
        let calls = contents[1]["parts"]?.arrayValue?.compactMap { $0["functionCall"]?["name"]?.stringValue } ?? []
        let responses = contents[2]["parts"]?.arrayValue?.compactMap { $0["functionResponse"]?["name"]?.stringValue } ?? []
        #expect(calls == responses)
    }

    // MARK: - Behaviour beyond the recordings

    static func stream(_ chunks: [String]) -> [UInt8] {
        Array(chunks.map { "data: \($0)\r\n\r\n" }.joined().utf8)
    }

    @Test func thoughtsThenASignedCallCloseTheThinkingBlockWithTheSignature() throws {
        let body = Self.stream([
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Need the weather.","thought":true}]}}],"usageMetadata":{"promptTokenCount":40,"thoughtsTokenCount":12}}"#,
            #"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"weather","args":{"city":"Paris"},"id":"c1"},"thoughtSignature":"U0lH"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":40,"candidatesTokenCount":8,"thoughtsTokenCount":12,"cachedContentTokenCount":30}}"#,
        ])
        let output = Self.convertStream(body, chunkSize: 4)
        let summary = try AnthropicStreamValidator.validate(output)
        #expect(summary.thinking == "Need the weather.")
        #expect(summary.signatures == [GeminiThoughtSignature(anchor: .functionCall, value: "U0lH").encoded])
        #expect(summary.tools.map(\.id) == ["c1"])
        #expect(summary.stopReason == "tool_use")
        #expect(summary.usage?["input_tokens"] == 10 && summary.usage?["cache_read_input_tokens"] == 30 && summary.usage?["output_tokens"] == 20)
    }

    @Test func aSignatureOnTheLastEmptyPartGoesBackOnTheText() throws {
        let body = Self.stream([
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Hello"}]}}]}"#,
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":" there."}]}}]}"#,
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"","thoughtSignature":"TEFTVA=="}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2}}"#,
        ])
        var accumulator = AnthropicMessageAccumulator()
        accumulator.feed(Self.convertStream(body, chunkSize: 0))
        let blocks = accumulator.result["content"]?.arrayValue ?? []
        #expect(blocks.map { $0["type"]?.stringValue ?? "" } == ["text", "thinking"])
        let encoded = try GeminiRequestEncoder.encode(Self.nextRequest(after: blocks), target: .infer(model: "gemini-3-flash-preview"))
        let parts = encoded["contents"]?.arrayValue?[1]["parts"]?.arrayValue ?? []
        #expect(parts == [["text": "Hello there.", "thoughtSignature": "TEFTVA=="]])
    }

    @Test func streamedArgumentsAreAssembledByPath() throws {
        let body = Self.stream([
            #"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"edit","willContinue":true}}]}}]}"#,
            #"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"partialArgs":[{"jsonPath":"$.path","stringValue":"a/b","willContinue":true}],"willContinue":true}}]}}]}"#,
            #"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"partialArgs":[{"jsonPath":"$.path","stringValue":".txt"},{"jsonPath":"$.lines[1]","numberValue":7},{"jsonPath":"$['dry.run']","boolValue":true},{"jsonPath":"$.opts","structValue":{"a":null}}],"willContinue":true}}]}}]}"#,
            #"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{}}]},"finishReason":"STOP"}]}"#,
        ])
        let summary = try AnthropicStreamValidator.validate(Self.convertStream(body, chunkSize: 9))
        #expect(summary.tools.first?.input == ["path": "a/b.txt", "lines": [nil, 7], "dry.run": true, "opts": ["a": nil]])
    }

    @Test(arguments: [("SAFETY", "refusal"), ("RECITATION", "refusal"), ("MAX_TOKENS", "max_tokens"), ("OTHER", "end_turn"), ("STOP", "end_turn")])
    func finishReasonsBecomeStopReasons(finish: String, stop: String) throws {
        let body = Self.stream([#"{"candidates":[{"content":{"role":"model","parts":[{"text":"Partial"}]},"finishReason":"\#(finish)"}]}"#])
        let summary = try AnthropicStreamValidator.validate(Self.convertStream(body, chunkSize: 0))
        #expect(summary.stopReason == stop)
    }

    @Test func aMalformedCallWithNothingElseIsARetryableError() {
        let body = Self.stream([#"{"candidates":[{"finishReason":"MALFORMED_FUNCTION_CALL","finishMessage":"bad json"}],"usageMetadata":{"promptTokenCount":9}}"#])
        let output = String(decoding: Self.convertStream(body, chunkSize: 0), as: UTF8.self)
        #expect(output.hasPrefix("FAILED:") && output.contains("MALFORMED_FUNCTION_CALL"))
        let message: JSONValue = ["candidates": [["finishReason": "MALFORMED_FUNCTION_CALL"]]]
        #expect(throws: AnthropicError.self) { try GeminiResponseDecoder.message(from: message, messageID: "m", model: "x") }
    }

    @Test func aBlockedPromptIsAnInvalidRequest() {
        var converter = GeminiStreamConverter(messageID: "m", model: "x", inputTokenEstimate: 1)
        let progress = converter.consume(chunk: ["promptFeedback": ["blockReason": "PROHIBITED_CONTENT"], "usageMetadata": ["promptTokenCount": 3]])
        guard case .failedBeforeContent(let error) = progress else {
            Issue.record("a blocked prompt must fail before content")
            return
        }
        #expect(error.status == 400 && error.message.contains("PROHIBITED_CONTENT"))
    }

    @Test func anEmptyOrUnfinishedStreamIsAnError() throws {
        var empty = GeminiStreamConverter(messageID: "m", model: "x", inputTokenEstimate: 1)
        guard case .failedBeforeContent(let error) = empty.finish() else {
            Issue.record("an empty stream must fail before content")
            return
        }
        #expect(error.status == 502)
        let cut = Self.stream([#"{"candidates":[{"content":{"role":"model","parts":[{"text":"Half an ans"}]}}]}"#])
        let summary = try AnthropicStreamValidator.validate(Self.convertStream(cut, chunkSize: 0))
        #expect(summary.text == "Half an ans")
        #expect(summary.endedWithError?["message"]?.stringValue?.contains("finishReason") == true)
    }

    @Test func anErrorMidStreamClosesBlocksThenSendsAnErrorEventWithItsStatus() throws {
        let body = Self.stream([
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Partial"}]}}]}"#,
            #"{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}"#,
        ])
        let summary = try AnthropicStreamValidator.validate(Self.convertStream(body, chunkSize: 0))
        #expect(summary.text == "Partial")
        #expect(summary.endedWithError?["type"] == "overloaded_error")
        #expect(summary.endedWithError?["message"]?.stringValue?.contains("overloaded") == true)
    }

    @Test func groundedAnswersListTheirSources() throws {
        let body = Self.stream([
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Swift 6.3 is out."}]},"finishReason":"STOP","groundingMetadata":{"groundingChunks":[{"web":{"uri":"https://swift.org/blog","title":"swift.org"}}]}}]}"#,
        ])
        let summary = try AnthropicStreamValidator.validate(Self.convertStream(body, chunkSize: 0))
        #expect(summary.text.hasPrefix("Swift 6.3 is out.") && summary.text.contains("[swift.org](https://swift.org/blog)"))
    }
}
