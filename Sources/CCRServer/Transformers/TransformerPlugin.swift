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

/// One custom transformer (a `transformers[]` entry) running as a plugin process: a `.js` module
/// of the original's kind under `node` (through ``NodeTransformerHost``), or any executable that
/// speaks the protocol in docs/plugins.md.
final class TransformerPlugin: Sendable {
    /// The entry as configured.
    let configuration: CustomTransformerConfiguration
    /// The plugin file, made absolute.
    let path: String
    /// The time limit of one call.
    let timeout: Duration
    private let process: PluginProcess
    private let logger: Logger

    /// Why a plugin cannot run, or failed a call.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Prepares the plugin (the process starts on ``describe()``), or says why it cannot run.
    static func make(
        configuration: CustomTransformerConfiguration, home: String, environment: [String: String], eventLoopGroup: any EventLoopGroup, logger: Logger
    ) -> Result<TransformerPlugin, Failure> {
        let absolute = URL(fileURLWithPath: (configuration.path as NSString).expandingTildeInPath).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return .failure(Failure(description: "custom transformer \(absolute) does not exist"))
        }
        var environment = environment
        let command: PluginProcess.Command
        let fileExtension = URL(fileURLWithPath: absolute).pathExtension.lowercased()
        if ["js", "cjs", "mjs"].contains(fileExtension) {
            guard let node = NodeHost.findNode(environment: environment) else {
                return .failure(
                    Failure(
                        description: "custom transformer \(absolute) is a .js file but node was not found on PATH; install Node.js 18+ or use an executable that speaks the protocol in docs/plugins.md"
                    ))
            }
            let plugins = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent("plugins", isDirectory: true)
            let host: URL
            do {
                host = try NodeTransformerHost.install(inPluginsDirectory: plugins)
            } catch {
                return .failure(Failure(description: "cannot write the node host for custom transformers to \(plugins.path): \(error.localizedDescription)"))
            }
            environment[NodeTransformerHost.optionsVariable] = JSONValue.object(configuration.options).jsonString()
            command = PluginProcess.Command(executable: node, arguments: [host.path, absolute], environment: environment)
        } else {
            guard access(absolute, X_OK) == 0 else {
                return .failure(
                    Failure(description: "custom transformer \(absolute) is not executable; chmod +x it (it must speak the protocol in docs/plugins.md), or use a .js module"))
            }
            command = PluginProcess.Command(executable: absolute, arguments: [], environment: environment)
        }
        let name = URL(fileURLWithPath: absolute).lastPathComponent
        var logger = logger
        logger[metadataKey: "plugin"] = "\(name)"
        let process = PluginProcess(name: name, command: command, eventLoopGroup: eventLoopGroup, logger: logger)
        return .success(TransformerPlugin(configuration: configuration, path: absolute, process: process, logger: logger))
    }

    private init(configuration: CustomTransformerConfiguration, path: String, process: PluginProcess, logger: Logger) {
        self.configuration = configuration
        self.path = path
        self.timeout = .milliseconds(configuration.timeoutMilliseconds)
        self.process = process
        self.logger = logger
    }

    /// Starts the process and asks its name: the entry's `name` when the config gives one,
    /// otherwise the name the plugin reports.
    func describe() async -> Result<String, Failure> {
        await self.process.start()
        let params: JSONValue = ["options": .object(self.configuration.options)]
        switch await self.call("describe", params) {
        case .success(let result):
            let reported = result["name"]?.stringValue ?? result.stringValue
            if let configured = self.configuration.name {
                if let reported, reported != configured {
                    self.logger.notice("custom transformer calls itself '\(reported)'; the config's name '\(configured)' is used")
                }
                return .success(configured)
            }
            guard let reported, !reported.isEmpty else {
                return .failure(Failure(description: "custom transformer \(self.path) has no name; give its class a name field, or set \"name\" in its transformers entry"))
            }
            return .success(reported)
        case .failure(let failure):
            if let configured = self.configuration.name {
                // The config names it, so a plugin without `describe` can still serve.
                self.logger.debug("custom transformer did not describe itself (\(failure)); using the config's name")
                return .success(configured)
            }
            return .failure(Failure(description: "custom transformer \(self.path) did not say its name: \(failure)"))
        }
    }

    /// Runs `transformRequest`.
    /// - Returns: the new request (`nil`: unchanged), headers to set (`nil` value: remove) and a URL to use instead of the provider's.
    func transformRequest(
        name: String, options: JSONObject, request: JSONObject, provider: ProviderConfiguration, model: String
    ) async -> Result<(request: JSONObject?, headers: [(String, String?)], url: String?), Failure> {
        let params: JSONValue = [
            "transformer": .string(name), "options": .object(self.options(merging: options)), "request": .object(request),
            "provider": Self.providerJSON(provider), "model": .string(model),
        ]
        switch await self.call("transformRequest", params) {
        case .failure(let failure):
            return .failure(failure)
        case .success(let result):
            if result.isNull { return .success((nil, [], nil)) }
            guard let object = result.objectValue else {
                return .failure(Failure(description: "transformRequest answered \(result.kindDescription); expected {\"request\": {…}}"))
            }
            var changed: JSONObject?
            switch object["request"] {
            case nil, .null?: changed = nil
            case .object(let request)?: changed = request
            case let other?: return .failure(Failure(description: "\"request\" is \(other.kindDescription); expected the request object"))
            }
            var headers: [(String, String?)] = []
            for member in object["headers"]?.objectValue?.members ?? [] {
                headers.append((member.key.lowercased(), member.value.stringValue))
            }
            let url = object["url"]?.stringValue
            if let url, URLParts(url) == nil || !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                return .failure(Failure(description: "transformRequest answered the URL '\(url)', which is not http(s)"))
            }
            return .success((changed, headers, url))
        }
    }

    /// Runs `transformResponse` on a non-streamed answer; `nil`: unchanged.
    func transformResponse(name: String, options: JSONObject, response: JSONObject, provider: ProviderConfiguration, model: String) async -> Result<JSONObject?, Failure> {
        let params: JSONValue = [
            "transformer": .string(name), "options": .object(self.options(merging: options)), "response": .object(response),
            "provider": Self.providerJSON(provider), "model": .string(model),
        ]
        switch await self.call("transformResponse", params) {
        case .failure(let failure):
            return .failure(failure)
        case .success(let result):
            switch result["response"] ?? result {
            case .null: return .success(nil)
            case .object(let object): return .success(object)
            case let other: return .failure(Failure(description: "transformResponse answered \(other.kindDescription); expected {\"response\": {…}}"))
            }
        }
    }

    /// The entry's options, overridden key by key by those of the `use` list.
    func options(merging useOptions: JSONObject) -> JSONObject {
        var merged = self.configuration.options
        for member in useOptions.members { merged[member.key] = member.value }
        return merged
    }

    func shutdown() async {
        await self.process.shutdown()
    }

    private func call(_ method: String, _ params: JSONValue) async -> Result<JSONValue, Failure> {
        switch await self.process.call(PluginRequest(method: method, params: params), timeout: self.timeout) {
        case .success(let value):
            return .success(value)
        case .failure(.timedOut):
            return .failure(Failure(description: "no answer to \(method) within \(self.configuration.timeoutMilliseconds) ms"))
        case .failure(.answeredWithError(let message)):
            return .failure(Failure(description: "\(method) failed: \(message)"))
        case .failure(.exited):
            return .failure(Failure(description: "the process exited before answering \(method) (it is restarted)"))
        case .failure(.startFailed(let message)):
            return .failure(Failure(description: "cannot start: \(message)"))
        case .failure(.disabled):
            return .failure(Failure(description: "disabled for a while after exiting repeatedly"))
        case .failure(.shutDown):
            return .failure(Failure(description: "stopped"))
        case .failure(.cancelled):
            return .failure(Failure(description: "cancelled"))
        }
    }

    /// The provider as plugins see it: name, endpoint, models, chains; never the key.
    static func providerJSON(_ provider: ProviderConfiguration) -> JSONValue {
        func chain(_ references: [TransformerReference]) -> JSONValue {
            .array(references.map { $0.options.isEmpty ? .string($0.name) : [.string($0.name), .object($0.options)] })
        }
        var transformer: JSONObject = ["use": chain(provider.transformers)]
        for (model, references) in provider.modelTransformers.sorted(by: { $0.key < $1.key }) {
            transformer[model] = ["use": chain(references)]
        }
        return [
            "name": .string(provider.name), "baseUrl": .string(provider.baseURL), "models": .array(provider.models.map(JSONValue.string)),
            "transformer": .object(transformer),
        ]
    }
}
