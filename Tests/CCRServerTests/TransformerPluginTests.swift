import CCRCore
import CCRTestSupport
import Foundation
import HTTPTypes
import Logging
import NIOCore
import Testing

@testable import CCRServer

/// Custom transformers (`transformers: [{path, options}]`) as plugin processes, and the chain
/// applied by the OpenAI Chat relay.
@Suite("Transformer plugins and the relay's chain", .serialized, .timeLimit(.minutes(1)))
struct TransformerPluginTests {
    /// A transformer written for the original: a class with a name, a request hook that returns
    /// `{body, config}`, and a response hook on a WHATWG Response.
    static let originalStyleModule = """
        class ProjectTransformer {
          name = "project-header";
          constructor(options) {
            this.options = options;
          }
          async transformRequestIn(request, provider) {
            request.metadata_project = this.options.project;
            request.seen_provider = provider.name;
            return { body: request, config: { headers: { "x-goog-user-project": this.options.project, Authorization: undefined } } };
          }
          async transformResponseOut(response) {
            const json = await response.json();
            json.choices[0].message.content = json.choices[0].message.content.toUpperCase();
            return new Response(JSON.stringify(json), { status: response.status, headers: response.headers });
          }
        }
        module.exports = ProjectTransformer;
        """

    /// The same protocol from any executable.
    static let pythonPlugin = #"""
        #!/usr/bin/env python3
        import json, sys
        for line in sys.stdin:
            message = json.loads(line)
            method, params = message.get("method"), message.get("params", {})
            if method == "describe":
                result = {"name": "py-extra"}
            elif method == "transformRequest":
                request = params["request"]
                request["plugin_field"] = params["options"].get("value", "none")
                result = {"request": request, "headers": {"x-plugin": "yes"}}
            else:
                result = None
            sys.stdout.write(json.dumps({"id": message["id"], "result": result}) + "\n")
            sys.stdout.flush()
        """#

    /// A ccr home with plugin files, removed afterwards.
    final class Home {
        let root: URL

        init() throws {
            self.root = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-transformers-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: self.root, withIntermediateDirectories: true)
        }

        deinit {
            try? FileManager.default.removeItem(at: self.root)
        }

        func write(_ name: String, _ source: String, executable: Bool = false) throws -> String {
            let path = self.root.appendingPathComponent(name).path
            try source.write(toFile: path, atomically: true, encoding: .utf8)
            if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
            return path
        }
    }

    static let quiet: Logger = {
        var logger = Logger(label: "transformer-test")
        logger.logLevel = .critical
        return logger
    }()

    static func configuration(_ text: String) throws -> CCRConfiguration {
        try ConfigLoader(environment: [:]).load(text: Array(text.utf8)).0
    }

    @Test func aModuleWrittenForTheOriginalRunsUnderNode() async throws {
        let home = try Home()
        let module = try home.write("project.js", Self.originalStyleModule)
        let configuration = try Self.configuration(
            #"""
            {"transformers": [{"path": "\#(module)", "options": {"project": "my-project"}}],
             "Providers": [{"name": "p", "api_base_url": "https://p.example/v1/chat/completions", "api_key": "k", "models": ["m"],
                            "transformer": {"use": [["maxtoken", {"max_tokens": 50}], "project-header"]}}],
             "Router": {"default": "p,m"}}
            """#)
        let plugins = try await TransformerPlugins.start(configuration: configuration, home: home.root.path, logger: Self.quiet)
        #expect(plugins.names == ["project-header"])
        let run = TransformerRun(provider: configuration.providers[0], model: "m", anthropicRequest: [:], plugins: plugins)
        let prepared = try await run.request(["model": "m", "max_tokens": 4000, "messages": []])
        let answer = try await run.response(
            ["id": "x", "choices": [["index": 0, "message": ["role": "assistant", "content": "quiet words"], "finish_reason": "stop"]]])
        await plugins.shutdown()
        #expect(prepared.body["max_tokens"] == 50)  // the built-in ran first
        #expect(prepared.body["metadata_project"] == "my-project")
        #expect(prepared.body["seen_provider"] == "p")
        #expect(prepared.headers.map(\.0) == ["x-goog-user-project", "authorization"])
        #expect(prepared.headers.first?.1 == "my-project" && prepared.headers.last?.1 == nil)
        #expect(answer["choices"]?.arrayValue?.first?["message"]?["content"] == "QUIET WORDS")
        var headers = [("accept", "*/*"), ("authorization", "Bearer k")]
        TransformerRun.apply(prepared.headers, to: &headers)
        #expect(headers.map(\.0) == ["accept", "x-goog-user-project"])
    }

    @Test func aStartWithAnUnservedNameFailsAndSaysWhy() async throws {
        let home = try Home()
        let configuration = try Self.configuration(
            #"""
            {"transformers": [{"path": "\#(home.root.path)/missing.js"}],
             "Providers": [{"name": "p", "api_base_url": "https://p.example/v1/chat/completions", "api_key": "k", "models": ["m"],
                            "transformer": {"use": ["gemini-cli"]}}],
             "Router": {"default": "p,m"}}
            """#)
        do {
            _ = try await TransformerPlugins.start(configuration: configuration, home: home.root.path, logger: Self.quiet)
            Issue.record("the start should fail")
        } catch {
            #expect(error.description.contains("transformer 'gemini-cli' used by provider 'p' is neither built in nor served by a custom transformer"))
            #expect(error.description.contains("missing.js does not exist"))
        }
        // A broken plugin nobody uses is only logged.
        let unused = try Self.configuration(#"{"transformers": [{"path": "\#(home.root.path)/missing.js"}]}"#)
        let plugins = try await TransformerPlugins.start(configuration: unused, home: home.root.path, logger: Self.quiet)
        #expect(plugins.names.isEmpty)
    }

    @Test func theRelaySendsTheTransformedRequestAndTransformsTheStream() async throws {
        let home = try Home()
        let plugin = try home.write("extra.py", Self.pythonPlugin, executable: true)
        let homePath = home.root.path
        let stream: [UInt8] = Array(
            [
                #"{"id":"gen-1","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Reading."}}]}"#,
                #"{"id":"gen-1","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"0","type":"function","function":{"name":"Read","arguments":"{file_path: 'a.txt',"}}]}}]}"#,
                #"{"id":"gen-1","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":" limit: 3"}}]}}]}"#,
                #"{"id":"gen-1","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":10,"completion_tokens":5}}"#,
                "[DONE]",
            ].map { "data: \($0)\n\n" }.joined().utf8)
        let upstream = MockUpstream { _, _ in .sse(events: [(.zero, stream)]) }
        try await upstream.run { base in
            let configuration = try Self.configuration(
                #"""
                {"transformers": [{"path": "\#(plugin)", "options": {"value": "from-options"}}],
                 "Providers": [{"name": "p", "api_base_url": "\#(base)/v1/chat/completions", "api_key": "k", "models": ["m"],
                                "transformer": {"use": ["openrouter", "enhancetool"], "m": {"use": [["maxtoken", {"max_tokens": 100}], "py-extra"]}}}],
                 "Router": {"default": "p,m"}}
                """#)
            let plugins = try await TransformerPlugins.start(configuration: configuration, home: homePath, logger: Self.quiet)
            let client = UpstreamClient(settings: .init(configuration: configuration))
            let state = ServerState(configuration: configuration, upstream: client, port: 0, transformerPlugins: plugins)
            do {
                let bytes = try await LiveServer.run({ onRunning in
                    CCRApplication.make(state: state, host: "127.0.0.1", port: 0, logger: Self.quiet, onServerRunning: onRunning)
                }) { port in
                    try await Self.post(
                        "http://127.0.0.1:\(port)/v1/messages",
                        #"{"model": "claude-sonnet-4-5", "max_tokens": 1000, "stream": true, "messages": [{"role": "user", "content": "read a.txt"}]}"#)
                }
                let summary = try AnthropicStreamValidator.validate(bytes)
                #expect(summary.text == "Reading.")
                #expect(summary.tools.map(\.input) == [["file_path": "a.txt", "limit": 3]])
                #expect(summary.tools.first?.id.hasPrefix("call_gen1_") == true)
                let sent = try #require(upstream.requests.first)
                #expect(sent.json?["max_tokens"] == 100)
                #expect(sent.json?["plugin_field"] == "from-options")
                #expect(sent.headers[HTTPField.Name("x-plugin")!] == "yes")
            } catch {
                await client.shutdown()
                await plugins.shutdown()
                throw error
            }
            await client.shutdown()
            await plugins.shutdown()
        }
    }

    static func post(_ url: String, _ json: String) async throws -> [UInt8] {
        try await RouterHarness.post(url, json: json).1
    }
}
