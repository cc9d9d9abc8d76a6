import CCRCore
import Foundation
import Logging
import Synchronization
import Testing

@testable import CCRServer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Custom router plugin (CUSTOM_ROUTER_PATH)", .serialized, .timeLimit(.minutes(1)))
struct CustomRouterPluginTests {
    static let readmeExample = """
        module.exports = async function router(req, config) {
          const userMessage = req.body.messages.find((m) => m.role === "user")?.content;
          if (userMessage && userMessage.includes("explain this code")) {
            return "openrouter,anthropic/claude-3.5-sonnet";
          }
          return null;
        };
        """

    @Test func readmeExampleRoutesThroughNode() async throws {
        let fixture = try Fixture(module: Self.readmeExample)
        let plugin = fixture.plugin()
        let matching = await plugin.route(body: Self.body(user: "Please explain this code: let x = 1"), tokenCount: 12, sessionId: nil, headers: [:])
        let other = await plugin.route(body: Self.body(user: "write a haiku"), tokenCount: 5, sessionId: nil, headers: [:])
        await plugin.shutdown()
        #expect(matching == CustomRouterAnswer(route: RouteTarget(provider: "openrouter", model: "anthropic/claude-3.5-sonnet")))
        #expect(other == nil)
    }

    @Test func moduleThatChangesTheBodyReturnsTheChangedBody() async throws {
        let fixture = try Fixture(
            module: """
                module.exports = async (req) => {
                  delete req.body.metadata;
                  req.body.max_tokens = 99;
                  return null;
                };
                """)
        let plugin = fixture.plugin()
        let body = Self.body(user: "hi", extra: [("metadata", ["user_id": "u1"])])
        let answer = await plugin.route(body: body, tokenCount: 1, sessionId: nil, headers: [:])
        await plugin.shutdown()
        var expected = body.objectValue!
        _ = expected.removeValue(forKey: "metadata")
        expected["max_tokens"] = 99
        #expect(answer == CustomRouterAnswer(route: nil, body: .object(expected)))
    }

    @Test func largeBodiesCrossThePipesWhole() async throws {
        let fixture = try Fixture(
            module: """
                module.exports = async (req) => {
                  req.body.messages.push({ role: "assistant", content: "seen " + req.body.messages[0].content.length });
                  return "big,model";
                };
                """)
        let plugin = fixture.plugin(timeout: .seconds(10))
        let text = String(repeating: "0123456789abcdef", count: 256 * 1024)
        let answer = await plugin.route(body: Self.body(user: text), tokenCount: 1, sessionId: nil, headers: [:])
        await plugin.shutdown()
        let messages = answer?.body?["messages"]?.arrayValue
        #expect(answer?.route == RouteTarget(provider: "big", model: "model"))
        #expect(messages?.first?["content"]?.stringValue == text)
        #expect(messages?.last?["content"]?.stringValue == "seen \(text.utf8.count)")
    }

    @Test func moduleExportedAsDefaultOrRouterIsFound() async throws {
        let asDefault = try Fixture(module: "module.exports.default = async () => 'a,default';")
        let asRouter = try Fixture(module: "module.exports = { router: async () => 'a,router' };")
        let first = asDefault.plugin()
        let second = asRouter.plugin()
        let one = await first.route(body: Self.body(user: "x"), tokenCount: 1, sessionId: nil, headers: [:])
        let two = await second.route(body: Self.body(user: "x"), tokenCount: 1, sessionId: nil, headers: [:])
        await first.shutdown()
        await second.shutdown()
        #expect(one?.route == RouteTarget(provider: "a", model: "default"))
        #expect(two?.route == RouteTarget(provider: "a", model: "router"))
    }

    @Test func moduleThatThrowsFallsBackAndLogsTheError() async throws {
        let fixture = try Fixture(
            module: """
                module.exports = async () => {
                  console.log("about to fail");
                  throw new Error("no route for you");
                };
                """)
        let plugin = fixture.plugin()
        let answer = await plugin.route(body: Self.body(user: "x"), tokenCount: 1, sessionId: nil, headers: [:])
        await plugin.shutdown()
        #expect(answer == nil)
        #expect(fixture.log.contains(level: .error, "custom router failed: no route for you"))
        // console.log inside the module reaches the log (through stderr), not the protocol.
        #expect(fixture.log.contains(level: .info, "about to fail"))
    }

    @Test func moduleThatNeverAnswersTimesOutAndTheNextCallStillWorks() async throws {
        let fixture = try Fixture(
            module: """
                module.exports = async (req) => {
                  if (req.body.hang) return new Promise(() => {});
                  return "fast,model";
                };
                """)
        let plugin = fixture.plugin(timeout: .milliseconds(400))
        await plugin.start()
        let started = ContinuousClock.now
        let hung = await plugin.route(body: Self.body(user: "x", extra: [("hang", true)]), tokenCount: 1, sessionId: nil, headers: [:])
        let elapsed = ContinuousClock.now - started
        let next = await plugin.route(body: Self.body(user: "x"), tokenCount: 1, sessionId: nil, headers: [:])
        await plugin.shutdown()
        #expect(hung == nil)
        #expect(elapsed >= .milliseconds(400) && elapsed < .milliseconds(2000))
        #expect(next?.route == RouteTarget(provider: "fast", model: "model"))
        #expect(fixture.log.contains(level: .warning, "no answer within 400 ms"))
    }

    @Test func processThatExitsIsRestartedForTheNextCall() async throws {
        let fixture = try Fixture(
            module: """
                module.exports = async (req) => {
                  if (req.body.exit) process.exit(3);
                  return "after,restart";
                };
                """)
        let plugin = fixture.plugin(timeout: .seconds(10))
        await plugin.start()
        let firstPID = await plugin.processID
        let started = ContinuousClock.now
        let crashed = await plugin.route(body: Self.body(user: "x", extra: [("exit", true)]), tokenCount: 1, sessionId: nil, headers: [:])
        let crashTime = ContinuousClock.now - started
        let next = await plugin.route(body: Self.body(user: "x"), tokenCount: 1, sessionId: nil, headers: [:])
        let secondPID = await plugin.processID
        await plugin.shutdown()
        #expect(crashed == nil)
        #expect(crashTime < .seconds(5), "a crash fails the call at once, not at the time limit")
        #expect(next?.route == RouteTarget(provider: "after", model: "restart"))
        #expect(firstPID != nil && secondPID != nil && firstPID != secondPID)
        #expect(fixture.log.contains(level: .error, "exited before answering"))
    }

    @Test func executableThatIsNotJavaScriptSpeaksTheProtocolDirectly() async throws {
        let fixture = try Fixture(
            file: "router.py", executable: true,
            source: """
                #!/usr/bin/env python3
                import json, sys

                for line in sys.stdin:
                    message = json.loads(line)
                    params = message["params"]
                    request = params["request"]
                    # Not a protocol line: ccr logs it and carries on.
                    sys.stdout.write("starting to think\\n")
                    seen = {
                        "tokenCount": request["tokenCount"],
                        "sessionId": request["sessionId"],
                        "authorization": request["headers"].get("authorization"),
                        "beta": request["headers"].get("anthropic-beta"),
                        "providerKey": params["config"]["Providers"][0]["api_key"],
                        "gatewayKey": params["config"]["APIKEY"],
                        "default": params["config"]["Router"]["default"],
                    }
                    body = dict(request["body"], seen=seen)
                    answer = {"id": message["id"], "result": {"route": "py,model-%d" % request["tokenCount"], "body": body}}
                    sys.stdout.write(json.dumps(answer) + "\\n")
                    sys.stdout.flush()
                """)
        let configuration: JSONValue = [
            "APIKEY": "gateway-secret-1234",
            "Providers": [["name": "p", "api_key": "sk-provider-secret-5678", "models": ["m"]]],
            "Router": ["default": "p,m"],
        ]
        let plugin = fixture.plugin(configuration: configuration, timeout: .seconds(10))
        let answer = await plugin.route(
            body: Self.body(user: "x"), tokenCount: 42, sessionId: "session-7",
            headers: ["Authorization": "Bearer sk-client-key-000", "Anthropic-Beta": "context-1m"])
        await plugin.shutdown()
        #expect(answer?.route == RouteTarget(provider: "py", model: "model-42"))
        let expected: JSONValue = [
            "tokenCount": 42, "sessionId": "session-7", "authorization": "<redacted>", "beta": "context-1m",
            "providerKey": "<redacted>", "gatewayKey": "<redacted>", "default": "p,m",
        ]
        #expect(answer?.body?["seen"] == expected)
        #expect(fixture.log.contains(level: .warning, "starting to think"))
    }

    @Test func manyConcurrentCallsAreMatchedToTheirAnswers() async throws {
        let fixture = try Fixture(
            module: """
                module.exports = async (req) => {
                  await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 30)));
                  return "echo,tokens-" + req.tokenCount;
                };
                """)
        let plugin = fixture.plugin(timeout: .seconds(10))
        await plugin.start()
        let answers = await withTaskGroup(of: (Int, CustomRouterAnswer?).self) { group in
            for index in 0..<50 {
                group.addTask { (index, await plugin.route(body: Self.body(user: "call \(index)"), tokenCount: index, sessionId: nil, headers: [:])) }
            }
            var collected: [Int: CustomRouterAnswer?] = [:]
            for await (index, answer) in group { collected[index] = answer }
            return collected
        }
        await plugin.shutdown()
        #expect(answers.count == 50)
        for index in 0..<50 {
            #expect(answers[index]??.route == RouteTarget(provider: "echo", model: "tokens-\(index)"))
        }
    }

    @Test func missingNodeGivesOneClearErrorAndNoRoutes() async throws {
        let fixture = try Fixture(module: Self.readmeExample)
        let plugin = fixture.plugin(environment: ["PATH": "/nonexistent-ccr-test-bin"])
        let first = await plugin.route(body: Self.body(user: "explain this code"), tokenCount: 1, sessionId: nil, headers: [:])
        let second = await plugin.route(body: Self.body(user: "explain this code"), tokenCount: 1, sessionId: nil, headers: [:])
        await plugin.shutdown()
        #expect(first == nil && second == nil)
        let expected =
            "CUSTOM_ROUTER_PATH \(fixture.modulePath) is a .js file but node was not found on PATH; "
            + "install Node.js 18+ or point CUSTOM_ROUTER_PATH at an executable that speaks the protocol in docs/plugins.md"
        #expect(plugin.unavailableReason == expected)
        #expect(fixture.log.messages(level: .error) == [expected])
    }

    @Test func pluginThatKeepsCrashingIsDisabled() async throws {
        let fixture = try Fixture(file: "crash.sh", executable: true, source: "#!/bin/sh\nexit 1\n")
        let plugin = fixture.plugin(timeout: .seconds(5))
        let deadline = ContinuousClock.now + .seconds(20)
        while !fixture.log.contains(level: .error, "disabled for"), ContinuousClock.now < deadline {
            _ = await plugin.route(body: Self.body(user: "x"), tokenCount: 1, sessionId: nil, headers: [:])
        }
        let started = ContinuousClock.now
        let answer = await plugin.route(body: Self.body(user: "x"), tokenCount: 1, sessionId: nil, headers: [:])
        let elapsed = ContinuousClock.now - started
        await plugin.shutdown()
        #expect(fixture.log.contains(level: .error, "disabled for"))
        #expect(answer == nil)
        #expect(elapsed < .milliseconds(500), "a disabled plugin answers nil at once, not at the time limit")
    }

    @Test func shutdownReapsTheProcessAndClosesItsPipes() async throws {
        let fixture = try Fixture(module: Self.readmeExample)
        let plugin = fixture.plugin()
        _ = await plugin.route(body: Self.body(user: "x"), tokenCount: 1, sessionId: nil, headers: [:])
        let pid = try #require(await plugin.processID)
        #if os(Linux)
        let childPipes = Set((0...2).compactMap { Self.link("/proc/\(pid)/fd/\($0)") })
        #expect(childPipes.count == 3)
        #endif
        await plugin.shutdown()
        errno = 0
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "the child is gone and reaped (a zombie still answers kill 0)")
        #if os(Linux)
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        let open = Set(descriptors.compactMap { Self.link("/proc/self/fd/\($0)") })
        #expect(open.isDisjoint(with: childPipes), "ccr's ends of the child's pipes are closed")
        #endif
        #expect(await plugin.processID == nil)
        #expect(fixture.log.contains(level: .debug, "status=exit code 0"), "node left on its own when its stdin closed")
        #expect(await plugin.route(body: Self.body(user: "explain this code"), tokenCount: 1, sessionId: nil, headers: [:]) == nil)
    }

    @Test func configSecretsAreRedactedAtAnyDepth() {
        let configuration: JSONValue = [
            "APIKEY": "top", "Providers": [["name": "a", "api_key": "k1", "apiKey": "k2", "api_keys": ["k3", "k4"]]],
            "nested": ["deeper": ["API_KEY": "k5", "other": "kept"]], "empty": ["api_key": nil],
        ]
        let expected: JSONValue = [
            "APIKEY": "<redacted>",
            "Providers": [["name": "a", "api_key": "<redacted>", "apiKey": "<redacted>", "api_keys": ["<redacted>", "<redacted>"]]],
            "nested": ["deeper": ["API_KEY": "<redacted>", "other": "kept"]], "empty": ["api_key": nil],
        ]
        #expect(CustomRouterPlugin.redacted(configuration) == expected)
    }

    @Test func roundTripLatencyThroughNode() async throws {
        let fixture = try Fixture(module: Self.readmeExample)
        let plugin = fixture.plugin()
        await plugin.start()
        let body = Self.body(user: "Please explain this code")
        for _ in 0..<20 { _ = await plugin.route(body: body, tokenCount: 10, sessionId: "s", headers: ["user-agent": "claude-cli"]) }
        var samples: [Duration] = []
        var answered = 0
        for _ in 0..<200 {
            let started = ContinuousClock.now
            if await plugin.route(body: body, tokenCount: 10, sessionId: "s", headers: ["user-agent": "claude-cli"]) != nil { answered += 1 }
            samples.append(ContinuousClock.now - started)
        }
        await plugin.shutdown()
        samples.sort()
        let median = samples[samples.count / 2]
        let p99 = samples[samples.count * 99 / 100]
        print("custom router round trip through node, 200 sequential calls: median \(median), p99 \(p99)")
        #expect(answered == 200)
        #expect(median < .milliseconds(50))
    }

    // MARK: - Helpers

    static func body(user text: String, extra: [(String, JSONValue)] = []) -> JSONValue {
        var object: JSONObject = [
            "model": "claude-sonnet-4-5", "max_tokens": 1024,
            "messages": [["role": "user", "content": .string(text)]],
        ]
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    static func link(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.hasPrefix("pipe:") ? target : nil
    }

    /// A temporary ccr home with one plugin file in it (removed afterwards), and a log that records
    /// what the plugin says.
    final class Fixture {
        let home: URL
        let modulePath: String
        let log = LogRecorder()

        convenience init(module source: String) throws {
            try self.init(file: "router.js", executable: false, source: source)
        }

        deinit {
            try? FileManager.default.removeItem(at: self.home)
        }

        init(file: String, executable: Bool, source: String) throws {
            self.home = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-plugin-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: self.home, withIntermediateDirectories: true)
            let path = self.home.appendingPathComponent(file).path
            try source.write(toFile: path, atomically: true, encoding: .utf8)
            if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
            self.modulePath = path
        }

        func plugin(
            configuration: JSONValue = ["Router": ["default": "p,m"]],
            timeout: Duration = .seconds(5),
            environment: [String: String] = ProcessInfo.processInfo.environment
        ) -> CustomRouterPlugin {
            CustomRouterPlugin(
                path: self.modulePath, home: self.home.path, configuration: configuration, timeout: timeout, environment: environment,
                logger: self.log.logger)
        }
    }

    /// Keeps every log message, with its level.
    final class LogRecorder: Sendable {
        let entries = Mutex<[(level: Logger.Level, message: String)]>([])

        var logger: Logger {
            Logger(label: "plugin-test") { _ in Handler(recorder: self) }
        }

        func messages(level: Logger.Level) -> [String] {
            self.entries.withLock { $0.filter { $0.level == level }.map(\.message) }
        }

        func contains(level: Logger.Level, _ text: String) -> Bool {
            self.messages(level: level).contains { $0.contains(text) }
        }

        struct Handler: LogHandler {
            let recorder: LogRecorder
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace

            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { self.metadata[key] }
                set { self.metadata[key] = newValue }
            }

            func log(event: LogEvent) {
                let metadata = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                let text = metadata.isEmpty ? event.message.description : "\(event.message) {\(metadata.joined(separator: " "))}"
                self.recorder.entries.withLock { $0.append((level: event.level, message: text)) }
            }
        }
    }
}
