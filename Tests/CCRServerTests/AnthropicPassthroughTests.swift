import AsyncHTTPClient
import CCRCore
import CCRServer
import CCRTestSupport
import Foundation
import NIOCore
import Testing

@Suite("Anthropic-compatible passthrough", .timeLimit(.minutes(1)))
struct AnthropicPassthroughTests {
    static let request = #"{"model":"claude-opus-5-5","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi \u00e9 \ud83d\ude00"}],"metadata":{"user_id":"x"},"unknown_field":{"kept":[1,2.50,"three"]}}"#

    @Test func forwardsTheBodyWithOnlyTheModelReplaced() async throws {
        let mock = MockUpstream { _, _ in .json(body: MockUpstream.anthropicTextMessage("hello")) }
        try await mock.run { upstream in
            let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: upstream))
            try await RouterHarness.run(config) { base in
                let (response, body) = try await RouterHarness.post(
                    base + "/v1/messages?beta=true", json: Self.request,
                    headers: [
                        ("content-type", "application/json"), ("anthropic-version", "2023-06-01"), ("anthropic-beta", "claude-code-20250219"),
                        ("authorization", "Bearer client-token"), ("x-claude-code-session-id", "s1"),
                    ])
                #expect(response.status.code == 200)
                #expect(String(decoding: body, as: UTF8.self).contains("hello"))
                #expect(response.headers.first(name: "x-ccr-route") == "mock,mock-model; scenario=default")
                #expect(response.headers.first(name: "x-request-id")?.hasPrefix("req_") == true)
            }
        }
        let received = try #require(mock.requests.first)
        let expected = Self.request.replacingOccurrences(of: #""model":"claude-opus-5-5""#, with: #""model":"mock-model""#)
        #expect(String(decoding: received.body, as: UTF8.self) == expected)
        #expect(received.headers[.init("x-api-key")!] == "sk-mock-key-123456")
        #expect(received.headers[.authorization] == nil)
        #expect(received.headers[.init("anthropic-beta")!] == "claude-code-20250219")
        #expect(received.headers[.init("x-claude-code-session-id")!] == "s1")
    }

    @Test func explicitProviderModelIsMatchedCaseInsensitivelyAndForwardedCanonically() async throws {
        let mock = MockUpstream { _, _ in .json(body: MockUpstream.anthropicTextMessage("ok")) }
        try await mock.run { upstream in
            let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: upstream))
            try await RouterHarness.run(config) { base in
                let (response, _) = try await RouterHarness.post(base + "/v1/messages", json: #"{"model":"MOCK,other-model","messages":[]}"#)
                #expect(response.status.code == 200)
                #expect(response.headers.first(name: "x-ccr-route") == "mock,Other-Model; scenario=explicit")
                let (listed, _) = try await RouterHarness.post(base + "/v1/messages", json: #"{"model":"claude-ccr/mock,mock-model","messages":[]}"#)
                #expect(listed.headers.first(name: "x-ccr-route") == "mock,mock-model; scenario=explicit")
            }
        }
        #expect(mock.requests.first?.json?["model"] == "Other-Model")
    }

    @Test func unknownProviderOrModelIsA400ThatListsWhatExists() async throws {
        let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: "http://127.0.0.1:9"))
        try await RouterHarness.run(config) { base in
            let (response, body) = try await RouterHarness.post(base + "/v1/messages", json: #"{"model":"nope,x","messages":[]}"#)
            #expect(response.status.code == 400)
            let error = try JSONParser.parse(body)
            #expect(error["type"] == "error")
            #expect(error["error"]?["type"] == "invalid_request_error")
            #expect(error["error"]?["message"]?.stringValue?.contains("mock [mock-model, Other-Model]") == true)
            let (modelResponse, modelBody) = try await RouterHarness.post(base + "/v1/messages", json: #"{"model":"mock,gpt-9","messages":[]}"#)
            #expect(modelResponse.status.code == 400)
            #expect(String(decoding: modelBody, as: UTF8.self).contains("It serves: mock-model, Other-Model"))
        }
    }

    @Test func eventsReachTheClientAsTheUpstreamSendsThem() async throws {
        let gap = Duration.milliseconds(300)
        let mock = MockUpstream { _, _ in .sse(events: MockUpstream.anthropicTextStream("one two three", delay: gap)) }
        try await mock.run { upstream in
            let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: upstream))
            try await RouterHarness.run(config) { base in
                var request = HTTPClientRequest(url: base + "/v1/messages")
                request.method = .POST
                request.body = .bytes(ByteBuffer(string: Self.request))
                let start = ContinuousClock.now
                let response = try await RouterHarness.client.execute(request, timeout: .seconds(10))
                var arrivals: [(Duration, String)] = []
                for try await chunk in response.body {
                    arrivals.append((ContinuousClock.now - start, String(buffer: chunk)))
                }
                let firstDelta = try #require(arrivals.first { $0.1.contains("text_delta") })
                let last = try #require(arrivals.last)
                // The first delta leaves the mock after one gap, the last after three: streaming
                // shows them apart; buffering would deliver them together at the end.
                #expect(firstDelta.0 < gap * 2)
                #expect(last.0 - firstDelta.0 > gap)
                let all = arrivals.map(\.1).joined()
                #expect(all.contains("event: message_stop"))
            }
        }
    }

    @Test(arguments: [(429, "7"), (500, nil), (529, "3")] as [(Int, String?)])
    func upstreamErrorsKeepTheirStatusAndRetryAfter(status: Int, retryAfter: String?) async throws {
        let mock = MockUpstream { _, _ in
            .json(
                status: status, headers: retryAfter.map { [("retry-after", $0)] } ?? [],
                body: Array(#"{"type":"error","error":{"type":"overloaded_error","message":"busy upstream"}}"#.utf8))
        }
        try await mock.run { upstream in
            let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: upstream))
            try await RouterHarness.run(config) { base in
                let (response, body) = try await RouterHarness.post(base + "/v1/messages", json: Self.request)
                #expect(Int(response.status.code) == status)
                #expect(response.headers.first(name: "retry-after") == retryAfter)
                let error = try JSONParser.parse(body)
                #expect(error["type"] == "error")
                #expect(error["error"]?["message"]?.stringValue?.contains("busy upstream") == true)
                #expect(error["error"]?["message"]?.stringValue?.contains("provider 'mock'") == true)
            }
        }
    }

    @Test func anOpenAIShapedErrorBodyBecomesAnthropicShaped() async throws {
        let mock = MockUpstream { _, _ in .json(status: 401, body: Array(#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#.utf8)) }
        try await mock.run { upstream in
            let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: upstream))
            try await RouterHarness.run(config) { base in
                let (response, body) = try await RouterHarness.post(base + "/v1/messages", json: Self.request)
                #expect(response.status.code == 401)
                let error = try JSONParser.parse(body)
                #expect(error["error"]?["type"] == "authentication_error")
                #expect(error["error"]?["message"]?.stringValue?.contains("Incorrect API key provided") == true)
            }
        }
    }

    @Test func aDeadUpstreamIsA502ThatNamesTheProvider() async throws {
        // Port 9 (discard) on loopback is closed here: the connection is refused at once.
        let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: "http://127.0.0.1:9"))
        try await RouterHarness.run(config) { base in
            let (response, body) = try await RouterHarness.post(base + "/v1/messages", json: Self.request)
            #expect(response.status.code == 502)
            let error = try JSONParser.parse(body)
            #expect(error["type"] == "error")
            #expect(error["error"]?["type"] == "api_error")
            #expect(error["error"]?["message"]?.stringValue?.contains("provider 'mock'") == true)
        }
    }

    @Test func aSilentUpstreamTimesOutAsA504() async throws {
        let mock = MockUpstream { _, _ in .hang }
        try await mock.run { upstream in
            let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: upstream, extra: #""API_TIMEOUT_MS": 300,"#))
            try await RouterHarness.run(config) { base in
                let (response, body) = try await RouterHarness.post(base + "/v1/messages", json: Self.request)
                #expect(response.status.code == 504)
                #expect(String(decoding: body, as: UTF8.self).contains("API_TIMEOUT_MS"))
            }
        }
    }

    @Test func theUpstreamConnectionClosesSoonAfterTheClientLeavesMidStream() async throws {
        let mock = MockUpstream { _, _ in
            .sse(events: [(.zero, MockUpstream.event("message_start", ["type": "message_start", "message": ["id": "m", "type": "message", "role": "assistant", "content": [], "model": "x", "usage": ["input_tokens": 1, "output_tokens": 0]]]))], thenHang: true)
        }
        let lag = try await mock.run { upstream in
            let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: upstream))
            return try await RouterHarness.run(config) { base in
                let leftAt = try await Self.leaveAfterFirstBytes(base + "/v1/messages")
                return try await Self.waitForClose(mock, after: leftAt)
            }
        }
        #expect(lag < .milliseconds(100), "upstream closed \(lag) after the client left")
    }

    @Test func theUpstreamConnectionClosesSoonAfterTheClientLeavesBeforeTheHead() async throws {
        let mock = MockUpstream { _, _ in .hang }
        let lag = try await mock.run { upstream in
            let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: upstream))
            return try await RouterHarness.run(config) { base in
                let task = Task {
                    _ = try await RouterHarness.post(base + "/v1/messages", json: Self.request)
                }
                // Wait until the mock has the request, then leave.
                while mock.requests.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
                try await Task.sleep(for: .milliseconds(50))
                let leftAt = ContinuousClock.now
                task.cancel()
                return try await Self.waitForClose(mock, after: leftAt)
            }
        }
        #expect(lag < .milliseconds(100), "upstream closed \(lag) after the client left")
    }

    static func leaveAfterFirstBytes(_ url: String) async throws -> ContinuousClock.Instant {
        let task = Task { () -> Void in
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: Self.request))
            let response = try await RouterHarness.client.execute(request, timeout: .seconds(10))
            for try await _ in response.body {}
        }
        try await Task.sleep(for: .milliseconds(300))
        let leftAt = ContinuousClock.now
        task.cancel()
        _ = await task.result
        return leftAt
    }

    static func waitForClose(_ mock: MockUpstream, after instant: ContinuousClock.Instant) async throws -> Duration {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let closed = mock.connectionCloseTimes.first(where: { $0 >= instant }) { return closed - instant }
            try await Task.sleep(for: .milliseconds(2))
        }
        return .seconds(5)
    }
}
