import CCRCore
import Foundation
import Logging
import Synchronization

/// What the running server shares between requests: the configuration in force, the upstream
/// pool, live counters.
public final class ServerState: Sendable {
    /// The parts that change together on a config reload.
    public struct Snapshot: Sendable {
        public var configuration: CCRConfiguration
        public var router: RequestRouter
        public var redactor: Redactor
    }

    private let snapshotBox: Mutex<Snapshot>
    public let upstream: UpstreamClient
    public let startedAt = Date()
    private let boundPort: Atomic<Int>
    /// The port the server listens on (the configured one, or the one picked for port 0).
    public var port: Int { self.boundPort.load(ordering: .relaxed) }
    /// Requests being answered now.
    public let inFlight = Atomic<Int>(0)
    /// Requests answered since start.
    public let served = Atomic<Int>(0)
    /// Requests that ended in an error status.
    public let failed = Atomic<Int>(0)

    /// Each session's last real input usage, for `longContext`.
    public let sessions = SessionUsageMemory()
    /// Per-project and per-session route tables, when the server runs on a ccr home.
    public let overrides: ProjectRouterOverrides?
    /// The custom router (`CUSTOM_ROUTER_PATH`), when configured.
    public let customRouting: CustomRouting?
    /// The custom transformers (`transformers`), by name.
    public let transformerPlugins: TransformerPlugins
    /// Key pools, circuit breakers, promoted fallbacks.
    public let resilience: any ResilienceStore
    /// The last requests and their attempts.
    public let journal = RequestJournal()
    /// The Prometheus metrics `GET /metrics` serves.
    public let metrics = CCRMetrics()
    /// Vertex AI access tokens, per service account.
    public let vertexAuth: VertexAuth
    /// Writes usage records to the store; `nil` when `Usage.enabled` is false or no store is open.
    public let usage: UsageRecorder?

    public init(
        configuration: CCRConfiguration, upstream: UpstreamClient, port: Int, overrides: ProjectRouterOverrides? = nil,
        customRouting: CustomRouting? = nil, transformerPlugins: TransformerPlugins = .none, vertexAuth: VertexAuth = VertexAuth(),
        usage: UsageRecorder? = nil
    ) {
        self.vertexAuth = vertexAuth
        self.usage = usage
        self.snapshotBox = Mutex(Self.snapshot(for: configuration))
        self.upstream = upstream
        self.boundPort = Atomic(port)
        self.overrides = overrides
        self.customRouting = customRouting
        self.transformerPlugins = transformerPlugins
        self.resilience = InMemoryResilienceStore(breaker: configuration.resilience.breaker)
    }

    static func snapshot(for configuration: CCRConfiguration) -> Snapshot {
        Snapshot(
            configuration: configuration, router: RequestRouter(configuration: configuration, countTokens: TokenCounting.count),
            redactor: Redactor(secrets: configuration.secrets))
    }

    /// Records the port actually bound.
    public func didBind(port: Int) {
        self.boundPort.store(port, ordering: .relaxed)
    }

    /// The configuration in force.
    public var snapshot: Snapshot { self.snapshotBox.withLock { $0 } }

    /// Puts a new configuration in force for the next requests; in-flight ones keep theirs.
    public func replace(configuration: CCRConfiguration) {
        let snapshot = Self.snapshot(for: configuration)
        self.snapshotBox.withLock { $0 = snapshot }
    }
}
