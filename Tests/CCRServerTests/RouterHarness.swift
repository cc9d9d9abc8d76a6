import AsyncHTTPClient
import CCRCore
import CCRServer
import CCRTestSupport
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// Runs a ccr server in this process on a free port, with a config given as JSON5 text.
enum RouterHarness {
    static func configuration(_ text: String, environment: [String: String] = [:]) throws -> CCRConfiguration {
        try ConfigLoader(environment: environment).load(text: Array(text.utf8)).0
    }

    /// A config with one Anthropic-compatible provider `mock` at `upstream`.
    static func anthropicConfig(upstream: String, extra: String = "") -> String {
        """
        {
          \(extra)
          "Providers": [{"name": "mock", "api_base_url": "\(upstream)/v1/messages", "api_key": "sk-mock-key-123456",
                         "models": ["mock-model", "Other-Model"], "transformer": {"use": ["Anthropic"]}}],
          "Router": {"default": "mock,mock-model"}
        }
        """
    }

    static func run<T: Sendable>(
        _ configuration: CCRConfiguration,
        _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        try await self.run(configuration) { base, _ in try await body(base) }
    }

    /// Like ``run(_:_:)``, also handing the body the server's state (journal, resilience store).
    static func run<T: Sendable>(
        _ configuration: CCRConfiguration,
        usage: UsageRecorder? = nil,
        _ body: @Sendable (String, ServerState) async throws -> T
    ) async throws -> T {
        let upstream = UpstreamClient(settings: .init(configuration: configuration))
        let state = ServerState(configuration: configuration, upstream: upstream, port: 0, usage: usage)
        var logger = Logger(label: "ccr-test")
        logger.logLevel = .critical
        let result: T
        do {
            result = try await LiveServer.run({ onRunning in
                CCRApplication.make(state: state, host: "127.0.0.1", port: 0, logger: logger, onServerRunning: onRunning)
            }) { port in
                try await body("http://127.0.0.1:\(port)", state)
            }
        } catch {
            await upstream.shutdown()
            throw error
        }
        await upstream.shutdown()
        return result
    }

    /// A client for talking to the router in tests.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        // The default pool opens 8 connections per host; concurrency tests need them all at once.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 512
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()

    static func post(_ url: String, json: String, headers: [(String, String)] = [("content-type", "application/json")]) async throws -> (HTTPClientResponse, [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await client.execute(request, timeout: .seconds(30))
        var body = try await response.body.collect(upTo: 64 << 20)
        return (response, body.readBytes(length: body.readableBytes) ?? [])
    }
}
