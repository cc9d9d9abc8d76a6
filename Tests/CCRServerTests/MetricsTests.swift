import AsyncHTTPClient
import CCRCore
import CCRServer
import Foundation
import NIOCore
import Testing

@Suite struct MetricsTests {
    static let primary = RouteTarget(provider: "deepseek", model: "deepseek-chat")
    static let backup = RouteTarget(provider: "openrouter", model: "anthropic/claude-sonnet-4")

    static func record(
        _ outcome: UsageRecord.Outcome = .ok, status: Int = 200, scenario: RouteScenario = .default, route: RouteTarget = primary,
        target: RouteTarget = primary, usage: AnthropicUsage = AnthropicUsage(), ttft: Int? = nil, duration: Int = 1_000, cost: Double? = nil,
        attempts: [AttemptRecord]? = nil
    ) -> UsageRecord {
        UsageRecord(
            id: "req_test", startedAtMilliseconds: 0, clientModel: "claude-sonnet-4", scenario: scenario, reason: "test", route: route,
            target: target, status: status, outcome: outcome, stream: ttft != nil, usage: usage, ttftMilliseconds: ttft,
            durationMilliseconds: duration, costUSD: cost,
            attempts: attempts ?? [AttemptRecord(target: target, key: nil, status: status, failure: FailureKind.of(status: status), milliseconds: duration, note: "")])
    }

    /// The exposition's lines, for order-free comparison (the registry emits families in no set order).
    static func lines(_ metrics: CCRMetrics, circuits: [CircuitStatus] = [], streams: Int = 0, received: Int = 0) -> Set<String> {
        let text = String(decoding: metrics.render(circuits: circuits, streamsInFlight: streams, requestsReceived: received), as: UTF8.self)
        return Set(text.split(separator: "\n").map(String.init))
    }

    /// A few requests of each kind, as the integration and script tests use them.
    static func populated() -> CCRMetrics {
        let metrics = CCRMetrics()
        let usage = AnthropicUsage(inputTokens: 100, outputTokens: 20, cacheReadInputTokens: 1_000, cacheCreationInputTokens: 50)
        metrics.record(Self.record(usage: usage, ttft: 800, duration: 1_200, cost: 0.25))
        metrics.record(Self.record(usage: usage, ttft: 300, duration: 3_000, cost: 0.5))
        metrics.record(Self.record(.error, status: 502, duration: 200))
        metrics.record(
            Self.record(
                scenario: .think, target: Self.backup, usage: AnthropicUsage(inputTokens: 7, outputTokens: 3), duration: 700,
                attempts: [
                    AttemptRecord(target: Self.primary, key: nil, status: 503, failure: .server, milliseconds: 100, note: "503"),
                    AttemptRecord(target: Self.primary, key: nil, status: nil, failure: nil, milliseconds: 0, note: "skipped: breaker open"),
                    AttemptRecord(target: Self.backup, key: nil, status: 200, failure: nil, milliseconds: 600, note: "ok"),
                ]))
        return metrics
    }

    @Test func countsRequestsOutcomesAndErrors() {
        let lines = Self.lines(Self.populated())
        #expect(lines.contains(#"ccr_requests_total{provider="deepseek",model="deepseek-chat",scenario="default",outcome="ok"} 2"#))
        #expect(lines.contains(#"ccr_requests_total{provider="deepseek",model="deepseek-chat",scenario="default",outcome="error"} 1"#))
        #expect(lines.contains(#"ccr_requests_total{provider="openrouter",model="anthropic/claude-sonnet-4",scenario="think",outcome="ok"} 1"#))
        #expect(lines.contains(#"ccr_request_errors_total{provider="deepseek",model="deepseek-chat",scenario="default",status="502"} 1"#))
        #expect(lines.count { $0.hasPrefix("ccr_request_errors_total{") } == 1)
        #expect(lines.contains("# TYPE ccr_requests_total counter"))
    }

    @Test func countsTokensByTypeAndCostOnlyWhenPriced() {
        let lines = Self.lines(Self.populated())
        let labels = #"provider="deepseek",model="deepseek-chat",scenario="default""#
        #expect(lines.contains("ccr_tokens_total{\(labels),type=\"input\"} 200"))
        #expect(lines.contains("ccr_tokens_total{\(labels),type=\"output\"} 40"))
        #expect(lines.contains("ccr_tokens_total{\(labels),type=\"cache_read\"} 2000"))
        #expect(lines.contains("ccr_tokens_total{\(labels),type=\"cache_write\"} 100"))
        #expect(lines.contains("ccr_cost_usd_total{\(labels)} 0.75"))
        #expect(lines.contains("# TYPE ccr_cost_usd_total counter"))
        // The fallback request had no price: no cost series for it.
        #expect(!lines.contains { $0.hasPrefix(#"ccr_cost_usd_total{provider="openrouter""#) })
    }

    @Test func recordsTimingHistogramsInSeconds() {
        let lines = Self.lines(Self.populated())
        let labels = #"provider="deepseek",model="deepseek-chat",scenario="default""#
        #expect(lines.contains("# TYPE ccr_request_duration_seconds histogram"))
        // 1.2 s, 3 s and 0.2 s.
        #expect(lines.contains("ccr_request_duration_seconds_bucket{\(labels),le=\"0.5\"} 1"))
        #expect(lines.contains("ccr_request_duration_seconds_bucket{\(labels),le=\"1.0\"} 1"))
        #expect(lines.contains("ccr_request_duration_seconds_bucket{\(labels),le=\"2.5\"} 2"))
        #expect(lines.contains("ccr_request_duration_seconds_bucket{\(labels),le=\"5.0\"} 3"))
        #expect(lines.contains("ccr_request_duration_seconds_bucket{\(labels),le=\"600.0\"} 3"))
        #expect(lines.contains("ccr_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} 3"))
        #expect(lines.contains("ccr_request_duration_seconds_sum{\(labels)} 4.4"))
        #expect(lines.contains("ccr_request_duration_seconds_count{\(labels)} 3"))
        // Time to first token only for the two streams: 0.8 s and 0.3 s.
        #expect(lines.contains("ccr_ttft_seconds_bucket{\(labels),le=\"0.25\"} 0"))
        #expect(lines.contains("ccr_ttft_seconds_bucket{\(labels),le=\"0.5\"} 1"))
        #expect(lines.contains("ccr_ttft_seconds_bucket{\(labels),le=\"1.0\"} 2"))
        #expect(lines.contains("ccr_ttft_seconds_bucket{\(labels),le=\"+Inf\"} 2"))
        #expect(lines.contains("ccr_ttft_seconds_sum{\(labels)} 1.1"))
        #expect(lines.contains("ccr_ttft_seconds_count{\(labels)} 2"))
        #expect(!lines.contains { $0.hasPrefix(#"ccr_ttft_seconds_count{provider="openrouter""#) })
    }

    @Test func countsSentAttemptsAndFallbacks() {
        let lines = Self.lines(Self.populated())
        #expect(lines.contains(#"ccr_attempts_total{provider="deepseek",model="deepseek-chat",result="answered"} 2"#))
        #expect(lines.contains(#"ccr_attempts_total{provider="deepseek",model="deepseek-chat",result="server"} 2"#))
        #expect(lines.contains(#"ccr_attempts_total{provider="openrouter",model="anthropic/claude-sonnet-4",result="answered"} 1"#))
        #expect(lines.count { $0.hasPrefix("ccr_attempts_total{") } == 3)  // the skipped attempt was not sent
        #expect(lines.contains(#"ccr_fallbacks_total{scenario="think"} 1"#))
        #expect(lines.count { $0.hasPrefix("ccr_fallbacks_total{") } == 1)
    }

    @Test func escapesQuotesBackslashesAndNewlinesInLabels() {
        let metrics = CCRMetrics()
        let odd = RouteTarget(provider: "local", model: "say \"hi\"\\now\nplease")
        metrics.record(Self.record(route: odd, target: odd))
        let lines = Self.lines(metrics)
        #expect(lines.contains(#"ccr_requests_total{provider="local",model="say \"hi\"\\now\nplease",scenario="default",outcome="ok"} 1"#))
    }

    @Test func setsScrapeTimeGaugesAndBuildInfo() {
        let metrics = CCRMetrics()
        metrics.usageDropped()
        metrics.usageDropped()
        var lines = Self.lines(metrics, streams: 3, received: 5)
        #expect(lines.contains("ccr_streams_in_flight 3.0"))
        #expect(lines.contains("# TYPE ccr_streams_in_flight gauge"))
        #expect(lines.contains("ccr_requests_received_total 5"))
        #expect(lines.contains("ccr_usage_records_dropped_total 2"))
        #expect(lines.contains("ccr_build_info{version=\"\(CCRVersion.string)\"} 1.0"))
        lines = Self.lines(metrics, streams: 0, received: 8)
        #expect(lines.contains("ccr_streams_in_flight 0.0"))
        #expect(lines.contains("ccr_requests_received_total 8"))
    }

    @Test func reportsCircuitStatesAndDropsGoneBreakers() {
        let metrics = CCRMetrics()
        let circuits = [
            CircuitStatus(target: RouteTarget(provider: "a", model: "closed"), state: .closed, rateLimited: false),
            CircuitStatus(target: RouteTarget(provider: "a", model: "half"), state: .halfOpen, rateLimited: false),
            CircuitStatus(target: RouteTarget(provider: "a", model: "open"), state: .open, rateLimited: false),
            CircuitStatus(target: RouteTarget(provider: "a", model: "limited"), state: .closed, rateLimited: true),
        ]
        var lines = Self.lines(metrics, circuits: circuits)
        #expect(lines.contains(#"ccr_circuit_state{provider="a",model="closed"} 0.0"#))
        #expect(lines.contains(#"ccr_circuit_state{provider="a",model="half"} 1.0"#))
        #expect(lines.contains(#"ccr_circuit_state{provider="a",model="open"} 2.0"#))
        #expect(lines.contains(#"ccr_circuit_state{provider="a",model="limited"} 2.0"#))
        #expect(lines.contains(#"ccr_circuit_rate_limited{provider="a",model="limited"} 1.0"#))
        #expect(lines.contains(#"ccr_circuit_rate_limited{provider="a",model="open"} 0.0"#))
        lines = Self.lines(metrics, circuits: [CircuitStatus(target: RouteTarget(provider: "a", model: "open"), state: .closed, rateLimited: false)])
        #expect(lines.contains(#"ccr_circuit_state{provider="a",model="open"} 0.0"#))
        #expect(lines.count { $0.hasPrefix("ccr_circuit_state{") } == 1)
        #expect(lines.count { $0.hasPrefix("ccr_circuit_rate_limited{") } == 1)
    }

    @Test func storeListsCircuitStates() {
        let store = InMemoryResilienceStore(breaker: .init(minimumRequests: 2, failureRate: 0.5, openFor: .seconds(30)))
        let healthy = RouteTarget(provider: "p", model: "healthy")
        let failing = RouteTarget(provider: "p", model: "failing")
        let limited = RouteTarget(provider: "p", model: "limited")
        store.record(target: healthy, success: true)
        store.record(target: failing, success: false)
        store.record(target: failing, success: false)
        store.recordRateLimit(target: limited, for: .seconds(60))
        let circuits = Dictionary(uniqueKeysWithValues: store.circuits().map { ($0.target, $0) })
        #expect(circuits[healthy] == CircuitStatus(target: healthy, state: .closed, rateLimited: false))
        #expect(circuits[failing] == CircuitStatus(target: failing, state: .open, rateLimited: false))
        #expect(circuits[limited] == CircuitStatus(target: limited, state: .closed, rateLimited: true))
    }

    @Test func servesMetricsBehindTheAPIKey() async throws {
        let configuration = try RouterHarness.configuration(
            RouterHarness.anthropicConfig(upstream: "http://127.0.0.1:9", extra: #""APIKEY": "metrics-secret","#))
        try await RouterHarness.run(configuration) { base, state in
            state.metrics.record(Self.record(ttft: 100))
            state.resilience.record(target: Self.primary, success: true)
            var request = HTTPClientRequest(url: "\(base)/metrics")
            let refused = try await RouterHarness.client.execute(request, timeout: .seconds(10))
            #expect(refused.status == .unauthorized)
            request.headers.add(name: "authorization", value: "Bearer metrics-secret")
            let response = try await RouterHarness.client.execute(request, timeout: .seconds(10))
            #expect(response.status == .ok)
            #expect(response.headers["content-type"] == ["text/plain; version=0.0.4; charset=utf-8"])
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            let lines = Set(body.split(separator: "\n").map(String.init))
            #expect(lines.contains(#"ccr_requests_total{provider="deepseek",model="deepseek-chat",scenario="default",outcome="ok"} 1"#))
            #expect(lines.contains(#"ccr_circuit_state{provider="deepseek",model="deepseek-chat"} 0.0"#))
            #expect(lines.contains("ccr_streams_in_flight 0.0"))
        }
    }

    /// Prints the cost of ``CCRMetrics/record(_:)`` (it runs once per request); the bound only
    /// catches a gross regression, such as making the metric objects on every call.
    @Test func recordIsCheap() {
        let metrics = CCRMetrics()
        let usage = AnthropicUsage(inputTokens: 1_000, outputTokens: 200, cacheReadInputTokens: 5_000, cacheCreationInputTokens: 10)
        let records = (0..<8).map { index in
            let target = RouteTarget(provider: "p\(index % 2)", model: "model-\(index)")
            return Self.record(scenario: index.isMultiple(of: 3) ? .think : .default, target: target, usage: usage, ttft: 400 + index, duration: 2_000, cost: 0.001)
        }
        for record in records { metrics.record(record) }
        let count = 100_000
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for index in 0..<count { metrics.record(records[index & 7]) }
        }
        let nanoseconds = (Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9) / Double(count)
        print("CCRMetrics.record: \(Int(nanoseconds)) ns/record over \(count) records")
        #expect(nanoseconds < 50_000)
    }

    // MARK: The exposition as the official Prometheus parser reads it

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs python3 with the arguments, the input on standard input; `nil` when python3 cannot start.
    static func python(_ arguments: [String], input: [UInt8] = []) -> (status: Int32, output: String)? {
        let inputFile = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-metrics-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: inputFile) }
        guard FileManager.default.createFile(atPath: inputFile.path, contents: Data(input)),
            let stdin = FileHandle(forReadingAtPath: inputFile.path)
        else { return nil }
        defer { try? stdin.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.standardInput = stdin
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static let hasPrometheusClient = Self.python(["-c", "import prometheus_client.parser"])?.status == 0

    @Test(.enabled(if: hasPrometheusClient, "needs python3 with prometheus_client (pip install --user prometheus_client)"))
    func prometheusParserAcceptsTheExposition() throws {
        let metrics = Self.populated()
        let odd = RouteTarget(provider: "local", model: "say \"hi\"\\now\nplease")
        metrics.record(Self.record(route: odd, target: odd, ttft: 50, cost: 0.1))
        let circuits = [CircuitStatus(target: Self.primary, state: .open, rateLimited: false)]
        let exposition = metrics.render(circuits: circuits, streamsInFlight: 1, requestsReceived: 6)
        let script = Self.repositoryRoot.appendingPathComponent("scripts/check-metrics.py").path
        let result = try #require(Self.python([script], input: exposition))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("check-metrics: ok"))
        // A missing family fails the check.
        let missing = try #require(Self.python([script, "--require", "ccr_not_a_metric"], input: exposition))
        #expect(missing.status == 1)
        // So does text that is not an exposition.
        let broken = try #require(Self.python([script], input: Array("ccr_requests_total{provider=\"a} 1\n".utf8)))
        #expect(broken.status == 2)
    }
}
