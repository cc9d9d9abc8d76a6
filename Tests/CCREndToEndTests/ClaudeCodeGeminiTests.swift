import CCRCore
import CCRTestSupport
import Foundation
import Testing

/// The real Claude Code CLI, through `ccr code`, against a mock Gemini (`streamGenerateContent`)
/// that thinks, signs its function call with a thought signature, and insists (as Gemini 3 does)
/// on getting the signature back with the call.
@Suite("Real Claude Code through ccr to Gemini", .serialized, .timeLimit(.minutes(3)))
struct ClaudeCodeGeminiTests: ClaudeCodeProviderTest {
    static let model = "gemini-3-flash-preview"
    static let signature = "c2lnbmVkLWJ5LXRoZS1tb2NrK2dlbWluaQ=="

    static func chunk(_ parts: [JSONValue], finish: String? = nil, usage: JSONValue? = nil) -> [UInt8] {
        var candidate: JSONObject = ["content": ["role": "model", "parts": .array(parts)], "index": 0]
        if let finish { candidate["finishReason"] = .string(finish) }
        var body: JSONObject = ["candidates": [.object(candidate)], "modelVersion": .string(Self.model)]
        if let usage { body["usageMetadata"] = usage }
        return Array("data: ".utf8) + JSONValue.object(body).encoded() + Array("\r\n\r\n".utf8)
    }

    static let usage: JSONValue = ["promptTokenCount": 1500, "cachedContentTokenCount": 1200, "candidatesTokenCount": 30, "thoughtsTokenCount": 20]

    /// A 400 as Gemini 3 gives it when a call in the history lost its signature.
    static let missingSignature: [UInt8] = JSONValue.object([
        "error": ["code": 400, "message": "Function call is missing a thought_signature in functionCall parts.", "status": "INVALID_ARGUMENT"],
    ]).encoded()

    /// Thoughts, then a signed Bash call on the first turn (when `command` is set); thoughts and
    /// text quoting the tool's output once the function response is there.
    static func responder(command: String?) -> MockUpstream.Responder {
        { received, _ in
            let body = received.json ?? .null
            guard GeminiRequestValidator.problems(body).isEmpty else {
                return .json(status: 400, body: JSONValue.object(["error": ["code": 400, "message": .string(GeminiRequestValidator.problems(body).joined(separator: "; ")), "status": "INVALID_ARGUMENT"]]).encoded())
            }
            let contents = body["contents"]?.arrayValue ?? []
            let calls = contents.filter { $0["role"] == "model" }.flatMap { $0["parts"]?.arrayValue ?? [] }.filter { $0["functionCall"] != nil }
            if calls.contains(where: { $0["thoughtSignature"] == nil }) { return .json(status: 400, body: Self.missingSignature) }
            let response = contents.last?["parts"]?.arrayValue?.compactMap { $0["functionResponse"] }.first
            var events: [[UInt8]] = [Self.chunk([["text": "The user wants ", "thought": true]])]
            events.append(Self.chunk([["text": "a careful answer.", "thought": true]]))
            if let command, response == nil {
                let call: JSONValue = ["functionCall": ["name": "Bash", "args": ["command": .string(command), "description": "e2e"]], "thoughtSignature": .string(Self.signature)]
                events.append(Self.chunk([call], finish: "STOP", usage: Self.usage))
            } else {
                let text = response.map { Self.toolAnswer($0["response"]?["output"]?.stringValue ?? "") } ?? Self.plainAnswer
                events.append(Self.chunk([["text": .string(String(text.prefix(8)))]]))
                events.append(Self.chunk([["text": .string(String(text.dropFirst(8)))]], finish: "STOP", usage: Self.usage))
            }
            return .sse(events: events.map { (Duration.milliseconds(5), $0) })
        }
    }

    static func runClaude(upstream: String, arguments: [String]) async throws -> Processes.Result {
        try await Processes.runClaudeThroughCCR(
            provider: #"{"name": "mock", "api_base_url": "\#(upstream)/v1beta/models/", "api_key": "gm-e2e-4321", "models": ["\#(Self.model)"], "transformer": {"use": ["gemini"]}}"#,
            model: Self.model, arguments: arguments)
    }

    @Test func completesATurnWithThinking() async throws {
        let (mock, output) = try await Self.answerOneTurn()
        // Claude Code saw Gemini's usage: the context cache as cache reads.
        #expect(output["usage"]?["cache_read_input_tokens"] == 1200)
        let first = try #require(mock.requests.first)
        #expect(first.path == "/v1beta/models/\(Self.model):streamGenerateContent" && first.query == "alt=sse")
        #expect(first.headers[.init("x-goog-api-key")!] == "gm-e2e-4321")
        #expect(first.headers[.authorization] == nil)
    }

    @Test func completesABashToolRoundTripAndCarriesTheThoughtSignatureBack() async throws {
        let (mock, marker) = try await Self.runBashRoundTrip(markerPrefix: "ccr-gemini-e2e")
        let followUp = try #require(
            mock.requests.compactMap(\.json).first { body in
                (body["contents"]?.arrayValue ?? []).contains { ($0["parts"]?.arrayValue ?? []).contains { $0["functionResponse"] != nil } }
            })
        let contents = followUp["contents"]?.arrayValue ?? []
        let model = try #require(contents.last { $0["role"] == "model" })
        let call = try #require(model["parts"]?.arrayValue?.first { $0["functionCall"] != nil })
        #expect(call["functionCall"]?["name"] == "Bash")
        // The signature went to Claude Code inside a thinking block and came back on the call.
        #expect(call["thoughtSignature"] == .string(Self.signature))
        let response = try #require(contents.last?["parts"]?.arrayValue?.first { $0["functionResponse"] != nil }?["functionResponse"])
        #expect(response["name"] == "Bash")
        #expect(response["response"]?["output"]?.stringValue?.contains(marker) == true)
    }
}
