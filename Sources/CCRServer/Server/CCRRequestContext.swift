import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The request context of every route: the body limit, a request id, the connection watch.
public struct CCRRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Largest body Hummingbird's own decoders accept; `/v1/messages` applies the configured
    /// `BODY_LIMIT_MB` itself (it can change on reload).
    public var maxUploadSize: Int { 1024 * 1024 * 1024 }
    /// Tells handlers when the client has gone away.
    public let connectionWatch: ConnectionWatch
    /// `req_…`, on the response and every log line.
    public let requestID: String
    /// The usage record of a `/v1/messages` request, filled in as the answer passes.
    public var usageTicket: UsageTicket?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.connectionWatch = ConnectionWatchRegistry.watch(for: source.channel) ?? ConnectionWatch()
        self.requestID = RequestID.next()
        self.logger[metadataKey: "request_id"] = .string(self.requestID)
    }
}
