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
        let file = pluginsDirectory.appendingPathComponent(self.fileName)
        let content = Data(self.script.utf8)
        if let existing = try? Data(contentsOf: file), existing == content { return file }
        try FileManager.default.createDirectory(at: pluginsDirectory, withIntermediateDirectories: true)
        try content.write(to: file, options: .atomic)
        return file
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
        'use strict';

        const { EventEmitter } = require('node:events');
        const readline = require('node:readline');
        const util = require('node:util');
        const { pathToFileURL } = require('node:url');

        // stdout carries protocol lines only; everything the module prints goes to stderr.
        const writeProtocolLine = process.stdout.write.bind(process.stdout);
        const logLine = (...args) => {
          process.stderr.write(util.format(...args) + '\n');
        };
        process.stdout.write = process.stderr.write.bind(process.stderr);
        console.log = logLine;
        console.info = logLine;
        console.debug = logLine;

        const modulePath = process.argv[2];
        const event = new EventEmitter();

        function describe(error) {
          if (error instanceof Error) return error.message || String(error);
          return typeof error === 'string' ? error : util.inspect(error);
        }

        async function load() {
          let exported;
          try {
            exported = require(modulePath);
          } catch (error) {
            if (!error || error.code !== 'ERR_REQUIRE_ESM') throw error;
            exported = await import(pathToFileURL(modulePath).href);
          }
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

        function answer(id, outcome) {
          try {
            writeProtocolLine(JSON.stringify(Object.assign({ id }, outcome)) + '\n');
          } catch (error) {
            writeProtocolLine(JSON.stringify({ id, error: `cannot encode the answer: ${describe(error)}` }) + '\n');
          }
        }

        const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
        input.on('line', (line) => {
          if (line.trim() === '') return;
          let message;
          try {
            message = JSON.parse(line);
          } catch (error) {
            logLine(`ccr node host: ignored a line that is not JSON: ${describe(error)}`);
            return;
          }
          if (!message || typeof message.id !== 'number') {
            logLine('ccr node host: ignored a message without a numeric id');
            return;
          }
          handle(message).then(
            (result) => answer(message.id, { result }),
            (error) => answer(message.id, { error: describe(error) }),
          );
        });
        // ccr closed our stdin (it is stopping, or gone): stop too.
        input.on('close', () => process.exit(0));
        process.on('unhandledRejection', (reason) => logLine(`unhandled rejection in the custom router: ${describe(reason)}`));

        """#
}
