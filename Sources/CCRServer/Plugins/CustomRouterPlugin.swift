import CCRCore
import Foundation
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a custom router decided for one request.
public struct CustomRouterAnswer: Sendable, Equatable {
    /// The `provider,model` to use; `nil` to use the built-in rules.
    public var route: RouteTarget?
    /// The request body as the router left it, when it changed it.
    public var body: JSONValue?

    public init(route: RouteTarget?, body: JSONValue? = nil) {
        self.route = route
        self.body = body
    }
}

/// The `CUSTOM_ROUTER_PATH` plugin: a long-lived process asked to route each request
/// (docs/plugins.md).
///
/// A `.js` (or `.cjs`, `.mjs`) path runs under `node` through ccr's host script, which loads the
/// module as the original claude-code-router did (`require`, then
/// `await router(req, config, {event})`); any other path is executed directly and must speak the
/// protocol itself. Every failure (no answer in time, an error, a crash, a missing `node`) is
/// logged and makes ``route(body:tokenCount:sessionId:headers:)`` return `nil`: the caller then
/// uses the built-in rules.
public final class CustomRouterPlugin: Sendable {
    /// The plugin as configured (`CUSTOM_ROUTER_PATH`), made absolute.
    public let path: String
    /// The time limit of one call.
    public let timeout: Duration
    /// Why the plugin cannot run at all (logged once, at creation), if it cannot.
    public let unavailableReason: String?

    private let process: PluginProcess?
    private let encodedConfiguration: [UInt8]
    private let logger: Logger

    /// Prepares the plugin; the process starts on the first call, or on ``start()``.
    ///
    /// - Parameters:
    ///   - path: `CUSTOM_ROUTER_PATH`; `~` is expanded and a relative path is taken from the
    ///     current directory.
    ///   - home: The ccr home folder; the node host script is written to its `plugins` folder.
    ///   - configuration: The config as loaded (interpolated). Every `api_key` / `APIKEY` value is
    ///     replaced by `"<redacted>"` before it is sent (see ``redacted(_:)``).
    ///   - timeout: How long one call may take, starting the process included.
    ///   - environment: The plugin's environment; its `PATH` is where `node` is looked for.
    ///   - eventLoopGroup: Where the plugin's pipes are read and written.
    ///   - logger: Receives the plugin's stderr (info) and every failure.
    public init(
        path: String,
        home: String,
        configuration: JSONValue,
        timeout: Duration = .seconds(2),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        let absolute = URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL.path
        let name = URL(fileURLWithPath: absolute).lastPathComponent
        var logger = logger
        logger[metadataKey: "plugin"] = "\(name)"
        self.path = absolute
        self.timeout = timeout
        self.logger = logger
        self.encodedConfiguration = Self.redacted(configuration).encoded()

        let command: PluginProcess.Command
        switch Self.command(path: absolute, home: home, environment: environment) {
        case .success(let found):
            command = found
        case .failure(let reason):
            self.unavailableReason = reason.description
            self.process = nil
            logger.error("\(reason.description)")
            return
        }
        self.unavailableReason = nil
        self.process = PluginProcess(name: name, command: command, eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// Starts the plugin process now rather than on the first request; returns once it runs (or
    /// failed to start, which is logged).
    public func start() async {
        await self.process?.start()
    }

    /// Asks the plugin to route one request.
    ///
    /// - Parameters:
    ///   - body: The Anthropic Messages request body.
    ///   - tokenCount: Its token count, as the built-in rules see it.
    ///   - sessionId: The Claude Code session, when known.
    ///   - headers: The request headers; names are lowercased, and the values of `authorization`,
    ///     `x-api-key`, `proxy-authorization` and `cookie` are sent as `"<redacted>"`.
    /// - Returns: The route and the changed body, or `nil` when the plugin chose neither, failed,
    ///   timed out or cannot run (failures are logged).
    public func route(body: JSONValue, tokenCount: Int, sessionId: String?, headers: [String: String]) async -> CustomRouterAnswer? {
        guard let process = self.process else { return nil }
        let request = PluginRequest.route(
            body: body,
            tokenCount: tokenCount,
            sessionId: sessionId,
            headers: Self.pluginHeaders(headers),
            encodedConfiguration: self.encodedConfiguration
        )
        switch await process.call(request, timeout: self.timeout) {
        case .success(let result):
            return self.answer(from: result)
        case .failure(.timedOut):
            self.logger.warning("custom router gave no answer within \(Self.describe(self.timeout)); using the built-in rules")
        case .failure(.answeredWithError(let message)):
            self.logger.error("custom router failed: \(message); using the built-in rules")
        case .failure(.exited):
            self.logger.error("custom router process exited before answering; using the built-in rules (it is restarted)")
        case .failure(.startFailed), .failure(.disabled), .failure(.shutDown), .failure(.cancelled):
            // Already logged where it happened, or nobody waits any more.
            break
        }
        return nil
    }

    /// Stops the plugin process (closes its stdin, SIGTERM, reaps it). Calls return `nil` afterwards.
    public func shutdown() async {
        await self.process?.shutdown()
    }

    /// The running plugin's process id (tests).
    var processID: pid_t? {
        get async { await self.process?.processID }
    }

    // MARK: - Helpers

    private func answer(from result: JSONValue) -> CustomRouterAnswer? {
        let decoded: RouteResult
        do {
            decoded = try RouteResult(decoding: result)
        } catch {
            self.logger.warning("custom router answered something unusable (\(error)); using the built-in rules")
            return nil
        }
        var route: RouteTarget?
        if let text = decoded.route {
            route = RouteTarget(parsing: text)
            if route == nil {
                self.logger.warning("custom router chose \"\(text)\", which is not \"provider,model\"; using the built-in rules")
            }
        }
        guard route != nil || decoded.body != nil else { return nil }
        return CustomRouterAnswer(route: route, body: decoded.body)
    }

    /// The config as plugins see it: every `api_key`, `api_keys` and `APIKEY` value (at any depth,
    /// names compared case-insensitively) replaced by `"<redacted>"`.
    public static func redacted(_ configuration: JSONValue) -> JSONValue {
        switch configuration {
        case .object(var object):
            for index in object.members.indices {
                let key = object.members[index].key.lowercased()
                if key == "api_key" || key == "apikey" || key == "api_keys" {
                    object.members[index].value = Self.redactedSecret(object.members[index].value)
                } else {
                    object.members[index].value = Self.redacted(object.members[index].value)
                }
            }
            return .object(object)
        case .array(let elements):
            return .array(elements.map(Self.redacted))
        default:
            return configuration
        }
    }

    private static func redactedSecret(_ value: JSONValue) -> JSONValue {
        switch value {
        case .null: return .null
        case .array(let elements): return .array(elements.map(Self.redactedSecret))
        default: return "<redacted>"
        }
    }

    private static let secretHeaders: Set<String> = ["authorization", "x-api-key", "proxy-authorization", "cookie"]

    /// Lowercased names, sorted for a stable encoding; credentials redacted.
    static func pluginHeaders(_ headers: [String: String]) -> [(name: String, value: String)] {
        var merged: [String: String] = [:]
        for (name, value) in headers {
            let lowered = name.lowercased()
            let shown = Self.secretHeaders.contains(lowered) ? "<redacted>" : value
            merged[lowered] = merged[lowered].map { "\($0), \(shown)" } ?? shown
        }
        return merged.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }

    /// What to run for `path`, or why it cannot run.
    private static func command(path: String, home: String, environment: [String: String]) -> Result<PluginProcess.Command, Unavailable> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return .failure(Unavailable("CUSTOM_ROUTER_PATH \(path) does not exist; requests use the built-in rules"))
        }
        let fileExtension = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard ["js", "cjs", "mjs"].contains(fileExtension) else {
            guard access(path, X_OK) == 0 else {
                return .failure(
                    Unavailable(
                        "CUSTOM_ROUTER_PATH \(path) is not executable; chmod +x it (it must speak the protocol in docs/plugins.md), "
                            + "or use a .js module run by node"
                    )
                )
            }
            return .success(PluginProcess.Command(executable: path, arguments: [], environment: environment))
        }
        guard let node = NodeHost.findNode(environment: environment) else {
            return .failure(
                Unavailable(
                    "CUSTOM_ROUTER_PATH \(path) is a .js file but node was not found on PATH; install Node.js 18+ "
                        + "or point CUSTOM_ROUTER_PATH at an executable that speaks the protocol in docs/plugins.md"
                )
            )
        }
        let pluginsDirectory = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent("plugins", isDirectory: true)
        let host: URL
        do {
            host = try NodeHost.install(inPluginsDirectory: pluginsDirectory)
        } catch {
            let reason = "cannot write the node host for CUSTOM_ROUTER_PATH to \(pluginsDirectory.path): \(error.localizedDescription)"
            return .failure(Unavailable(reason))
        }
        return .success(PluginProcess.Command(executable: node, arguments: [host.path, path], environment: environment))
    }

    private struct Unavailable: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// `2 s`, `250 ms`.
    private static func describe(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}
