import CCRCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Builds the Hummingbird application: routes, middleware, the HTTP/1 server with a connection
/// watch on every channel.
public enum CCRApplication {
    /// The router with every route of ccr.
    public static func router(state: ServerState) -> Router<CCRRequestContext> {
        let router = Router(context: CCRRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: AnthropicErrorMiddleware())
        router.add(middleware: AuthMiddleware(state: state))
        InfoController(state: state).addRoutes(to: router)
        MetricsController(state: state).addRoutes(to: router)
        MessagesController(state: state).addRoutes(to: router)
        UsageController(state: state).addRoutes(to: router)
        return router
    }

    /// The application, listening on `host:port` (port 0 picks a free one).
    public static func make(
        state: ServerState,
        host: String,
        port: Int,
        logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: Self.router(state: state),
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionCloseHandler()], idleTimeout: .seconds(300))),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                if let bound = channel.localAddress?.port { state.didBind(port: bound) }
                await onServerRunning(channel)
            },
            logger: logger)
    }
}
