import CCRCore
import Foundation
import Logging
import NIOCore
import NIOPosix

/// The custom transformers of the config (`transformers`), each a plugin process, by the name that
/// `use` lists refer to.
public final class TransformerPlugins: Sendable {
    private let plugins: [String: TransformerPlugin]

    /// Why the server cannot start with these transformers.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    private init(plugins: [String: TransformerPlugin]) {
        self.plugins = plugins
    }

    /// No custom transformers.
    public static let none = TransformerPlugins(plugins: [:])

    /// The names served by plugins.
    public var names: Set<String> { Set(self.plugins.keys) }

    /// Starts every configured custom transformer and learns its name, then checks that every name
    /// in the providers' `use` lists is a built-in or one of them.
    ///
    /// A plugin that cannot run is an error when a `use` list needs it (the original only logged
    /// it and then dropped the transformer from the chain); otherwise it is logged and left out.
    /// - Throws: ``StartError`` naming each name no transformer serves and why.
    public static func start(
        configuration: CCRConfiguration,
        home: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws(StartError) -> TransformerPlugins {
        var plugins: [String: TransformerPlugin] = [:]
        var failures: [(entry: CustomTransformerConfiguration, reason: String)] = []
        for entry in configuration.customTransformers {
            switch TransformerPlugin.make(configuration: entry, home: home, environment: environment, eventLoopGroup: eventLoopGroup, logger: logger) {
            case .failure(let failure):
                failures.append((entry, failure.description))
            case .success(let plugin):
                switch await plugin.describe() {
                case .success(let name):
                    if plugins[name] != nil {
                        failures.append((entry, "another custom transformer already has the name '\(name)'"))
                        await plugin.shutdown()
                    } else {
                        if TransformerCatalog.builtInNames.contains(name) {
                            logger.notice("custom transformer '\(name)' (\(plugin.path)) replaces the built-in of that name")
                        }
                        plugins[name] = plugin
                        logger.info("custom transformer '\(name)' loaded from \(plugin.path)")
                    }
                case .failure(let failure):
                    failures.append((entry, failure.description))
                    await plugin.shutdown()
                }
            }
        }
        let loaded = TransformerPlugins(plugins: plugins)
        let missing = Self.unservedNames(configuration: configuration, served: loaded.names)
        if !missing.isEmpty {
            await loaded.shutdown()
            var lines = missing.map { "transformer '\($0.name)' used by \($0.users.joined(separator: ", ")) is neither built in nor served by a custom transformer" }
            lines += failures.map { "transformers entry \($0.entry.path): \($0.reason)" }
            throw StartError(description: lines.joined(separator: "; "))
        }
        for failure in failures {
            logger.error("custom transformer \(failure.entry.path) is not available (no provider uses it): \(failure.reason)")
        }
        return loaded
    }

    /// Names in the providers' `use` lists that no built-in and no plugin serves.
    static func unservedNames(configuration: CCRConfiguration, served: Set<String>) -> [(name: String, users: [String])] {
        var users: [String: [String]] = [:]
        var order: [String] = []
        for provider in configuration.providers {
            let chains = [("", provider.transformers)] + provider.modelTransformers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            for (model, chain) in chains {
                for reference in chain where !served.contains(reference.name) && !TransformerCatalog.builtInNames.contains(reference.name) {
                    if users[reference.name] == nil { order.append(reference.name) }
                    users[reference.name, default: []].append(model.isEmpty ? "provider '\(provider.name)'" : "model '\(model)' of provider '\(provider.name)'")
                }
            }
        }
        return order.map { ($0, users[$0] ?? []) }
    }

    /// Stops every plugin process.
    public func shutdown() async {
        for plugin in self.plugins.values { await plugin.shutdown() }
    }

    func plugin(named name: String) -> TransformerPlugin? {
        self.plugins[name]
    }
}
