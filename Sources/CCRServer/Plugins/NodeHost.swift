import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The small Node.js program that runs a JavaScript `CUSTOM_ROUTER_PATH` module and speaks the
/// plugin protocol (docs/plugins.md) for it, and the lookup of `node` itself.
///
/// ccr writes the script to `<ccr home>/plugins/.ccr-node-host.js` and runs
/// `node <that file> <absolute module path>`.
enum NodeHost {
    /// The script's file name inside the plugins folder.
    static let fileName = ".ccr-node-host.js"

    /// Writes the script into `pluginsDirectory` (creating the folder) unless it is already there
    /// with this content, and returns its path.
    static func install(inPluginsDirectory pluginsDirectory: URL) throws -> URL {
        try NodeHostScript.install(self.script, fileName: self.fileName, inPluginsDirectory: pluginsDirectory)
    }

    /// The first executable `node` in the `PATH` of `environment`, or `nil`.
    static func findNode(environment: [String: String]) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = URL(fileURLWithPath: String(directory), isDirectory: true).appendingPathComponent("node").path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// The host program. It keeps stdout for protocol lines only: whatever the module prints
    /// (console.log included) goes to stderr, which ccr logs.
    static let script = #"""
        // Written by ccr (claude-code-router in Swift) at start; edits are overwritten.
        // Runs a CUSTOM_ROUTER_PATH module and answers ccr's JSON-lines requests for it
        // (see docs/plugins.md). Usage: node .ccr-node-host.js /absolute/path/to/router.js

        """# + NodeHostScript.prelude + #"""
        const { EventEmitter } = require('node:events');
        const event = new EventEmitter();

        async function load() {
          const exported = await requireModule();
          const candidates = [exported, exported && exported.default, exported && exported.router];
          const router = candidates.find((candidate) => typeof candidate === 'function');
          if (!router) {
            throw new Error(`${modulePath} exports no function; write module.exports = async function router(req, config) { ... }`);
          }
          return router;
        }

        const routerLoaded = load();
        routerLoaded.catch((error) => logLine(`cannot load custom router ${modulePath}: ${describe(error)}`));

        async function route(params) {
          const router = await routerLoaded.catch((error) => {
            throw new Error(`cannot load custom router ${modulePath}: ${describe(error)}`);
          });
          const request = (params && params.request) || {};
          const req = {
            body: request.body,
            tokenCount: request.tokenCount,
            sessionId: request.sessionId === null ? undefined : request.sessionId,
            headers: request.headers || {},
          };
          const before = JSON.stringify(req.body);
          const chosen = await router(req, params ? params.config : undefined, { event });
          if (chosen && typeof chosen !== 'string') {
            throw new Error(`the router returned ${typeof chosen}; return a "provider,model" string, or a falsy value for the built-in rules`);
          }
          const result = { route: chosen || null };
          if (JSON.stringify(req.body) !== before) result.body = req.body;
          return result;
        }

        async function handle(message) {
          switch (message.method) {
            case 'hello':
              return { version: 1 };
            case 'route':
              return route(message.params);
            default:
              throw new Error(`unknown method ${message.method}`);
          }
        }

        """# + NodeHostScript.requestLoop(hostName: "ccr node host", subject: "custom router")
}
