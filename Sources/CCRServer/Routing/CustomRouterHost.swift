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
            path: expanded, home: home.root.path, configuration: Self.redacted(configuration.resolved),
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

    /// The config with every key replaced: the plugin sees providers, models and routes, not secrets.
    static func redacted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var object):
            for index in object.members.indices {
                let key = object.members[index].key
                if key == "api_key" || key == "APIKEY" || key == "api_keys" {
                    object.members[index].value = "<redacted>"
                } else {
                    object.members[index].value = Self.redacted(object.members[index].value)
                }
            }
            return .object(object)
        case .array(let items):
            return .array(items.map(Self.redacted))
        default:
            return value
        }
    }
}
