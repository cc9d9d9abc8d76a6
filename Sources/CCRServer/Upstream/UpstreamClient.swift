import AsyncHTTPClient
import CCRCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The pool of outbound HTTP connections to providers.
///
/// One `HTTPClient` for direct connections and, when a proxy is configured, one that goes through
/// it (AsyncHTTPClient applies a proxy to a whole client); `NO_PROXY` hosts and loopback go direct.
/// No redirects are followed and nothing is decompressed: the router relays what it receives.
public final class UpstreamClient: Sendable {
    public struct Settings: Sendable, Equatable {
        public var connectTimeout: TimeAmount
        /// Bounds the wait for the response head.
        public var headTimeout: TimeAmount
        /// Bounds any silence while a body streams.
        public var idleTimeout: TimeAmount
        public var proxy: ProxySettings?
        public var noProxy: [String]

        public init(configuration: CCRConfiguration) {
            self.connectTimeout = .milliseconds(Int64(configuration.connectTimeoutMilliseconds))
            self.headTimeout = .milliseconds(Int64(configuration.apiTimeoutMilliseconds))
            self.idleTimeout = .milliseconds(Int64(configuration.apiTimeoutMilliseconds))
            self.proxy = configuration.proxyURL.flatMap(ProxySettings.parse)
            self.noProxy = configuration.noProxy
        }
    }

    public let settings: Settings
    let direct: HTTPClient
    let proxied: HTTPClient?

    public init(settings: Settings, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.settings = settings
        self.direct = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: Self.configuration(settings, proxy: nil))
        if let proxy = settings.proxy {
            let ahcProxy: HTTPClient.Configuration.Proxy
            switch proxy.kind {
            case .http:
                let authorization = proxy.user.map { HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "") }
                ahcProxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
            case .socks:
                ahcProxy = .socksServer(host: proxy.host, port: proxy.port)
            }
            self.proxied = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: Self.configuration(settings, proxy: ahcProxy))
        } else {
            self.proxied = nil
        }
    }

    static func configuration(_ settings: Settings, proxy: HTTPClient.Configuration.Proxy?) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: settings.connectTimeout, read: settings.idleTimeout),
            proxy: proxy,
            decompression: .disabled)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 2048
        configuration.connectionPool.idleTimeout = .seconds(90)
        // A refused connection is an answer: fail now (so a fallback can be tried) instead of
        // retrying until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    /// The client to use for a host.
    func client(forHost host: String) -> HTTPClient {
        if let proxied, !ProxySettings.bypasses(host: host, noProxy: self.settings.noProxy) { return proxied }
        return self.direct
    }

    /// Sends a request and returns once the response head has arrived.
    public func execute(_ request: HTTPClientRequest, host: String, logger: Logger) async throws -> HTTPClientResponse {
        try await self.client(forHost: host).execute(request, timeout: self.settings.headTimeout, logger: logger)
    }

    /// Closes every connection.
    public func shutdown() async {
        try? await self.direct.shutdown()
        try? await self.proxied?.shutdown()
    }
}
