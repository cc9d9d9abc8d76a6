import Foundation

/// What the Node.js host programs (``NodeHost`` for a custom router, ``NodeTransformerHost`` for a
/// custom transformer) share: writing the script into the plugins folder, and the JavaScript that
/// keeps stdout for protocol lines, loads the module and answers ccr's JSON-lines requests.
enum NodeHostScript {
    /// Writes `script` as `fileName` into `pluginsDirectory` (creating the folder) unless it is
    /// already there with this content, and returns its path.
    static func install(_ script: String, fileName: String, inPluginsDirectory pluginsDirectory: URL) throws -> URL {
        let file = pluginsDirectory.appendingPathComponent(fileName)
        let content = Data(script.utf8)
        if let existing = try? Data(contentsOf: file), existing == content { return file }
        try FileManager.default.createDirectory(at: pluginsDirectory, withIntermediateDirectories: true)
        try content.write(to: file, options: .atomic)
        return file
    }

    /// The start of every host: the modules it needs, stdout kept for protocol lines (whatever the
    /// module prints goes to stderr), `modulePath`, `describe(error)` and `requireModule()`, which
    /// loads the module as CommonJS or, failing that, as an ES module.
    static let prelude = #"""
        'use strict';

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

        function describe(error) {
          if (error instanceof Error) return error.message || String(error);
          return typeof error === 'string' ? error : util.inspect(error);
        }

        async function requireModule() {
          try {
            return require(modulePath);
          } catch (error) {
            if (!error || error.code !== 'ERR_REQUIRE_ESM') throw error;
            return await import(pathToFileURL(modulePath).href);
          }
        }


        """#

    /// The end of every host: reads request lines from stdin, passes each to the script's
    /// `handle(message)` and writes the answers. `hostName` prefixes the host's own log lines;
    /// `subject` ("custom router") names what an unhandled rejection came from.
    static func requestLoop(hostName: String, subject: String) -> String {
        #"""

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
                logLine(`\#(hostName): ignored a line that is not JSON: ${describe(error)}`);
                return;
              }
              if (!message || typeof message.id !== 'number') {
                logLine('\#(hostName): ignored a message without a numeric id');
                return;
              }
              handle(message).then(
                (result) => answer(message.id, { result }),
                (error) => answer(message.id, { error: describe(error) }),
              );
            });
            // ccr closed our stdin (it is stopping, or gone): stop too.
            input.on('close', () => process.exit(0));
            process.on('unhandledRejection', (reason) => logLine(`unhandled rejection in the \#(subject): ${describe(reason)}`));

            """#
    }
}
