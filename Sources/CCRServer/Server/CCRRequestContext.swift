import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The request context of every route: the body limit, a request id, the connection watch.
public struct CCRRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Largest body accepted (from the config).
    public var maxUploadSize: Int
    /// Tells handlers when the client has gone away.
    public let connectionWatch: ConnectionWatch
    /// `req_…`, on the response and every log line.
    public let requestID: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.maxUploadSize = CCRRequestContext.bodyLimit.withLockedValue { $0 }
        self.connectionWatch = ConnectionWatchRegistry.watch(for: source.channel) ?? ConnectionWatch()
        self.requestID = RequestID.next()
        self.logger[metadataKey: "request_id"] = .string(self.requestID)
    }

    /// The body limit in force; set from the config before the server starts.
    static let bodyLimit = NIOLockedValueBox(32 * 1024 * 1024)
}
