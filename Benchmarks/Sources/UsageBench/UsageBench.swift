import AsyncHTTPClient
import CCRCore
import CCRServer
import Foundation
import Logging
import NIOCore

/// What ccr's usage record costs and how fast it answers (issue 8; docs/performance.md):
/// - the request-path cost of one record (opening and closing its ticket, the metrics, the queue);
/// - the write cost per record (batched SQLite inserts, as the recorder does them);
/// - `GET /api/usage/summary`, `/api/usage` and the summary by session, against a running ccr
///   whose store holds `--records` requests.
///
///     swift run -c release UsageBench --ccr ../.build/release/ccr [--records 10000]
@main
struct UsageBench {
    static func main() async throws {
        var ccrPath = ""
        var count = 10_000
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = arguments.next() {
            switch argument {
            case "--ccr": ccrPath = arguments.next() ?? ""
            case "--records": count = Int(arguments.next() ?? "") ?? count
            default:
                FileHandle.standardError.write(Data("usage: UsageBench --ccr PATH [--records N]\n".utf8))
                exit(2)
            }
        }
        guard !ccrPath.isEmpty else {
            FileHandle.standardError.write(Data("usage: UsageBench --ccr PATH [--records N]\n".utf8))
            exit(2)
        }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-usage-bench-\(getpid())")
        try? FileManager.default.removeItem(at: home)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }

        try await Self.requestPathCost()
        for batch in [10, 50, 1_000] {
            let directory = home.appendingPathComponent("sweep-\(batch)")
            let sweep = try UsageStore(path: directory.appendingPathComponent("usage.sqlite").path)
            try await Self.writeCost(store: sweep, count: 5_000, batch: batch)
        }
        let store = try UsageStore(path: UsageStore.path(in: CCRHome(root: home)))
        try await Self.writeCost(store: store, count: count, batch: 100)
        print("store: \(try await store.count()) records, \(Self.fileSize(store.path) / 1024) KiB")
        try await Self.queryTimes(ccr: ccrPath, home: home)
    }

    static func record(_ index: Int, now: Int64) -> UsageRecord {
        let models = [("deepseek", "deepseek-chat"), ("openrouter", "anthropic/claude-sonnet-4.5"), ("gemini", "gemini-2.5-pro"), ("local", "qwen3-coder"), ("openai", "gpt-5")]
        let scenarios: [RouteScenario] = [.default, .background, .think, .longContext, .subagent]
        let (provider, model) = models[index % models.count]
        let target = RouteTarget(provider: provider, model: model)
        let ttft = 200 + (index * 37) % 3_000
        let duration = ttft + (index * 91) % 20_000
        let usage = AnthropicUsage(
            inputTokens: 500 + (index * 13) % 5_000, outputTokens: 50 + (index * 7) % 2_000, cacheReadInputTokens: (index * 131) % 60_000,
            cacheCreationInputTokens: (index * 17) % 3_000)
        return UsageRecord(
            id: "req_bench\(index)", startedAtMilliseconds: now - Int64(index) * 250_000, session: "session-\(index % 50)", project: "-work-repo\(index % 7)",
            clientModel: "claude-sonnet-4-5", scenario: scenarios[index % scenarios.count], reason: "bench", route: target, target: target,
            keyID: "key-1234abcd", status: index % 40 == 0 ? 529 : 200, outcome: index % 40 == 0 ? .error : .ok, stream: true, usage: usage,
            ttftMilliseconds: ttft, durationMilliseconds: duration, costUSD: PriceTable().cost(of: usage, target: target),
            attempts: [AttemptRecord(target: target, key: "key-1234abcd", status: 200, failure: nil, milliseconds: duration, note: "answered")])
    }

    /// Opening a ticket, noting the answer and attempts, closing it into the metrics and the queue.
    static func requestPathCost() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-usage-bench-q-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try UsageStore(path: directory.appendingPathComponent("usage.sqlite").path)
        let iterations = 200_000
        let metrics = CCRMetrics()
        let prices = PriceTable()
        let template = Self.record(1, now: 1_796_054_668_123)
        let answered = template.attempts
        for round in 0..<3 {
            let recorder = UsageRecorder(store: store, settings: UsageSettings(queueCapacity: iterations + 1), logger: Logger(label: "bench"))
            let started = ContinuousClock.now
            for index in 0..<iterations {
                var record = template
                record.id = "req_\(index)"
                let ticket = UsageTicket(record: record, started: .now, prices: prices) { finished in
                    metrics.record(finished)
                    recorder.enqueue(finished)
                }
                ticket.noteFirstContent()
                ticket.noteAnswer(usage: template.usage, model: "deepseek-chat-v3")
                ticket.noteAttempts(answered)
                ticket.close(status: 200, outcome: .ok)
            }
            let elapsed = ContinuousClock.now - started
            let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            print(String(format: "request path, round %d: %.2f µs per request (ticket, price, metrics, queue) over %d", round + 1, nanoseconds / Double(iterations) / 1_000, iterations))
        }
    }

    /// Batched inserts of `count` records, `batch` per transaction (the recorder writes what
    /// arrived in 50 ms, up to 1,000 at a time).
    static func writeCost(store: UsageStore, count: Int, batch: Int) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let records = (0..<count).map { Self.record($0, now: now) }
        let started = ContinuousClock.now
        var index = 0
        while index < records.count {
            try await store.insert(Array(records[index..<min(index + batch, records.count)]))
            index += batch
        }
        let elapsed = ContinuousClock.now - started
        let microseconds = (Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12) / Double(count)
        print(String(format: "write: %.1f µs per record (%d records with one attempt each, %d per transaction, WAL, synchronous=NORMAL)", microseconds, count, batch))
    }

    static func queryTimes(ccr: String, home: URL) async throws {
        let port = 21_000 + Int(getpid() % 9_000)
        try #"{"PORT": \#(port), "Providers": [{"name": "mock", "api_base_url": "http://127.0.0.1:9/v1/chat/completions", "api_key": "sk-x", "models": ["m"]}], "Router": {"default": "mock,m"}}"#
            .write(to: home.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let environment = ["CCR_HOME": home.path, "HOME": home.path, "PATH": "/usr/bin:/bin"]
        try Self.run(ccr, ["start"], environment)
        defer { try? Self.run(ccr, ["stop"], environment) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        for (name, path) in [
            ("summary (model, provider, scenario, day)", "/api/usage/summary?since=all"),
            ("summary by session", "/api/usage/summary?since=all&by=session"),
            ("summary, last 7 days", "/api/usage/summary?since=7d"),
            ("records, page of 50", "/api/usage?since=all&page_size=50"),
        ] {
            var times: [Double] = []
            var bytes = 0
            for _ in 0..<60 {
                let started = ContinuousClock.now
                let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(30))
                let body = try await response.body.collect(upTo: 64 << 20)
                let elapsed = ContinuousClock.now - started
                times.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
                bytes = body.readableBytes
                guard response.status == .ok else { throw CocoaError(.fileReadUnknown) }
            }
            let first = times[0]
            times = Array(times.dropFirst(10)).sorted()
            print(String(format: "%@: first %.1f ms; then p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d bytes)", name, first, times[times.count / 2], times[Int(Double(times.count) * 0.99)], times.last ?? 0, bytes))
        }
        try await client.shutdown()
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int ?? 0)
            + ((try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size]) as? Int ?? 0)
    }

    /// Runs a ccr command and waits for it (posix_spawn + waitpid: Foundation's Process does not
    /// reap its child from an async main on Linux).
    static func run(_ path: String, _ arguments: [String], _ environment: [String: String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, path, &actions, nil, &argv, &envp) == 0 else { throw CocoaError(.executableLoad) }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
