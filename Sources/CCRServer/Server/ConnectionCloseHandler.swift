import NIOCore
import Synchronization

/// Finds the ``ConnectionWatch`` of a channel from a request context.
enum ConnectionWatchRegistry {
    private static let watches = Mutex<[ObjectIdentifier: ConnectionWatch]>([:])

    static func register(_ watch: ConnectionWatch, for channel: any Channel) {
        self.watches.withLock { $0[ObjectIdentifier(channel)] = watch }
    }

    static func remove(for channel: any Channel) {
        _ = self.watches.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    static func watch(for channel: any Channel) -> ConnectionWatch? {
        self.watches.withLock { $0[ObjectIdentifier(channel)] }
    }
}

/// A pipeline handler that marks its connection's ``ConnectionWatch`` closed on EOF or close.
final class ConnectionCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    let watch = ConnectionWatch()

    func handlerAdded(context: ChannelHandlerContext) {
        ConnectionWatchRegistry.register(self.watch, for: context.channel)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.watch.markClosed()
        ConnectionWatchRegistry.remove(for: context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.watch.markClosed()
        ConnectionWatchRegistry.remove(for: context.channel)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            self.watch.markClosed()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.watch.markClosed()
        context.fireErrorCaught(error)
    }
}
