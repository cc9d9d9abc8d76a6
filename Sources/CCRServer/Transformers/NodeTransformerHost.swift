import Foundation

/// The small Node.js program that runs one JavaScript custom transformer (a `transformers[]` entry
/// written for the original) and answers ccr's plugin requests for it (docs/plugins.md).
///
/// ccr writes it to `<ccr home>/plugins/.ccr-node-transformer-host.js` and runs
/// `node <that file> <absolute module path>`, with the entry's options as JSON in the environment
/// variable `CCR_TRANSFORMER_OPTIONS` (not on the command line, where other users could read them).
enum NodeTransformerHost {
    /// The script's file name inside the plugins folder.
    static let fileName = ".ccr-node-transformer-host.js"
    /// The environment variable that carries the entry's options.
    static let optionsVariable = "CCR_TRANSFORMER_OPTIONS"

    /// Writes the script into `pluginsDirectory` unless it is already there with this content.
    static func install(inPluginsDirectory pluginsDirectory: URL) throws -> URL {
        try NodeHostScript.install(self.script, fileName: self.fileName, inPluginsDirectory: pluginsDirectory)
    }

    /// The host program. stdout carries protocol lines only; whatever the module prints goes to
    /// stderr, which ccr logs.
    static let script = #"""
        // Written by ccr (claude-code-router in Swift) at start; edits are overwritten.
        // Runs one custom transformer module written for claude-code-router and answers ccr's
        // JSON-lines requests for it (see docs/plugins.md).
        // Usage: CCR_TRANSFORMER_OPTIONS='{...}' node .ccr-node-transformer-host.js /absolute/path/to/transformer.js

        """# + NodeHostScript.prelude + #"""
        let entryOptions = {};
        try {
          entryOptions = JSON.parse(process.env.CCR_TRANSFORMER_OPTIONS || '{}') || {};
        } catch (error) {
          logLine(`ccr transformer host: CCR_TRANSFORMER_OPTIONS is not JSON: ${describe(error)}`);
        }
        delete process.env.CCR_TRANSFORMER_OPTIONS;

        async function load() {
          let exported = await requireModule();
          if (exported && typeof exported !== 'function' && typeof exported.default === 'function') exported = exported.default;
          return exported;
        }

        const loaded = load();
        loaded.catch((error) => logLine(`cannot load custom transformer ${modulePath}: ${describe(error)}`));

        // One instance per distinct set of options: the entry's, overridden by a use list's.
        const instances = new Map();
        async function instance(useOptions) {
          const exported = await loaded.catch((error) => {
            throw new Error(`cannot load custom transformer ${modulePath}: ${describe(error)}`);
          });
          const options = Object.assign({}, entryOptions, useOptions || {});
          const key = JSON.stringify(options);
          if (!instances.has(key)) {
            let made;
            if (typeof exported === 'function') {
              made = new exported(options);
            } else if (exported && typeof exported === 'object') {
              made = exported;
            } else {
              throw new Error(`${modulePath} exports neither a class nor an object; write module.exports = class { ... }`);
            }
            instances.set(key, made);
          }
          return instances.get(key);
        }

        function providerOf(params) {
          const provider = (params && params.provider) || {};
          return { name: provider.name, baseUrl: provider.baseUrl, models: provider.models || [], transformer: provider.transformer };
        }

        function headersOf(headers) {
          if (!headers || typeof headers !== 'object') return undefined;
          const result = {};
          for (const [name, value] of Object.entries(headers)) {
            const dropped = value === undefined || value === null || (name.toLowerCase() === 'authorization' && String(value).includes('undefined'));
            result[name] = dropped ? null : String(value);
          }
          return result;
        }

        async function transformRequest(params) {
          const transformer = await instance(params.options);
          if (typeof transformer.transformRequestIn !== 'function') return { request: null };
          const result = await transformer.transformRequestIn(params.request, providerOf(params), { req: { body: params.request } });
          if (result && typeof result === 'object' && 'body' in result && !('messages' in result)) {
            const config = result.config || {};
            return {
              request: result.body,
              headers: headersOf(config.headers),
              url: config.url === undefined || config.url === null ? undefined : String(config.url),
            };
          }
          return { request: result === undefined ? null : result };
        }

        async function transformResponse(params) {
          const transformer = await instance(params.options);
          if (typeof transformer.transformResponseOut !== 'function') return { response: null };
          const response = new Response(JSON.stringify(params.response), {
            status: 200,
            headers: { 'content-type': 'application/json' },
          });
          const result = await transformer.transformResponseOut(response, { req: {} });
          if (!result || typeof result.json !== 'function') {
            throw new Error('transformResponseOut did not return a Response');
          }
          return { response: await result.json() };
        }

        async function handle(message) {
          const params = message.params || {};
          switch (message.method) {
            case 'hello':
              return { version: 1 };
            case 'describe': {
              const transformer = await instance(params.options);
              const methods = [];
              if (typeof transformer.transformRequestIn === 'function') methods.push('transformRequest');
              if (typeof transformer.transformResponseOut === 'function') methods.push('transformResponse');
              const name = transformer.name || (transformer.constructor && transformer.constructor.TransformerName);
              return { name: typeof name === 'string' ? name : null, methods };
            }
            case 'transformRequest':
              return transformRequest(params);
            case 'transformResponse':
              return transformResponse(params);
            default:
              throw new Error(`unknown method ${message.method}`);
          }
        }

        """# + NodeHostScript.requestLoop(hostName: "ccr transformer host", subject: "custom transformer")
}
