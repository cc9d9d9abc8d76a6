import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A fault-injecting provider on a loopback port, built directly on SwiftNIO so that it controls what happens
/// below HTTP: answers that never come, streams that stall, connections reset with RST or closed with FIN.
///
/// Each request (any method, any path) is answered by the ``Fault`` a ``Chooser`` picks, or by a weighted random
/// ``Mix``. The mock records every request and how each connection ended. It serves hundreds of concurrent
/// keep-alive connections on the shared NIO event loops, so a load harness can use it as a provider.
public final class FaultyUpstream: Sendable {
    /// Picks the fault for a request, given the request and its index (0, 1, 2, … in order of arrival).
    /// Runs on a NIO event loop: it must be quick and must not block.
    public typealias Chooser = @Sendable (Received, Int) -> Fault

    /// How the mock listens and what it keeps.
    public struct Configuration: Sendable {
        /// The address to bind.
        public var host: String
        /// The port to bind; 0 picks a free one.
        public var port: Int
        /// The listen backlog.
        public var backlog: Int
        /// Whether to keep every ``Received`` request and the fault each got (a long load run may not want them all
        /// in memory); fault counts and connection records are kept either way.
        public var recordsRequests: Bool
        /// Request bodies larger than this are answered `413` and the connection is closed.
        public var maxBodySize: Int
        /// The event loops to serve on; `nil` uses `MultiThreadedEventLoopGroup.singleton`.
        public var eventLoopGroup: (any EventLoopGroup)?

        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            backlog: Int = 1024,
            recordsRequests: Bool = true,
            maxBodySize: Int = 256 << 20,
            eventLoopGroup: (any EventLoopGroup)? = nil
        ) {
            self.host = host
            self.port = port
            self.backlog = backlog
            self.recordsRequests = recordsRequests
            self.maxBodySize = maxBodySize
            self.eventLoopGroup = eventLoopGroup
        }
    }

    /// One request as the mock received it.
    public struct Received: Sendable {
        /// The request's index: 0, 1, 2, … in order of arrival.
        public var index: Int
        /// The connection it came on (``ConnectionRecord/id``).
        public var connection: Int
        public var method: String
        public var path: String
        public var query: String?
        public var headers: HTTPFields
        public var body: [UInt8]
    }

    /// How a connection ended.
    public enum End: Sendable, Hashable {
        /// The client closed it (FIN), e.g. after a complete exchange or when it gave up waiting.
        case clientClosed
        /// The client reset it (RST).
        case clientReset
        /// The mock closed it cleanly: a `close…` fault, a request with `connection: close`, or an oversized body.
        case serverClosed
        /// The mock reset it: a `reset…` fault.
        case serverReset
        /// It was still open when the mock stopped.
        case serverStopped
        /// Some other I/O or protocol error.
        case error(String)
    }

    /// One connection's life.
    public struct ConnectionRecord: Sendable {
        /// 0, 1, 2, … in order of acceptance.
        public var id: Int
        /// The indices of the requests it carried, in order.
        public var requests: [Int]
        /// How it ended; `nil` while it is open.
        public var end: End?
        public var openedAt: ContinuousClock.Instant
        public var endedAt: ContinuousClock.Instant?
    }

    /// The mock could not start.
    public enum StartError: Error {
        /// ``start()`` was called while the mock was already running.
        case alreadyRunning
    }

    struct State {
        var requests: [Received] = []
        var kinds: [Int: Fault.Kind] = [:]
        var counts: [Fault.Kind: Int] = [:]
        var nextRequest = 0
        var connections: [Int: ConnectionRecord] = [:]
        var channels: [Int: any Channel] = [:]
        var nextConnection = 0
        var openConnections = 0
        var peakOpenConnections = 0
        var serverChannel: (any Channel)?
        var running = false
        var stopping = false
    }

    let configuration: Configuration
    let choose: Chooser
    let state = Mutex(State())

    /// A mock that answers each request with what `choose` returns.
    public init(configuration: Configuration = .init(), choose: @escaping Chooser) {
        self.configuration = configuration
        self.choose = choose
    }

    /// A mock that answers each request with a weighted random pick from `mix`.
    public convenience init(configuration: Configuration = .init(), mix: Mix) {
        self.init(configuration: configuration) { _, index in mix.fault(for: index) }
    }

    // MARK: - What happened

    /// Every request so far, by index (empty when ``Configuration/recordsRequests`` is off).
    public var requests: [Received] {
        self.state.withLock { $0.requests }.sorted { $0.index < $1.index }
    }

    /// The fault each request got, by index (empty when ``Configuration/recordsRequests`` is off).
    public var faultKinds: [Fault.Kind] {
        self.state.withLock { state in state.kinds.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// How many requests got each kind of fault.
    public var faultCounts: [Fault.Kind: Int] { self.state.withLock { $0.counts } }

    /// How many requests have arrived.
    public var requestCount: Int { self.state.withLock { $0.nextRequest } }

    /// Every connection so far, open or ended, by id.
    public var connections: [ConnectionRecord] {
        self.state.withLock { Array($0.connections.values) }.sorted { $0.id < $1.id }
    }

    /// How many connections are open now.
    public var openConnections: Int { self.state.withLock { $0.openConnections } }

    /// The most connections that were open at once.
    public var peakOpenConnections: Int { self.state.withLock { $0.peakOpenConnections } }

    /// Waits (polling every few milliseconds) until at least `count` connections have ended, or `timeout` passes.
    /// - Returns: whether they had.
    public func waitForEndedConnections(_ count: Int, timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if self.state.withLock({ state in state.connections.values.count { $0.end != nil } }) >= count { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    // MARK: - Lifetime

    /// Runs the mock for the duration of `body`, passing its base URL (`http://127.0.0.1:PORT`).
    public func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let (url, stop) = try await self.start()
        let result: T
        do {
            result = try await body(url)
        } catch {
            await stop()
            throw error
        }
        await stop()
        return result
    }

    /// Starts the mock for long-lived use.
    /// - Returns: its base URL (`http://HOST:PORT`) and a function that stops it (closing every open connection).
    /// - Throws: ``StartError/alreadyRunning``, or the bind error.
    public func start() async throws -> (url: String, stop: @Sendable () async -> Void) {
        try self.state.withLock { state in
            guard !state.running else { throw StartError.alreadyRunning }
            state.running = true
        }
        let group = self.configuration.eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Int32(self.configuration.backlog))
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let connection = self.connectionOpened(channel) else { throw ChannelError.ioOnClosedChannel }
                    let handler = FaultyUpstreamHandler(upstream: self, connection: connection)
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: self.configuration.host, port: self.configuration.port).get()
        } catch {
            self.state.withLock { $0.running = false }
            throw error
        }
        self.state.withLock { $0.serverChannel = channel }
        let port = channel.localAddress?.port ?? self.configuration.port
        return ("http://\(self.configuration.host):\(port)", { await self.stop() })
    }

    /// Stops listening and closes every open connection (recorded as ``End/serverStopped``).
    public func stop() async {
        let (server, channels) = self.state.withLock { state -> ((any Channel)?, [any Channel]) in
            state.stopping = true
            defer { state.serverChannel = nil }
            return (state.serverChannel, Array(state.channels.values))
        }
        try? await server?.close()
        for channel in channels {
            channel.close(promise: nil)
        }
        for channel in channels {
            try? await channel.closeFuture.get()
        }
        self.state.withLock { state in
            state.stopping = false
            state.running = false
        }
    }

    // MARK: - Called by the handler

    /// Registers a new connection; `nil` when the mock is stopping.
    func connectionOpened(_ channel: any Channel) -> Int? {
        self.state.withLock { state in
            guard !state.stopping else { return nil }
            let id = state.nextConnection
            state.nextConnection += 1
            state.channels[id] = channel
            state.connections[id] = ConnectionRecord(id: id, requests: [], end: nil, openedAt: .now, endedAt: nil)
            state.openConnections += 1
            state.peakOpenConnections = max(state.peakOpenConnections, state.openConnections)
            return id
        }
    }

    /// Records a complete request and picks its fault.
    func answer(connection: Int, method: String, uri: String, headers: HTTPHeaders, body: ByteBuffer) -> Fault {
        let index = self.state.withLock { state in
            let index = state.nextRequest
            state.nextRequest += 1
            state.connections[connection]?.requests.append(index)
            return index
        }
        var fields = HTTPFields()
        for header in headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        let path: String
        let query: String?
        if let mark = uri.firstIndex(of: "?") {
            path = String(uri[..<mark])
            query = String(uri[uri.index(after: mark)...])
        } else {
            path = uri
            query = nil
        }
        let received = Received(
            index: index, connection: connection, method: method, path: path, query: query, headers: fields,
            body: Array(body.readableBytesView))
        let fault = self.choose(received, index)
        let record = self.configuration.recordsRequests
        self.state.withLock { state in
            if record {
                state.requests.append(received)
                state.kinds[index] = fault.kind
            }
            state.counts[fault.kind, default: 0] += 1
        }
        return fault
    }

    /// Records how a connection ended; `end` is `nil` when the handler does not know (the peer went away, or the
    /// mock is stopping).
    func connectionEnded(_ connection: Int, end: End?) {
        self.state.withLock { state in
            guard state.channels.removeValue(forKey: connection) != nil else { return }
            state.openConnections -= 1
            state.connections[connection]?.end = end ?? (state.stopping ? .serverStopped : .clientClosed)
            state.connections[connection]?.endedAt = .now
        }
    }
}
