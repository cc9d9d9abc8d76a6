/// The router's configuration: `config.json` in the original's format, validated and typed.
///
/// Keys are the original's (`PORT`, `HOST`, `APIKEY`, `Providers`, `Router`, …); see
/// docs/configuration.md. The document as written (with `$VAR` references, before interpolation)
/// is kept in ``raw`` so that nothing ever writes a resolved secret back.
public struct CCRConfiguration: Sendable {
    /// Listen port (`PORT`, env `SERVICE_PORT`), default 3456.
    public var port: Int = 3456
    /// Listen address (`HOST`), default `127.0.0.1`. Forced to loopback without ``apiKey``.
    public var host: String = "127.0.0.1"
    /// The shared secret clients must present (`APIKEY`).
    public var apiKey: String?
    /// Request logging on or off (`LOG`, default on).
    public var logEnabled: Bool = true
    /// Minimum log level (`LOG_LEVEL`, default `info`).
    public var logLevel: String = "info"
    /// `LOG_MAX_SIZE_MB`: `logs/ccr.log` is rotated when it would pass this size (also daily).
    public var logMaxBytes: Int = 10 * 1024 * 1024
    /// `LOG_MAX_FILES`: rotated log files kept.
    public var logMaxFiles: Int = 5
    /// Upstream timeout in milliseconds (`API_TIMEOUT_MS`, default 600000): bounds the wait for the
    /// response head and any silence while a body streams; also handed to Claude Code.
    public var apiTimeoutMilliseconds: Int = 600_000
    /// Connect timeout in milliseconds (`CONNECT_TIMEOUT_MS`, default 10000).
    public var connectTimeoutMilliseconds: Int = 10_000
    /// Outbound proxy (`PROXY_URL`, or the `HTTPS_PROXY`-style keys).
    public var proxyURL: String?
    /// Hosts that bypass the proxy (`NO_PROXY`).
    public var noProxy: [String] = []
    /// Largest accepted request body in bytes (`BODY_LIMIT_MB`, default 32 MiB).
    public var bodyLimitBytes: Int = 32 * 1024 * 1024
    /// `ccr code` runs Claude Code without a terminal (`NON_INTERACTIVE_MODE`).
    public var nonInteractiveMode: Bool = false
    /// The Claude Code binary (`CLAUDE_PATH`).
    public var claudePath: String?
    /// `CUSTOM_ROUTER_PATH`: a `.js` module run through node, or an executable speaking the
    /// plugin protocol (docs/plugins.md).
    public var customRouterPath: String?
    /// The time limit of one custom router call (`CUSTOM_ROUTER_TIMEOUT_MS`, default 2000).
    public var customRouterTimeoutMilliseconds: Int = 2_000
    /// `REWRITE_SYSTEM_PROMPT`: the path of the replacement system prompt.
    public var rewriteSystemPromptPath: String?
    /// The replacement system prompt's text (read from ``rewriteSystemPromptPath`` by whoever
    /// loads the file; the core does no I/O).
    public var rewriteSystemPrompt: String?
    /// `forceUseImageAgent`: the original's image agent; not supported (a warning says so).
    public var forceUseImageAgent = false
    /// The configured providers, in order.
    public var providers: [ProviderConfiguration] = []
    /// Custom transformers (`transformers`), run as plugin processes (docs/plugins.md).
    public var customTransformers: [CustomTransformerConfiguration] = []
    /// `fallback`: what to try when the routed target fails.
    public var fallback = FallbackTable()
    /// `Resilience`: retries, circuit breaker, promotion.
    public var resilience = ResilienceConfiguration()
    /// `Usage`: the request record.
    public var usage = UsageSettings()
    /// `Prices` over ccr's default model prices.
    public var prices = PriceTable()
    /// The route table (`Router`).
    public var router: RouterTable = RouterTable()
    /// The document as written in the file (not interpolated).
    public var raw: JSONValue = .object([:])
    /// The document after interpolation.
    public var resolved: JSONValue = .object([:])

    public init() {}

    /// The provider with this name, compared case-insensitively.
    public func provider(named name: String) -> ProviderConfiguration? {
        let lowered = name.lowercased()
        return self.providers.first { $0.name.lowercased() == lowered }
    }

    /// The providers and their models, for error messages.
    public var providerListing: String {
        if self.providers.isEmpty { return "no providers (add one to Providers in config.json)" }
        return self.providers.map { "\($0.name) [\($0.models.joined(separator: ", "))]" }.joined(separator: "; ")
    }

    /// Every secret the config holds (provider keys, `APIKEY`), for redaction.
    public var secrets: [String] {
        self.providers.flatMap { provider in provider.keys.map(\.key) + (provider.apiKey.map { [$0] } ?? []) } + (self.apiKey.map { [$0] } ?? [])
    }

    /// `true` when ``host`` is a loopback address.
    public var hostIsLoopback: Bool {
        Self.isLoopback(self.host)
    }

    /// The address to bind: ``host``, or 127.0.0.1 when ``host`` is not loopback and there is no
    /// ``apiKey`` (an open port without a key would expose every provider key).
    public var effectiveHost: String {
        if self.apiKey == nil && !self.hostIsLoopback { return "127.0.0.1" }
        return self.host
    }

    /// Whether a host name or address is on this machine only.
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h == "[::1]" || h.hasPrefix("127.")
    }
}
