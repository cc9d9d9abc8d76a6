import AsyncHTTPClient
import CCRCore
import CCRTestSupport
import Crypto
import Foundation
import Logging
import Synchronization
import Testing
import _CryptoExtras

@testable import CCRServer

/// A throwaway service account: a fresh RSA key in a temporary key file.
struct VertexTestAccount: Sendable {
    let key: _RSA.Signing.PrivateKey
    let path: String
    let tokenURI: String

    static let keyID = "test-key-id"
    static let email = "ccr-test@sa-project.iam.gserviceaccount.com"

    init(tokenURI: String, projectID: String? = "sa-project") throws {
        self.key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        self.tokenURI = tokenURI
        var file: JSONObject = [
            "type": "service_account", "private_key_id": .string(Self.keyID), "private_key": .string(self.key.pkcs8PEMRepresentation),
            "client_email": .string(Self.email), "token_uri": .string(tokenURI),
        ]
        if let projectID { file["project_id"] = .string(projectID) }
        self.path = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-vertex-\(UUID().uuidString).json").path
        try Data(JSONValue.object(file).encoded()).write(to: URL(fileURLWithPath: self.path))
    }

    func remove() { try? FileManager.default.removeItem(atPath: self.path) }

    /// What is wrong with a token request, or `nil` when it is a correctly signed JWT-bearer grant.
    func problem(with request: MockUpstream.Received, checkIssuedAt: Bool = true) -> String? {
        var form: [String: String] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
            if parts.count == 2 { form[parts[0]] = parts[1] }
        }
        guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer" else { return "grant_type is \(form["grant_type"] ?? "missing")" }
        guard let assertion = form["assertion"] else { return "no assertion" }
        let pieces = assertion.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard pieces.count == 3, let headerBytes = Self.decode(pieces[0]), let claimBytes = Self.decode(pieces[1]),
            let signature = Self.decode(pieces[2])
        else { return "assertion is not three base64url parts" }
        guard let header = try? JSONParser.parse(headerBytes), let claims = try? JSONParser.parse(claimBytes) else { return "parts are not JSON" }
        if header["alg"] != "RS256" || header["typ"] != "JWT" || header["kid"]?.stringValue != Self.keyID { return "bad header \(header)" }
        if claims["iss"]?.stringValue != Self.email { return "bad iss" }
        if claims["scope"] != "https://www.googleapis.com/auth/cloud-platform" { return "bad scope" }
        if claims["aud"]?.stringValue != self.tokenURI { return "bad aud \(claims["aud"] ?? .null)" }
        guard let iat = claims["iat"]?.intValue, let exp = claims["exp"]?.intValue, exp - iat == 3600 else { return "bad iat/exp" }
        if checkIssuedAt && abs(Double(iat) - Date().timeIntervalSince1970) > 600 { return "iat is not now" }
        let digest = SHA256.hash(data: Array((pieces[0] + "." + pieces[1]).utf8))
        let valid = self.key.publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest, padding: .insecurePKCS1v1_5)
        return valid ? nil : "signature does not verify"
    }

    static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { Array($0) }
    }
}

/// A token endpoint that checks every assertion and hands out `ya29.test` (or numbered tokens).
final class VertexTokenEndpoint: Sendable {
    let problems = Mutex<[String]>([])
    let lifetime: Int
    let numbered: Bool
    /// Off when the test moves the token source's clock (which also dates the assertion).
    let checkIssuedAt: Bool
    let account = Mutex<VertexTestAccount?>(nil)

    init(lifetime: Int = 3600, numbered: Bool = false, checkIssuedAt: Bool = true) {
        self.lifetime = lifetime
        self.numbered = numbered
        self.checkIssuedAt = checkIssuedAt
    }

    var mock: MockUpstream {
        MockUpstream { request, index in
            guard let account = self.account.withLock({ $0 }) else { return .json(status: 500, body: Array("no account".utf8)) }
            if let problem = account.problem(with: request, checkIssuedAt: self.checkIssuedAt) {
                self.problems.withLock { $0.append(problem) }
                return .json(status: 400, body: Array(#"{"error":"invalid_grant"}"#.utf8))
            }
            let token = self.numbered ? "ya29.test-\(index)" : "ya29.test"
            let answer: JSONValue = ["access_token": .string(token), "expires_in": .int(self.lifetime), "token_type": "Bearer"]
            return .json(body: answer.encoded())
        }
    }
}

@Suite struct VertexTests {
    static func geminiStream(_ text: String) -> [(delay: Duration, bytes: [UInt8])] {
        func event(_ body: JSONValue) -> [UInt8] { Array("data: ".utf8) + body.encoded() + Array("\r\n\r\n".utf8) }
        return [
            (.zero, event(["candidates": [["content": ["role": "model", "parts": [["text": .string(text)]]]]], "modelVersion": "gemini-2.5-flash"])),
            (.zero, event([
                "candidates": [["content": ["role": "model", "parts": [["text": "!"]]], "finishReason": "STOP"]],
                "usageMetadata": ["promptTokenCount": 12, "candidatesTokenCount": 3], "modelVersion": "gemini-2.5-flash",
            ])),
        ]
    }

    /// Plays Vertex AI: a Gemini stream for `:streamGenerateContent`, an Anthropic one for `:streamRawPredict`.
    static func makeVertexMock() -> MockUpstream {
        MockUpstream { request, _ in
        if request.path.hasSuffix(":streamGenerateContent") {
            return .sse(events: VertexTests.geminiStream("Hello from Gemini"))
        }
        if request.path.hasSuffix(":streamRawPredict") {
            return .sse(events: MockUpstream.anthropicTextStream("Hello from Claude", model: "claude-sonnet-4@20250514"))
        }
        return .json(status: 404, body: Array(#"{"error":{"code":404,"message":"unexpected path"}}"#.utf8))
        }
    }

    static func config(vertex: String, credentials: String) -> String {
        """
        {
          "Providers": [
            {"name": "vg", "api_base_url": "\(vertex)", "models": ["gemini-2.5-flash"],
             "transformer": {"use": [["vertex-gemini", {"project": "proj-1", "location": "us-central1", "credentials": "\(credentials)"}]]}},
            {"name": "vc", "api_base_url": "\(vertex)", "models": ["claude-sonnet-4@20250514"],
             "transformer": {"use": [["vertex-claude", {"credentials": "\(credentials)"}]]}}
          ],
          "Router": {"default": "vg,gemini-2.5-flash"}
        }
        """
    }

    static func ask(_ base: String, model: String) async throws -> (status: UInt, summary: AnthropicStreamValidator.Summary) {
        let body = #"{"model":"\#(model)","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#
        let (response, bytes) = try await RouterHarness.post(base + "/v1/messages", json: body)
        #expect(response.status.code == 200, "\(String(decoding: bytes, as: UTF8.self))")
        return (response.status.code, try AnthropicStreamValidator.validate(bytes))
    }

    @Test func vertexGeminiAndClaudeStreamThroughWithOneToken() async throws {
        let endpoint = VertexTokenEndpoint()
        let tokenMock = endpoint.mock
        let vertexMock = Self.makeVertexMock()
        try await tokenMock.run { tokenBase in
            let account = try VertexTestAccount(tokenURI: tokenBase + "/token")
            defer { account.remove() }
            endpoint.account.withLock { $0 = account }
            try await vertexMock.run { vertexBase in
                let config = try RouterHarness.configuration(Self.config(vertex: vertexBase, credentials: account.path))
                try await RouterHarness.run(config) { base in
                    // Several at once before any token exists: they wait for the one fetch.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for index in 0..<4 {
                            group.addTask {
                                let answer = try await Self.ask(base, model: index % 2 == 0 ? "vg,gemini-2.5-flash" : "vc,claude-sonnet-4@20250514")
                                #expect(answer.summary.text == (index % 2 == 0 ? "Hello from Gemini!" : "Hello from Claude"))
                                if index % 2 == 0 { #expect(answer.summary.stopReason == "end_turn") }
                            }
                        }
                        try await group.waitForAll()
                    }
                    // And later ones reuse it.
                    let gemini = try await Self.ask(base, model: "vg,gemini-2.5-flash")
                    #expect(gemini.summary.text == "Hello from Gemini!")
                    let claude = try await Self.ask(base, model: "vc,claude-sonnet-4@20250514")
                    #expect(claude.summary.text == "Hello from Claude")
                }
            }
        }
        #expect(endpoint.problems.withLock { $0 } == [])
        #expect(tokenMock.requests.count == 1)
        #expect(tokenMock.requests.first?.path == "/token")
        let requests = vertexMock.requests
        #expect(requests.count == 6)
        for request in requests {
            #expect(request.headers[.authorization] == "Bearer ya29.test")
            #expect(request.headers[.init("x-goog-api-key")!] == nil)
        }
        let gemini = try #require(requests.first { $0.path.contains("/publishers/google/") })
        #expect(gemini.path == "/v1/projects/proj-1/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent")
        #expect(gemini.query == "alt=sse")
        #expect(gemini.json?["contents"] != nil)
        let claude = try #require(requests.first { $0.path.contains("/publishers/anthropic/") })
        #expect(claude.path == "/v1/projects/sa-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict")
        #expect(claude.json?["model"] == nil)
        #expect(claude.json?["anthropic_version"] == "vertex-2023-10-16")
        #expect(claude.json?["stream"] == true)
    }

    @Test func aShortLivedTokenIsFetchedAgain() async throws {
        // Tokens that live less than the 5-minute margin are replaced on every request.
        let endpoint = VertexTokenEndpoint(lifetime: 240, numbered: true)
        let tokenMock = endpoint.mock
        let vertexMock = Self.makeVertexMock()
        try await tokenMock.run { tokenBase in
            let account = try VertexTestAccount(tokenURI: tokenBase + "/token")
            defer { account.remove() }
            endpoint.account.withLock { $0 = account }
            try await vertexMock.run { vertexBase in
                let config = try RouterHarness.configuration(Self.config(vertex: vertexBase, credentials: account.path))
                try await RouterHarness.run(config) { base in
                    _ = try await Self.ask(base, model: "vg,gemini-2.5-flash")
                    _ = try await Self.ask(base, model: "vg,gemini-2.5-flash")
                }
            }
        }
        #expect(endpoint.problems.withLock { $0 } == [])
        #expect(tokenMock.requests.count == 2)
        #expect(vertexMock.requests.map { $0.headers[.authorization] } == ["Bearer ya29.test-0", "Bearer ya29.test-1"])
    }

    @Test func theTokenIsRefreshedFiveMinutesBeforeItExpires() async throws {
        let endpoint = VertexTokenEndpoint(numbered: true, checkIssuedAt: false)
        let tokenMock = endpoint.mock
        try await tokenMock.run { tokenBase in
            let account = try VertexTestAccount(tokenURI: tokenBase + "/token")
            defer { account.remove() }
            endpoint.account.withLock { $0 = account }
            let start = Date()
            let offset = Mutex<TimeInterval>(0)
            let upstream = UpstreamClient(settings: .init(configuration: try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: "http://127.0.0.1:9"))))
            let source = VertexTokenSource(
                account: try VertexServiceAccount.load(path: account.path), upstream: upstream,
                now: { start.addingTimeInterval(offset.withLock { $0 }) })
            let logger = Logger(label: "vertex-test")
            do {
                #expect(try await source.token(logger: logger) == "ya29.test-0")
                offset.withLock { $0 = 3000 }  // 10 minutes left: still good
                #expect(try await source.token(logger: logger) == "ya29.test-0")
                offset.withLock { $0 = 3301 }  // under 5 minutes left: replaced
                #expect(try await source.token(logger: logger) == "ya29.test-1")
                #expect(try await source.token(logger: logger) == "ya29.test-1")
                #expect(await source.fetches == 2)
            } catch {
                await upstream.shutdown()
                throw error
            }
            await upstream.shutdown()
        }
        #expect(endpoint.problems.withLock { $0 } == [])
    }

    @Test func aRefusedTokenRequestIsA502ThatSaysWhy() async throws {
        let tokenMock = MockUpstream { _, _ in .json(status: 400, body: Array(#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#.utf8)) }
        try await tokenMock.run { tokenBase in
            let account = try VertexTestAccount(tokenURI: tokenBase + "/token")
            defer { account.remove() }
            let config = try RouterHarness.configuration(Self.config(vertex: "http://127.0.0.1:9", credentials: account.path))
            try await RouterHarness.run(config) { base in
                let (response, bytes) = try await RouterHarness.post(
                    base + "/v1/messages", json: #"{"model":"vg,gemini-2.5-flash","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"#)
                #expect(response.status.code == 502)
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(text.contains("Invalid JWT Signature"))
                #expect(text.contains("provider 'vg'"))
            }
        }
    }

    // MARK: - Config

    static func provider(_ use: String, url: String? = nil) -> String {
        """
        {"Providers": [{"name": "vx", \(url.map { "\"api_base_url\": \"\($0)\"," } ?? "") "models": ["m"], "transformer": {"use": [\(use)]}}],
         "Router": {"default": "vx,m"}}
        """
    }

    static func errors(_ text: String, env: [String: String] = [:]) -> [String] {
        do {
            _ = try ConfigLoader(environment: env).load(text: Array(text.utf8))
            return []
        } catch {
            return error.diagnostics.filter { $0.severity == .error }.map(\.description)
        }
    }

    @Test func configNeedsCredentialsButNoKeyOrURL() throws {
        let missing = Self.errors(Self.provider(#""vertex-gemini""#))
        #expect(missing.count == 1)
        #expect(missing.first?.contains("Providers[0].transformer.use[0]") == true)
        #expect(missing.first?.contains("names no service-account credentials") == true)
        #expect(missing.first?.contains("GOOGLE_APPLICATION_CREDENTIALS") == true)

        let badTypes = Self.errors(Self.provider(#"["vertex-claude", {"project": 7, "credentials": "/x.json"}]"#))
        #expect(badTypes.count == 1)
        #expect(badTypes.first?.contains("Providers[0].transformer.use[0][1].project") == true)
        #expect(badTypes.first?.contains("must be a non-empty string") == true)

        let (gemini, _) = try ConfigLoader(environment: [:]).load(text: Array(Self.provider(#"["vertex-gemini", {"credentials": "/sa.json"}]"#).utf8))
        let provider = try #require(gemini.providers.first)
        #expect(provider.apiKey == nil)
        #expect(provider.wire == .gemini)
        #expect(provider.baseURL == "https://us-central1-aiplatform.googleapis.com")
        #expect(provider.vertex == VertexConfiguration(kind: .gemini, project: nil, environmentProject: nil, location: "us-central1", credentialsPath: "/sa.json"))

        let env = ["GOOGLE_APPLICATION_CREDENTIALS": "/env/sa.json", "GOOGLE_CLOUD_PROJECT": "env-project", "GOOGLE_CLOUD_LOCATION": "global"]
        let (claude, _) = try ConfigLoader(environment: env).load(text: Array(Self.provider(#""vertex-claude""#).utf8))
        let vertex = try #require(claude.providers.first?.vertex)
        #expect(claude.providers.first?.wire == .anthropic)
        #expect(claude.providers.first?.baseURL == "https://aiplatform.googleapis.com")
        #expect(vertex.credentialsPath == "/env/sa.json")
        #expect(vertex.resolvedProject(serviceAccountProject: nil) == "env-project")
        #expect(vertex.resolvedProject(serviceAccountProject: "sa") == "sa")
        #expect(
            VertexEndpoint.claudeURL(vertex, project: "p", model: "claude-opus-4@1", stream: false)
                == "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/anthropic/models/claude-opus-4@1:rawPredict")

        let (defaults, _) = try ConfigLoader(environment: ["GOOGLE_APPLICATION_CREDENTIALS": "/sa.json"]).load(text: Array(Self.provider(#""vertex-claude""#).utf8))
        #expect(defaults.providers.first?.vertex?.location == "us-east5")
        #expect(defaults.providers.first?.baseURL == "https://us-east5-aiplatform.googleapis.com")

        let override = VertexConfiguration(
            kind: .gemini, project: "p", environmentProject: nil, location: "europe-west4", credentialsPath: "/x", baseOverride: "https://proxy.example/v1beta1/")
        #expect(
            VertexEndpoint.geminiURL(override, project: "p", model: "gemini-2.5-pro", stream: false)
                == "https://proxy.example/v1beta1/projects/p/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent")
    }

    @Test func startCheckNamesTheFileAndTheFix() throws {
        let (config, _) = try ConfigLoader(environment: [:]).load(
            text: Array(Self.provider(#"["vertex-gemini", {"credentials": "/nonexistent/ccr-sa.json"}]"#).utf8))
        let problems = VertexAuth.check(config)
        #expect(problems.count == 1)
        #expect(problems.first?.contains("/nonexistent/ccr-sa.json") == true)
        #expect(problems.first?.contains("there is no such file") == true)
        #expect(problems.first?.contains("GOOGLE_APPLICATION_CREDENTIALS") == true)

        let account = try VertexTestAccount(tokenURI: "http://127.0.0.1:9/token", projectID: nil)
        defer { account.remove() }
        let (noProject, _) = try ConfigLoader(environment: [:]).load(
            text: Array(Self.provider(#"["vertex-gemini", {"credentials": "\#(account.path)"}]"#).utf8))
        let missing = VertexAuth.check(noProject)
        #expect(missing.count == 1)
        #expect(missing.first?.contains("no Google Cloud project") == true)
        let (withProject, _) = try ConfigLoader(environment: ["GOOGLE_CLOUD_PROJECT": "p"]).load(
            text: Array(Self.provider(#"["vertex-gemini", {"credentials": "\#(account.path)"}]"#).utf8))
        #expect(VertexAuth.check(withProject) == [])

        let notJSON = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-vertex-bad-\(UUID().uuidString).json").path
        try Data("not json".utf8).write(to: URL(fileURLWithPath: notJSON))
        defer { try? FileManager.default.removeItem(atPath: notJSON) }
        let (bad, _) = try ConfigLoader(environment: [:]).load(text: Array(Self.provider(#"["vertex-gemini", {"project": "p", "credentials": "\#(notJSON)"}]"#).utf8))
        #expect(VertexAuth.check(bad).first?.contains("not a JSON object") == true)
    }
}
