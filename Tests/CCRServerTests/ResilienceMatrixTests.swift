import AsyncHTTPClient
import CCRCore
import CCRServer
import CCRTestSupport
import Foundation
import NIOCore
import Synchronization
import Testing

/// What Claude Code receives for each provider fault, which attempts ccr made, and that every
/// request is in the journal. The primary (`bad`) misbehaves; the fallback (`good`) is healthy.
@Suite("Resilience: every fault, with a healthy fallback", .serialized, .timeLimit(.minutes(2)))
struct ResilienceMatrixTests {
    static func config(bad: String, good: String, extra: String = "") -> String {
        """
        {"API_TIMEOUT_MS": 400, \(extra)
         "Providers": [
           {"name": "bad", "api_base_url": "\(bad)/v1/messages", "api_key": "sk-bad-1", "models": ["m"], "transformer": {"use": ["Anthropic"]}},
           {"name": "good", "api_base_url": "\(good)/v1/messages", "api_key": "sk-good-1", "models": ["m"], "transformer": {"use": ["Anthropic"]}}],
         "Router": {"default": "bad,m"},
         "fallback": {"default": ["good,m"]},
         "Resilience": {"retries": 1, "retryBaseMs": 20, "retryMaxMs": 50}}
        """
    }

    static let request = #"{"model": "claude-opus-5-5", "max_tokens": 20, "stream": true, "messages": [{"role": "user", "content": "hi"}]}"#

    static func content(_ text: String) -> [[UInt8]] {
        Array(MockUpstream.anthropicTextStream(text).map(\.bytes).prefix(3))  // message_start, block start, first delta
    }

    enum Expect: Sendable {
        /// The fallback's answer, after these attempts at the primary.
        case fallback(primaryAttempts: Int)
        /// The primary's content, then the stream closed with an error event.
        case primaryThenError
        /// The primary answered after all.
        case primary
    }

    static let cases: [(String, FaultyUpstream.Fault, Expect)] = [
        ("429 with retry-after", .status(429, headers: [("retry-after", "1")]), .fallback(primaryAttempts: 1)),
        ("500", .status(500), .fallback(primaryAttempts: 2)),
        ("502", .status(502), .fallback(primaryAttempts: 2)),
        ("503", .status(503), .fallback(primaryAttempts: 2)),
        ("529 overloaded", .status(529, headers: [("x-should-retry", "true")]), .fallback(primaryAttempts: 2)),
        ("401", .status(401), .fallback(primaryAttempts: 1)),
        ("hang before the head", .hangBeforeHead, .fallback(primaryAttempts: 2)),
        ("reset before the head", .resetBeforeHead, .fallback(primaryAttempts: 2)),
        ("close before the head", .closeBeforeHead, .fallback(primaryAttempts: 2)),
        ("malformed SSE", .malformedSSE, .fallback(primaryAttempts: 2)),
        ("empty 200 stream", .emptyOK(stream: true), .fallback(primaryAttempts: 2)),
        ("empty 200 JSON", .emptyOK(stream: false), .fallback(primaryAttempts: 2)),
        ("error event before content", .healthy(.stream([MockUpstream.event("message_start", ["type": "message_start", "message": ["id": "x", "type": "message", "role": "assistant", "model": "m", "content": [], "stop_reason": nil, "stop_sequence": nil, "usage": ["input_tokens": 1, "output_tokens": 0]]]), MockUpstream.event("error", ["type": "error", "error": ["type": "overloaded_error", "message": "Overloaded"]])])), .fallback(primaryAttempts: 2)),
        ("hang mid-stream", .hangMidStream(events: Self.content("partial ")), .primaryThenError),
        ("reset mid-stream", .resetMidStream(events: Self.content("partial ")), .primaryThenError),
        ("slow but in time", .slow(firstByteAfter: .milliseconds(150), events: MockUpstream.anthropicTextStream("slow answer").map(\.bytes), gap: .milliseconds(20)), .primary),
    ]

    @Test(arguments: Self.cases.indices)
    func eachFault(_ index: Int) async throws {
        let (name, fault, expect) = Self.cases[index]
        let bad = FaultyUpstream { _, _ in fault }
        let good = MockUpstream { _, _ in .sse(events: MockUpstream.anthropicTextStream("from the fallback")) }
        try await bad.run { badURL in
            try await good.run { goodURL in
                let configuration = try RouterHarness.configuration(Self.config(bad: badURL, good: goodURL))
                try await RouterHarness.run(configuration) { base, state in
                    let (response, body) = try await RouterHarness.post(base + "/v1/messages", json: Self.request)
                    let entry = try #require(state.journal.recent.last, "\(name): the request was not recorded")
                    let badAttempts = entry.attempts.filter { $0.target.provider == "bad" }
                    switch expect {
                    case .fallback(let primaryAttempts):
                        #expect(response.status.code == 200, "\(name): \(String(decoding: body, as: UTF8.self))")
                        let summary = try AnthropicStreamValidator.validate(body)
                        #expect(summary.text == "from the fallback", "\(name)")
                        #expect(response.headers.first(name: "x-ccr-route")?.hasPrefix("good,m") == true, "\(name)")
                        #expect(badAttempts.count == primaryAttempts, "\(name): \(entry.attempts.map(\.note))")
                        #expect(badAttempts.allSatisfy { $0.failure != nil }, "\(name)")
                        #expect(entry.attempts.last?.target.provider == "good" && entry.attempts.last?.failure == nil, "\(name)")
                        #expect(good.requests.count == 1, "\(name)")
                    case .primaryThenError:
                        #expect(response.status.code == 200, "\(name)")
                        let summary = try AnthropicStreamValidator.validate(body)
                        #expect(!summary.text.isEmpty && "partial ".hasPrefix(summary.text), "\(name)")
                        #expect(summary.endedWithError != nil, "\(name)")
                        #expect(good.requests.isEmpty, "\(name): nothing can fall back after the first byte")
                    case .primary:
                        #expect(response.status.code == 200, "\(name)")
                        #expect(try AnthropicStreamValidator.validate(body).text == "slow answer", "\(name)")
                        #expect(badAttempts.count == 1 && badAttempts[0].failure == nil, "\(name)")
                    }
                    #expect(state.journal.recent.count == 1, "\(name)")
                }
            }
        }
    }

    @Test func aClientErrorIsReturnedAsItIsWithoutFallingBack() async throws {
        let bad = FaultyUpstream { _, _ in .status(400, body: Array(#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 300000 tokens > 200000 maximum"}}"#.utf8)) }
        let good = MockUpstream { _, _ in .sse(events: MockUpstream.anthropicTextStream("never")) }
        try await bad.run { badURL in
            try await good.run { goodURL in
                try await RouterHarness.run(try RouterHarness.configuration(Self.config(bad: badURL, good: goodURL))) { base, state in
                    let (response, body) = try await RouterHarness.post(base + "/v1/messages", json: Self.request)
                    #expect(response.status.code == 400)
                    #expect(String(decoding: body, as: UTF8.self).contains("prompt is too long"))
                    #expect(state.journal.recent.last?.attempts.count == 1)
                }
            }
        }
        #expect(good.requests.isEmpty)
    }

    @Test func aRateLimitedKeyGivesWayToTheNextKeyAtOnce() async throws {
        let bad = FaultyUpstream { received, _ in
            received.headers[.init("x-api-key")!] == "sk-limited" ? .status(429, headers: [("retry-after", "30")]) : .healthy(.anthropicStream("second key"))
        }
        try await bad.run { badURL in
            let text = """
                {"Providers": [{"name": "bad", "api_base_url": "\(badURL)/v1/messages", "api_keys": ["sk-limited", "sk-fine"], "models": ["m"], "transformer": {"use": ["Anthropic"]}}],
                 "Router": {"default": "bad,m"}}
                """
            try await RouterHarness.run(try RouterHarness.configuration(text)) { base, state in
                let (response, body) = try await RouterHarness.post(base + "/v1/messages", json: Self.request)
                #expect(response.status.code == 200)
                #expect(try AnthropicStreamValidator.validate(body).text == "second key")
                let attempts = try #require(state.journal.recent.last?.attempts)
                #expect(attempts.map(\.failure) == [.rateLimited, nil])
                #expect(attempts[0].milliseconds < 200)  // no backoff between keys
                // The limited key rests: the next request goes straight to the other one.
                _ = try await RouterHarness.post(base + "/v1/messages", json: Self.request)
                #expect(state.journal.recent.last?.attempts.count == 1)
                let report = state.resilience.report()
                let keys = report["keys"]?.arrayValue ?? []
                #expect(keys.contains { $0["state"] == "resting" })
                #expect(!String(decoding: report.encoded(), as: UTF8.self).contains("sk-limited"))
            }
        }
    }

    @Test func aWorkingFallbackIsPromotedAndABrokenPrimaryIsSkipped() async throws {
        let bad = FaultyUpstream { _, _ in .status(503) }
        let good = MockUpstream { _, _ in .sse(events: MockUpstream.anthropicTextStream("from the fallback")) }
        try await bad.run { badURL in
            try await good.run { goodURL in
                let configuration = try RouterHarness.configuration(
                    Self.config(bad: badURL, good: goodURL).replacingOccurrences(of: #""Resilience": {"#, with: #""Resilience": {"breaker": {"minimumRequests": 2, "openSeconds": 60}, "#))
                try await RouterHarness.run(configuration) { base, state in
                    _ = try await RouterHarness.post(base + "/v1/messages", json: Self.request)
                    #expect(state.journal.recent.last?.attempts.count == 3)
                    let (second, _) = try await RouterHarness.post(base + "/v1/messages", json: Self.request)
                    #expect(second.status.code == 200)
                    #expect(state.journal.recent.last?.attempts.map(\.target.provider) == ["good"])  // promoted: tried first
                    let breakers = state.resilience.report()["breakers"]?.arrayValue ?? []
                    #expect(breakers.contains { $0["target"] == "bad,m" && $0["state"] == "open" })
                }
            }
        }
        #expect(bad.requestCount == 2)
    }

    @Test func anOpenCircuitIsProbedWithAMinimalRequestAndClosesWhenThePrimaryRecovers() async throws {
        let healthy = Atomic<Bool>(false)
        let bad = FaultyUpstream { _, _ in healthy.load(ordering: .relaxed) ? .healthy(.anthropicStream("primary again")) : .status(503) }
        let good = MockUpstream { _, _ in .sse(events: MockUpstream.anthropicTextStream("from the fallback")) }
        try await bad.run { badURL in
            try await good.run { goodURL in
                let configuration = try RouterHarness.configuration(
                    Self.config(bad: badURL, good: goodURL).replacingOccurrences(
                        of: #""Resilience": {"#, with: #""Resilience": {"breaker": {"minimumRequests": 2, "openSeconds": 1}, "#))
                try await RouterHarness.run(configuration) { base, state in
                    _ = try await RouterHarness.post(base + "/v1/messages", json: Self.request)  // 2 failures: open
                    healthy.store(true, ordering: .relaxed)
                    try await Task.sleep(for: .milliseconds(1_100))
                    let (during, body) = try await RouterHarness.post(base + "/v1/messages", json: Self.request)
                    #expect(during.status.code == 200)
                    #expect(try AnthropicStreamValidator.validate(body).text == "from the fallback")
                    #expect(state.journal.recent.last?.attempts.contains { $0.note.contains("probe sent") } == true)
                    // The probe: a minimal, non-streamed request.
                    var probe: FaultyUpstream.Received?
                    for _ in 0..<50 where probe == nil {
                        probe = bad.requests.first { ($0.body.count < 200) && String(decoding: $0.body, as: UTF8.self).contains("\"max_tokens\":1") }
                        if probe == nil { try await Task.sleep(for: .milliseconds(20)) }
                    }
                    let sent = try #require(probe, "no probe reached the primary")
                    #expect(String(decoding: sent.body, as: UTF8.self).contains("\"stream\":false"))
                    try await Task.sleep(for: .milliseconds(100))
                    let (after, afterBody) = try await RouterHarness.post(base + "/v1/messages", json: Self.request)
                    #expect(after.headers.first(name: "x-ccr-route")?.hasPrefix("bad,m") == true)
                    #expect(try AnthropicStreamValidator.validate(afterBody).text == "primary again")
                }
            }
        }
    }
}
