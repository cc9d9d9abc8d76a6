import AsyncHTTPClient
import CCRCore
import CCRServer
import CCRTestSupport
import Foundation
import NIOCore
import Testing

@Suite("Access rules and limits", .timeLimit(.minutes(1)))
struct AccessRulesTests {
    static let body = #"{"model":"x","messages":[]}"#

    @Test func withAnAPIKeyEveryRouteButHealthNeedsIt() async throws {
        let mock = MockUpstream { _, _ in .json(body: MockUpstream.anthropicTextMessage("ok")) }
        try await mock.run { upstream in
            let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: upstream, extra: #""APIKEY": "secret-key-42","#))
            try await RouterHarness.run(config) { base in
                let (missing, missingBody) = try await RouterHarness.post(base + "/v1/messages", json: Self.body)
                #expect(missing.status.code == 401)
                #expect(try JSONParser.parse(missingBody)["error"]?["type"] == "authentication_error")
                let (wrong, _) = try await RouterHarness.post(base + "/v1/messages", json: Self.body, headers: [("x-api-key", "secret-key-43")])
                #expect(wrong.status.code == 401)
                let (bearer, _) = try await RouterHarness.post(base + "/v1/messages", json: Self.body, headers: [("authorization", "Bearer secret-key-42")])
                #expect(bearer.status.code == 200)
                let (header, _) = try await RouterHarness.post(base + "/v1/messages", json: Self.body, headers: [("x-api-key", "secret-key-42")])
                #expect(header.status.code == 200)
                let health = try await RouterHarness.client.execute(HTTPClientRequest(url: base + "/health"), timeout: .seconds(5))
                #expect(health.status.code == 200)
            }
        }
        // The client's key never reaches the provider.
        for request in mock.requests {
            #expect(request.headers[.authorization] == nil)
            #expect(request.headers[.init("x-api-key")!] == "sk-mock-key-123456")
        }
    }

    @Test func withoutAnAPIKeyAForeignOriginOrHostIsRefused() async throws {
        let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: "http://127.0.0.1:9"))
        try await RouterHarness.run(config) { base in
            let (origin, originBody) = try await RouterHarness.post(base + "/v1/messages", json: Self.body, headers: [("origin", "https://evil.example")])
            #expect(origin.status.code == 403)
            #expect(try JSONParser.parse(originBody)["error"]?["type"] == "permission_error")
            let (host, _) = try await RouterHarness.post(base + "/v1/messages", json: Self.body, headers: [("host", "evil.example:3456")])
            #expect(host.status.code == 403)
            let port = URLParts(base)!.port
            let (own, _) = try await RouterHarness.post(base + "/v1/messages", json: #"{"model":"nope,x"}"#, headers: [("origin", "http://localhost:\(port)")])
            #expect(own.status.code == 400)  // past the access check, refused by routing
        }
    }

    @Test func anOversizedBodyIsAnAnthropicShaped413() async throws {
        let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: "http://127.0.0.1:9", extra: #""BODY_LIMIT_MB": 1,"#))
        try await RouterHarness.run(config) { base in
            let big = #"{"model":"x","messages":[{"role":"user","content":""# + String(repeating: "a", count: 1_200_000) + #""}]}"#
            let (response, body) = try await RouterHarness.post(base + "/v1/messages", json: big)
            #expect(response.status.code == 413)
            let error = try JSONParser.parse(body)
            #expect(error["error"]?["type"] == "request_too_large")
            #expect(error["error"]?["message"]?.stringValue?.contains("BODY_LIMIT_MB") == true)
        }
    }

    @Test(arguments: ["{", "[]", #"{"model":5}"#, "\u{FF}\u{FE}", ""])
    func malformedBodiesGetAClear400(body: String) async throws {
        let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: "http://127.0.0.1:9"))
        try await RouterHarness.run(config) { base in
            let (response, answer) = try await RouterHarness.post(base + "/v1/messages", json: body)
            #expect(response.status.code == 400)
            #expect(try JSONParser.parse(answer)["error"]?["type"] == "invalid_request_error")
        }
    }

    @Test func modelsListsEveryProviderModelWithAnIDClaudeCodeKeeps() async throws {
        let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: "http://127.0.0.1:9"))
        try await RouterHarness.run(config) { base in
            let response = try await RouterHarness.client.execute(HTTPClientRequest(url: base + "/v1/models?limit=1000"), timeout: .seconds(5))
            var buffer = try await response.body.collect(upTo: 1 << 20)
            let list = try JSONParser.parse(buffer.readBytes(length: buffer.readableBytes) ?? [])
            let ids = (list["data"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
            #expect(ids == ["claude-ccr/mock,mock-model", "claude-ccr/mock,Other-Model"])
            #expect(ids.allSatisfy { $0.lowercased().contains("claude") })
        }
    }
}
