import AsyncHTTPClient
import CCRCore
import Foundation
import Hummingbird
import NIOCore

/// The load harness: ccr against the floor (the same load sent straight to the mock provider),
/// in one run. See docs/performance.md.
///
///     swift run -c release LoadHarness --ccr ../.build/release/ccr [--out results] [--quick]
@main
struct Harness {
    struct Options {
        var ccr = ""
        var out = "results"
        var quick = false
        var onlyPaced = false
        /// `small-json`, `large-json`, `small-stream`, `large-stream`: only send that load through ccr
        /// for 20 s (for a profiler attached to ccr).
        var soak = ""
        var streams = 512
        /// `--usage off`: run ccr with `Usage.enabled: false` (to measure what recording costs).
        var usage = true
    }

    static func parse() -> Options {
        var options = Options()
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = arguments.next() {
            switch argument {
            case "--ccr": options.ccr = arguments.next() ?? ""
            case "--out": options.out = arguments.next() ?? options.out
            case "--quick": options.quick = true
            case "--only-paced": options.onlyPaced = true
            case "--soak": options.soak = arguments.next() ?? ""
            case "--streams": options.streams = Int(arguments.next() ?? "") ?? 512
            case "--usage": options.usage = arguments.next() != "off"
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\nusage: LoadHarness --ccr PATH [--out DIR] [--quick]\n".utf8))
                exit(2)
            }
        }
        if options.ccr.isEmpty {
            FileHandle.standardError.write(Data("usage: LoadHarness --ccr PATH [--out DIR] [--quick]\n".utf8))
            exit(2)
        }
        return options
    }

    static func raiseFileLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    static func main() async throws {
        let options = Self.parse()
        Self.raiseFileLimit()
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let mock = MockProvider.application(port: 0) { port in
            continuation.yield(port)
            continuation.finish()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await mock.runService() }
            var iterator = ports.makeAsyncIterator()
            let mockPort = await iterator.next() ?? 0
            try await Self.measure(options: options, mockPort: mockPort)
            group.cancelAll()
        }
    }

    // MARK: - Bodies

    static func anthropicBodies() throws -> (small: JSONObject, large: JSONObject) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try JSONParser.parse(Array(Data(contentsOf: root.appendingPathComponent("Tests/CCRCoreTests/Fixtures/claude-code/01-main-turn-opus-default.json"))))
        let large = file["body"]!.objectValue!
        let small: JSONObject = [
            "model": "claude-opus-5-5", "max_tokens": 1024,
            "messages": [["role": "user", "content": .string(String(repeating: "Summarise the design of a local LLM gateway. ", count: 20))]],
        ]
        return (small, large)
    }

    static func variant(_ body: JSONObject, stream: Bool) -> JSONObject {
        var copy = body
        copy["stream"] = .bool(stream)
        return copy
    }

    // MARK: - The run

    struct Cell: Codable {
        var body: String
        var stream: Bool
        var concurrency: Int
        var requests: Int
        var floorP50: Double
        var floorP99: Double
        var ccrP50: Double
        var ccrP99: Double
        var addedP50: Double
        var addedP99: Double
        var floorThroughput: Double
        var ccrThroughput: Double
        var ttftAddedP50: Double?
        var eventAddedP50: Double?
        var eventAddedP99: Double?
        var failures: Int
        var ccrCPUMillisecondsPerRequest: Double
    }

    struct Report: Codable {
        var date: String
        var machine: String
        var ccrVersion: String
        var startToReadyMilliseconds: [Double]
        var idleRSSMiB: Double
        var cells: [Cell]
        var paced: Paced
    }

    struct Paced: Codable {
        var streams: Int
        var eventsPerStream: Int
        var intervalMilliseconds: Int
        var completed: Int
        var failed: Int
        var stalls: Int
        var floorEventP50: Double
        var floorEventP99: Double
        var ccrEventP50: Double
        var ccrEventP99: Double
        var ccrEventMax: Double
        var addedEventP50: Double
        var addedEventP99: Double
        var rssBeforeMiB: Double
        var rssPeakMiB: Double
        var rssAfterClientsLeftMiB: Double
        var rssAfterMiB: Double
        var seconds: Double
    }

    static func measure(options: Options, mockPort: Int) async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-load-\(getpid())")
        try? FileManager.default.removeItem(at: home)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let port = 20_000 + Int(getpid() % 10_000)
        try """
            {"PORT": \(port), "LOG_LEVEL": "info", "Providers": [{"name": "mock", "api_base_url": "http://127.0.0.1:\(mockPort)/v1/chat/completions",
              "api_key": "sk-load", "models": ["mock"]}], "Router": {"default": "mock,mock"}, "Usage": {"enabled": \(options.usage)}}
            """.write(to: home.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let environment = ["CCR_HOME": home.path, "HOME": home.path, "PATH": "/usr/bin:/bin"]

        // Start to ready, five times.
        var startTimes: [Double] = []
        for _ in 0..<5 {
            let started = MockProvider.now()
            try Self.ccr(options.ccr, ["start"], environment)
            startTimes.append(Double(MockProvider.now() - started) / 1e6)
            try Self.ccr(options.ccr, ["stop"], environment)
        }
        try Self.ccr(options.ccr, ["start"], environment)
        defer { _ = try? Self.ccr(options.ccr, ["stop"], environment) }
        let pid = Int32((try String(contentsOf: home.appendingPathComponent(".claude-code-router.pid"), encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        try await Task.sleep(for: .seconds(1))
        let idleRSS = ProcessStats.rssMiB(pid)
        print(String(format: "ccr start → ready: %@ ms; idle RSS %.1f MiB", startTimes.map { String(format: "%.0f", $0) }.joined(separator: ", "), idleRSS))

        let client = LoadClient()
        let bodies = try Self.anthropicBodies()
        let ccrURL = "http://127.0.0.1:\(port)/v1/messages"
        let floorURL = "http://127.0.0.1:\(mockPort)/v1/chat/completions"
        let target = OpenAIChatTarget(model: "mock")
        // Warm both paths (connections, caches).
        for stream in [false, true] {
            let anthropic = ByteBuffer(bytes: JSONValue.object(Self.variant(bodies.large, stream: stream)).encoded())
            let openAI = ByteBuffer(bytes: try OpenAIChatRequestEncoder.encode(Self.variant(bodies.large, stream: stream), target: target).encoded())
            _ = await client.run(count: 300, concurrency: 16, url: ccrURL, body: anthropic)
            _ = await client.run(count: 300, concurrency: 16, url: floorURL, body: openAI)
        }

        if !options.soak.isEmpty {
            let body = options.soak.hasPrefix("large") ? bodies.large : bodies.small
            let anthropic = ByteBuffer(bytes: JSONValue.object(Self.variant(body, stream: options.soak.hasSuffix("stream"))).encoded())
            print("soaking ccr (pid \(pid)) with \(options.soak) for 20 s")
            let deadline = MockProvider.now() + 20_000_000_000
            var sent = 0
            while MockProvider.now() < deadline {
                _ = await client.run(count: 200, concurrency: 1, url: ccrURL, body: anthropic)
                sent += 200
            }
            print("sent \(sent)")
            await client.shutdown()
            return
        }
        var cells: [Cell] = []
        let counts = options.quick ? [1: 200, 16: 800, 64: 1_600] : [1: 1_000, 16: 4_000, 64: 8_000]
        for (name, body) in options.onlyPaced ? [] : [("1 KB", bodies.small), ("50 KB Claude Code", bodies.large)] {
            for stream in [false, true] {
                let anthropic = ByteBuffer(bytes: JSONValue.object(Self.variant(body, stream: stream)).encoded())
                let openAI = ByteBuffer(bytes: try OpenAIChatRequestEncoder.encode(Self.variant(body, stream: stream), target: target).encoded())
                for concurrency in [1, 16, 64] {
                    let count = counts[concurrency]!
                    let floor = await client.run(count: count, concurrency: concurrency, url: floorURL, body: openAI)
                    let cpuBefore = ProcessStats.cpuSeconds(pid)
                    let ccr = await client.run(count: count, concurrency: concurrency, url: ccrURL, body: anthropic)
                    let cpu = (ProcessStats.cpuSeconds(pid) - cpuBefore) * 1000 / Double(count)
                    let cell = Self.cell(name, stream, concurrency, count, floor, ccr, cpu)
                    cells.append(cell)
                    print(Self.row(cell))
                }
            }
        }

        // 512 concurrent paced streams: 40 events 25 ms apart (1 s each), through ccr and direct.
        let streams = options.streams
        let events = 40
        let interval = 25
        var pacedBody = Self.variant(bodies.small, stream: true)
        pacedBody["messages"] = [["role": "user", "content": .string("mock-events=\(events) mock-interval-ms=\(interval) Stream slowly.")]]
        let pacedAnthropic = ByteBuffer(bytes: JSONValue.object(pacedBody).encoded())
        let pacedOpenAI = ByteBuffer(bytes: try OpenAIChatRequestEncoder.encode(pacedBody, target: target).encoded())
        let floorPaced = await client.run(count: streams, concurrency: streams, url: floorURL, body: pacedOpenAI)
        let rssBefore = ProcessStats.rssMiB(pid)
        let peak = PeakSampler(pid: pid)
        let sampler = Task { await peak.run() }
        let ccrPaced = await client.run(count: streams, concurrency: streams, url: ccrURL, body: pacedAnthropic)
        sampler.cancel()
        // The clients hang up; ccr keeps its pooled upstream connections until their 90 s idle
        // timeout. RSS is read once the client connections are gone and again after that timeout.
        await client.shutdown()
        try await Task.sleep(for: .seconds(5))
        let rssAfterClientsLeft = ProcessStats.rssMiB(pid)
        try await Task.sleep(for: .seconds(options.quick ? 5 : 95))
        let rssAfter = ProcessStats.rssMiB(pid)
        print(String(format: "RSS 5 s after the clients left: %.1f MiB; %d s later: %.1f MiB", rssAfterClientsLeft, options.quick ? 5 : 95, rssAfter))
        let floorDelays = floorPaced.samples.flatMap(\.eventDelays)
        let ccrDelays = ccrPaced.samples.flatMap(\.eventDelays)
        let completed = ccrPaced.samples.filter { $0.ok && $0.eventDelays.count == events }.count
        let shapes = Dictionary(grouping: ccrPaced.samples, by: { "\($0.ok ? "ok" : "failed") with \($0.eventDelays.count) events" }).mapValues(\.count)
        print("paced stream outcomes through ccr: \(shapes.sorted { $0.key < $1.key })")
        let floorShapes = Dictionary(grouping: floorPaced.samples, by: { "\($0.ok ? "ok" : "failed") with \($0.eventDelays.count) events" }).mapValues(\.count)
        print("paced stream outcomes direct: \(floorShapes.sorted { $0.key < $1.key })")
        let paced = Paced(
            streams: streams, eventsPerStream: events, intervalMilliseconds: interval, completed: completed,
            failed: streams - completed, stalls: ccrDelays.filter { $0 > 1000 }.count,
            floorEventP50: percentile(floorDelays, 50), floorEventP99: percentile(floorDelays, 99),
            ccrEventP50: percentile(ccrDelays, 50), ccrEventP99: percentile(ccrDelays, 99), ccrEventMax: ccrDelays.max() ?? .nan,
            addedEventP50: percentile(ccrDelays, 50) - percentile(floorDelays, 50), addedEventP99: percentile(ccrDelays, 99) - percentile(floorDelays, 99),
            rssBeforeMiB: rssBefore, rssPeakMiB: await peak.peak, rssAfterClientsLeftMiB: rssAfterClientsLeft, rssAfterMiB: rssAfter, seconds: ccrPaced.seconds)
        print(String(format: "512 paced streams: %d/%d complete, %d stalls (>1 s); event delay p50 %.3f ms (floor %.3f), p99 %.3f ms (floor %.3f), max %.1f ms; RSS before %.1f, peak %.1f, after %.1f MiB",
            completed, streams, paced.stalls, paced.ccrEventP50, paced.floorEventP50, paced.ccrEventP99, paced.floorEventP99, paced.ccrEventMax, rssBefore, paced.rssPeakMiB, rssAfter))

        let version = (try? Self.ccrOutput(options.ccr, ["--version"], environment)) ?? "?"
        let report = Report(
            date: ISO8601DateFormatter().string(from: Date()), machine: "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB",
            ccrVersion: version.trimmingCharacters(in: .whitespacesAndNewlines), startToReadyMilliseconds: startTimes, idleRSSMiB: idleRSS, cells: cells, paced: paced)
        try FileManager.default.createDirectory(atPath: options.out, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(report).write(to: URL(fileURLWithPath: options.out).appendingPathComponent("load.json"))
        try Self.markdown(report).write(to: URL(fileURLWithPath: options.out).appendingPathComponent("load.md"), atomically: true, encoding: .utf8)
        print("wrote \(options.out)/load.json and load.md")
    }

    static func cell(_ name: String, _ stream: Bool, _ concurrency: Int, _ count: Int, _ floor: (samples: [LoadClient.Sample], seconds: Double), _ ccr: (samples: [LoadClient.Sample], seconds: Double), _ cpu: Double) -> Cell {
        let f = floor.samples.filter(\.ok).map(\.latency)
        let c = ccr.samples.filter(\.ok).map(\.latency)
        let fTTFT = floor.samples.compactMap(\.ttft)
        let cTTFT = ccr.samples.compactMap(\.ttft)
        let fEvents = floor.samples.flatMap(\.eventDelays)
        let cEvents = ccr.samples.flatMap(\.eventDelays)
        return Cell(
            body: name, stream: stream, concurrency: concurrency, requests: count,
            floorP50: percentile(f, 50), floorP99: percentile(f, 99), ccrP50: percentile(c, 50), ccrP99: percentile(c, 99),
            addedP50: percentile(c, 50) - percentile(f, 50), addedP99: percentile(c, 99) - percentile(f, 99),
            floorThroughput: Double(f.count) / floor.seconds, ccrThroughput: Double(c.count) / ccr.seconds,
            ttftAddedP50: stream ? percentile(cTTFT, 50) - percentile(fTTFT, 50) : nil,
            eventAddedP50: stream ? percentile(cEvents, 50) - percentile(fEvents, 50) : nil,
            eventAddedP99: stream ? percentile(cEvents, 99) - percentile(fEvents, 99) : nil,
            failures: floor.samples.filter { !$0.ok }.count + ccr.samples.filter { !$0.ok }.count,
            ccrCPUMillisecondsPerRequest: cpu)
    }

    static func row(_ c: Cell) -> String {
        var line = String(format: "| %@ | %@ | %d | %d | %.3f / %.3f | %.3f / %.3f | %+.3f / %+.3f | %.0f / %.0f |", c.body, c.stream ? "stream" : "json", c.concurrency, c.requests, c.floorP50, c.floorP99, c.ccrP50, c.ccrP99, c.addedP50, c.addedP99, c.floorThroughput, c.ccrThroughput)
        if let t = c.ttftAddedP50, let e = c.eventAddedP50, let e99 = c.eventAddedP99 {
            line += String(format: " %+.3f | %+.3f / %+.3f |", t, e, e99)
        } else {
            line += " – | – |"
        }
        line += String(format: " %.3f | %d |", c.ccrCPUMillisecondsPerRequest, c.failures)
        return line
    }

    static func markdown(_ report: Report) -> String {
        var text = "# ccr load run \(report.date)\n\n\(report.ccrVersion) on \(report.machine). Times in ms; \"floor\" = the same load sent straight to the mock provider.\n\n"
        text += "`ccr start` → ready: \(report.startToReadyMilliseconds.map { String(format: "%.0f", $0) }.joined(separator: ", ")) ms; idle RSS \(String(format: "%.1f", report.idleRSSMiB)) MiB\n\n"
        text += "| body | mode | conc. | requests | floor p50 / p99 | ccr p50 / p99 | added p50 / p99 | req/s floor / ccr | TTFT added p50 | per-event added p50 / p99 | ccr CPU ms/req | failures |\n"
        text += "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for cell in report.cells { text += Self.row(cell) + "\n" }
        let p = report.paced
        text += String(format: "\n%d concurrent paced streams (%d events, %d ms apart): %d complete, %d failed, %d stalls over 1 s; per-event delay p50 %.3f ms (floor %.3f), p99 %.3f (floor %.3f), max %.1f; added p50 %+.3f, p99 %+.3f; RSS before %.1f MiB, peak %.1f, 5 s after the clients left %.1f, after the upstream pool's idle timeout %.1f (%+.1f %%).\n",
            p.streams, p.eventsPerStream, p.intervalMilliseconds, p.completed, p.failed, p.stalls, p.ccrEventP50, p.floorEventP50, p.ccrEventP99, p.floorEventP99, p.ccrEventMax, p.addedEventP50, p.addedEventP99, p.rssBeforeMiB, p.rssPeakMiB, p.rssAfterClientsLeftMiB, p.rssAfterMiB, (p.rssAfterMiB / p.rssBeforeMiB - 1) * 100)
        return text
    }

    /// Runs ccr to completion. (posix_spawn + waitpid: Foundation's Process does not always reap
    /// a child whose own child outlives it.)
    @discardableResult
    static func ccr(_ path: String, _ arguments: [String], _ environment: [String: String], output: String = "/dev/null") throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, &argv, &envp)
        guard result == 0 else { throw CocoaError(.executableLoad) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xFF
    }

    static func ccrOutput(_ path: String, _ arguments: [String], _ environment: [String: String]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-out-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Self.ccr(path, arguments, environment, output: file)
        return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }
}

/// Samples a process's RSS every 100 ms and keeps the peak.
actor PeakSampler {
    let pid: Int32
    private(set) var peak: Double = 0

    init(pid: Int32) {
        self.pid = pid
    }

    func run() async {
        while !Task.isCancelled {
            self.peak = max(self.peak, ProcessStats.rssMiB(self.pid))
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
