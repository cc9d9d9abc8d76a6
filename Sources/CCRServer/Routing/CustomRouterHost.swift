import CCRCore
import Foundation
import Logging

/// The `CUSTOM_ROUTER_PATH` plugin as the router sees it: a ``CustomRouting`` function backed by
/// one long-lived plugin process.
public struct CustomRouterHost: Sendable {
    let plugin: CustomRouterPlugin

    /// Starts the configured plugin; `nil` when `CUSTOM_ROUTER_PATH` is not set.
    public static func start(configuration: CCRConfiguration, home: CCRHome, logger: Logger) async throws -> CustomRouterHost? {
        guard let path = configuration.customRouterPath else { return nil }
        let expanded = (path as NSString).expandingTildeInPath
        let plugin = CustomRouterPlugin(
            path: expanded, home: home.root.path, configuration: configuration.resolved,
            timeout: .milliseconds(configuration.customRouterTimeoutMilliseconds), logger: logger)
        await plugin.start()
        return CustomRouterHost(plugin: plugin)
    }

    /// The function the router calls.
    public var routing: CustomRouting {
        let plugin = self.plugin
        return { body, tokens, session, headers in
            guard let answer = await plugin.route(body: .object(body), tokenCount: tokens, sessionId: session, headers: headers) else { return nil }
            return CustomRoutingAnswer(route: answer.route?.description, body: answer.body?.objectValue)
        }
    }

    public func shutdown() async {
        await self.plugin.shutdown()
    }
}
