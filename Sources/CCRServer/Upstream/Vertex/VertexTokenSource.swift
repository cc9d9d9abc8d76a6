import AsyncHTTPClient
import CCRCore
import Foundation
import Logging
import NIOCore
import Synchronization

/// One service account's access token: fetched on first use, reused until 5 minutes before it
/// expires, then fetched again. One fetch at a time: callers that arrive during it wait for it.
actor VertexTokenSource {
    struct Token: Sendable {
        var value: String
        var expiresAt: Date
    }

    /// How long before expiry a token is replaced.
    static let refreshMargin: TimeInterval = 300

    let account: VertexServiceAccount
    let upstream: UpstreamClient
    let now: @Sendable () -> Date
    private var current: Token?
    private var refreshing: Task<Token, any Error>?
    /// Tokens fetched so far.
    private(set) var fetches = 0

    init(account: VertexServiceAccount, upstream: UpstreamClient, now: @escaping @Sendable () -> Date) {
        self.account = account
        self.upstream = upstream
        self.now = now
    }

    /// A token valid for at least the refresh margin.
    func token(logger: Logger) async throws(VertexAuthError) -> String {
        if let current, self.now().addingTimeInterval(Self.refreshMargin) < current.expiresAt { return current.value }
        let task: Task<Token, any Error>
        if let refreshing {
            task = refreshing
        } else {
            let account = self.account
            let upstream = self.upstream
            let now = self.now
            task = Task { try await Self.fetch(account: account, upstream: upstream, issuedAt: now(), logger: logger) }
            self.refreshing = task
            self.fetches += 1
        }
        do {
            let token = try await task.value
            if self.refreshing == task {
                self.current = token
                self.refreshing = nil
            }
            return token.value
        } catch {
            if self.refreshing == task { self.refreshing = nil }
            if let error = error as? VertexAuthError { throw error }
            throw VertexAuthError(description: "cannot get a Vertex AI access token from \(self.account.tokenURI): \(error)")
        }
    }

    /// Signs an assertion and exchanges it at the account's `token_uri`.
    static func fetch(account: VertexServiceAccount, upstream: UpstreamClient, issuedAt: Date, logger: Logger) async throws -> Token {
        let assertion: String
        do {
            assertion = try VertexJWT.assertion(for: account, issuedAt: issuedAt)
        } catch {
            throw VertexAuthError(description: "cannot sign the Vertex AI token request with the service account's private_key: \(error)")
        }
        var request = HTTPClientRequest(url: account.tokenURI)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "accept", value: "application/json")
        // The assertion is base64url and dots: nothing in it needs escaping.
        let form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + assertion
        request.body = .bytes(ByteBuffer(string: form))
        let host = URLParts(account.tokenURI)?.host ?? ""
        let response = try await upstream.execute(request, host: host, logger: logger)
        var buffer = try await response.body.collect(upTo: 1 << 20)
        let body = buffer.readBytes(length: buffer.readableBytes) ?? []
        guard response.status.code == 200 else {
            throw VertexAuthError(
                description: "Google's token endpoint \(account.tokenURI) refused the service account \(account.clientEmail) with \(response.status.code): \(String(decoding: body.prefix(300), as: UTF8.self))")
        }
        guard let object = (try? JSONParser.parse(body))?.objectValue, let value = object["access_token"]?.stringValue, !value.isEmpty else {
            throw VertexAuthError(description: "Google's token endpoint \(account.tokenURI) answered without an access_token")
        }
        let lifetime = object["expires_in"]?.intValue ?? object["expires_in"]?.stringValue.flatMap(Int.init) ?? VertexJWT.lifetime
        return Token(value: value, expiresAt: issuedAt.addingTimeInterval(TimeInterval(lifetime)))
    }
}

/// The Vertex AI token sources of a running server, one per service-account file.
public final class VertexAuth: Sendable {
    /// What a request to Vertex needs.
    struct Access: Sendable {
        var token: String
        var project: String
    }

    private let sources = Mutex<[String: VertexTokenSource]>([:])
    let now: @Sendable () -> Date

    /// `now` is the clock tokens' expiry is judged by (tests move it).
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    /// Checks every Vertex provider's credentials file and project, for a clear message at start.
    public static func check(_ configuration: CCRConfiguration) -> [String] {
        var problems: [String] = []
        for provider in configuration.providers {
            guard let vertex = provider.vertex else { continue }
            do {
                let account = try VertexServiceAccount.load(path: vertex.credentialsPath)
                if vertex.resolvedProject(serviceAccountProject: account.projectID) == nil {
                    problems.append(Self.noProject(provider: provider.name, vertex: vertex))
                }
            } catch {
                problems.append("provider '\(provider.name)': \(error.description)")
            }
        }
        return problems
    }

    static func noProject(provider: String, vertex: VertexConfiguration) -> String {
        "provider '\(provider)': no Google Cloud project for \(vertex.kind.rawValue): \(vertex.credentialsPath) has no project_id. Fix: add \"project\": \"my-project\" to the \(vertex.kind.rawValue) options, or export GOOGLE_CLOUD_PROJECT"
    }

    /// The token source for a credentials file, made (and the file read) on first use.
    func source(for vertex: VertexConfiguration, upstream: UpstreamClient) throws(VertexAuthError) -> VertexTokenSource {
        if let source = self.sources.withLock({ $0[vertex.credentialsPath] }) { return source }
        let account = try VertexServiceAccount.load(path: vertex.credentialsPath)
        let made = VertexTokenSource(account: account, upstream: upstream, now: self.now)
        return self.sources.withLock { sources in
            if let existing = sources[vertex.credentialsPath] { return existing }
            sources[vertex.credentialsPath] = made
            return made
        }
    }

    /// A token and the project for a request to a Vertex provider; failures are Anthropic errors.
    func access(provider: ProviderConfiguration, vertex: VertexConfiguration, upstream: UpstreamClient, logger: Logger) async throws(AnthropicError) -> Access {
        do throws(VertexAuthError) {
            let source = try self.source(for: vertex, upstream: upstream)
            guard let project = vertex.resolvedProject(serviceAccountProject: source.account.projectID) else {
                throw VertexAuthError(description: Self.noProject(provider: provider.name, vertex: vertex))
            }
            let token = try await source.token(logger: logger)
            return Access(token: token, project: project)
        } catch {
            logger.warning("vertex credentials failed", metadata: ["provider": "\(provider.name)", "error": "\(error.description)"])
            throw AnthropicError(status: 502, kind: .api, message: "ccr: provider '\(provider.name)': \(error.description)")
        }
    }
}

/// Where one request to Vertex AI goes and the token it carries (never logged).
struct VertexCall: Sendable {
    var url: String
    var token: String
}
