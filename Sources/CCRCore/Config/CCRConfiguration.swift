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
    /// The configured providers, in order.
    public var providers: [ProviderConfiguration] = []
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

/// One entry of `Providers`.
public struct ProviderConfiguration: Sendable, Equatable {
    /// The name used in routes (`deepseek` in `deepseek,deepseek-chat`).
    public var name: String
    /// The full endpoint URL (`https://api.deepseek.com/chat/completions`).
    public var baseURL: String
    /// The provider's key; `nil` for providers that need none.
    public var apiKey: String?
    /// The model names this provider serves.
    public var models: [String]
    /// The provider-level transformer chain (`transformer.use`).
    public var transformers: [TransformerReference]
    /// Model-level chains (`transformer["model"].use`).
    public var modelTransformers: [String: [TransformerReference]]
    /// Which wire protocol this provider speaks, derived from the transformers and the URL.
    public var wire: WireProtocol

    public init(
        name: String,
        baseURL: String,
        apiKey: String?,
        models: [String],
        transformers: [TransformerReference] = [],
        modelTransformers: [String: [TransformerReference]] = [:],
        wire: WireProtocol
    ) {
        self.name = name
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.models = models
        self.transformers = transformers
        self.modelTransformers = modelTransformers
        self.wire = wire
    }

    /// The canonical spelling of a model this provider serves, compared case-insensitively.
    public func model(named name: String) -> String? {
        let lowered = name.lowercased()
        return self.models.first { $0.lowercased() == lowered }
    }

    /// The transformers that apply to a model: provider-level first, then model-level.
    public func transformers(for model: String) -> [TransformerReference] {
        self.transformers + (self.modelTransformers[model] ?? [])
    }
}

/// The wire protocols ccr can speak to an upstream.
public enum WireProtocol: String, Sendable, Equatable {
    /// Anthropic Messages (`/v1/messages`): the body is forwarded as is.
    case anthropic
    /// OpenAI Chat Completions (`/chat/completions`).
    case openAIChat = "openai-chat"
}

/// One entry of a `use` list: `"name"` or `["name", {options}]`.
public struct TransformerReference: Sendable, Equatable {
    public var name: String
    public var options: JSONObject

    public init(name: String, options: JSONObject = [:]) {
        self.name = name
        self.options = options
    }
}

/// `Router`: which `provider,model` serves each scenario.
public struct RouterTable: Sendable, Equatable {
    public var defaultRoute: RouteTarget?
    public var background: RouteTarget?
    public var think: RouteTarget?
    public var longContext: RouteTarget?
    public var longContextThreshold: Int = 60_000
    public var webSearch: RouteTarget?
    public var image: RouteTarget?

    public init() {}
}

/// A `provider,model` pair.
public struct RouteTarget: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var provider: String
    public var model: String

    public init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }

    /// Splits `"provider,model"` at the first comma, trimming spaces (the original did not trim,
    /// so `"deepseek, deepseek-chat"` sent the model `" deepseek-chat"`).
    public init?(parsing text: String) {
        guard let comma = text.firstIndex(of: ",") else { return nil }
        let provider = text[..<comma].trimmingSpaces()
        let model = text[text.index(after: comma)...].trimmingSpaces()
        guard !provider.isEmpty, !model.isEmpty else { return nil }
        self.provider = provider
        self.model = model
    }

    public var description: String { "\(self.provider),\(self.model)" }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    func trimmingSpaces() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" || first == "\n" || first == "\r" {
            scalars = scalars.dropFirst()
        }
        while let last = scalars.last, last == " " || last == "\t" || last == "\n" || last == "\r" {
            scalars = scalars.dropLast()
        }
        return String(String.UnicodeScalarView(scalars))
    }
}
