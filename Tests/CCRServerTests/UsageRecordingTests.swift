import AsyncHTTPClient
import CCRCore
import CCRServer
import CCRTestSupport
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// A usage store in a fresh temporary folder and its recorder (not running: tests flush it).
struct UsageFixture {
    let directory: URL
    let store: UsageStore
    let recorder: UsageRecorder

    init(capacity: Int = 10_000) throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-usage-\(UUID().uuidString.prefix(8))")
        self.store = try UsageStore(path: self.directory.appendingPathComponent("data/usage.sqlite").path)
        var logger = Logger(label: "usage-test")
        logger.logLevel = .critical
        self.recorder = UsageRecorder(store: self.store, settings: UsageSettings(queueCapacity: capacity), logger: logger)
    }

    /// Every stored record, oldest first, once the recorder has written what it holds.
    func records() async throws -> [UsageRecord] {
        await self.recorder.writeQueued()
        var all: [UsageRecord] = []
        try await self.store.forEachBatch(UsageFilter()) { all += $0 }
        return all
    }
}

@Suite("Usage store")
struct UsageStoreTests {
    static func record(_ id: String, at: Int64, model: String = "m1", session: String = "s1", outcome: UsageRecord.Outcome = .ok) -> UsageRecord {
        UsageRecord(
            id: id, startedAtMilliseconds: at, session: session, project: "-work-repo", clientModel: "claude-sonnet-4-5", scenario: .background,
            reason: "haiku", route: RouteTarget(provider: "p", model: "m0"), target: RouteTarget(provider: "p", model: model), upstreamModel: "m1-2026",
            keyID: "key-abc", status: outcome == .ok ? 200 : 529, outcome: outcome, errorMessage: outcome == .ok ? nil : "overloaded", stream: true,
            usage: AnthropicUsage(inputTokens: 10, outputTokens: 20, cacheReadInputTokens: 30, cacheCreationInputTokens: 40), ttftMilliseconds: 150,
            durationMilliseconds: 900, costUSD: 0.25,
            attempts: [
                AttemptRecord(target: RouteTarget(provider: "p", model: "m0"), key: "key-abc", status: 529, failure: .server, milliseconds: 12, note: "529"),
                AttemptRecord(target: RouteTarget(provider: "p", model: model), key: "key-abc", status: 200, failure: nil, milliseconds: 700, startedAfterMilliseconds: 250, note: "answered"),
            ])
    }

    @Test func keepsEveryFieldAndAttemptOfARecord() async throws {
        let fixture = try UsageFixture()
        let record = Self.record("req_1", at: 1_796_054_668_123)
        try await fixture.store.insert([record])
        let (records, total) = try await fixture.store.records(UsageFilter())
        #expect(total == 1)
        #expect(records == [record])
        // Reopening runs the migrations again without harm.
        let reopened = try UsageStore(path: fixture.store.path)
        #expect(try await reopened.count() == 1)
        let readOnly = try UsageStore(path: fixture.store.path, readOnly: true)
        #expect(try await readOnly.records(UsageFilter()).records.first?.attempts.count == 2)
    }

    @Test func filtersPagesNewestFirstAndDeletes() async throws {
        let fixture = try UsageFixture()
        let base: Int64 = 1_796_000_000_000
        var records: [UsageRecord] = []
        for index in 0..<30 {
            records.append(Self.record("req_\(index)", at: base + Int64(index) * 60_000, model: index % 3 == 0 ? "m2" : "m1", session: index < 10 ? "a" : "b", outcome: index % 5 == 0 ? .error : .ok))
        }
        try await fixture.store.insert(records)
        let page = try await fixture.store.records(UsageFilter(session: "b"), page: 2, pageSize: 8)
        #expect(page.total == 20)
        #expect(page.records.map(\.id) == (14...21).reversed().map { "req_\($0)" })
        #expect(try await fixture.store.records(UsageFilter(model: "m2")).total == 10)
        #expect(try await fixture.store.records(UsageFilter(status: "error")).total == 6)
        #expect(try await fixture.store.records(UsageFilter(status: "529")).total == 6)
        #expect(try await fixture.store.records(UsageFilter(from: base + 600_000, to: base + 1_200_000)).total == 10)
        let summary = try await fixture.store.summary(UsageFilter(), by: [.model, .session])
        #expect(summary.totals.requests == 30)
        #expect(summary.totals.cacheWriteTokens == 1_200)
        #expect(summary.groups[.session]?.map(\.key) == ["b", "a"])
        #expect(try await fixture.store.delete(UsageFilter(session: "a")) == 10)
        #expect(try await fixture.store.prune(before: base + 15 * 60_000) == 5)
        #expect(try await fixture.store.count() == 15)
        var exported = 0
        try await fixture.store.forEachBatch(UsageFilter(), batchSize: 4) { exported += $0.count }
        #expect(exported == 15)
    }

    @Test func theDatabaseOpensOnFirstUseAndAnUnopenableOneIsSaidOnce() async throws {
        var logger = Logger(label: "usage-test")
        logger.logLevel = .critical
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-usage-lazy-\(UUID().uuidString.prefix(8))")
        let path = directory.appendingPathComponent("usage.sqlite").path
        let recorder = UsageRecorder(path: path, settings: UsageSettings(), logger: logger)
        #expect(!FileManager.default.fileExists(atPath: path))
        recorder.enqueue(Self.record("req_1", at: 1))
        await recorder.writeQueued()
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try await recorder.store().count() == 1)

        let broken = UsageRecorder(path: "/proc/ccr-cannot-be-here/usage.sqlite", settings: UsageSettings(), logger: logger)
        broken.enqueue(Self.record("req_1", at: 1))
        await broken.writeQueued()
        #expect(broken.writtenCount == 0)
        #expect(throws: UsageRecorder.UnavailableStore.self) { try broken.store() }
    }

    @Test func aFullQueueDropsAndCountsInsteadOfWaiting() async throws {
        let fixture = try UsageFixture(capacity: 3)
        var accepted: [Bool] = []
        for index in 0..<5 { accepted.append(fixture.recorder.enqueue(Self.record("req_\(index)", at: Int64(index)))) }
        #expect(accepted == [true, true, true, false, false])
        #expect(fixture.recorder.droppedCount == 2)
        #expect(try await fixture.records().map(\.id) == ["req_0", "req_1", "req_2"])
        #expect(fixture.recorder.writtenCount == 3)
        #expect(fixture.recorder.enqueue(Self.record("req_5", at: 5)))
    }
}

@Suite("Usage recording through the server", .timeLimit(.minutes(1)))
struct UsageRecordingTests {
    static let streamRequest = #"{"model":"claude-sonnet-4-5","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#

    @Test func recordsAStreamWithTheProvidersTokensAndTheTimeToFirstToken() async throws {
        let fixture = try UsageFixture()
        let mock = MockUpstream { _, _ in .sse(events: MockUpstream.anthropicTextStream("hello there", model: "mock-model-2026", delay: .milliseconds(150))) }
        try await mock.run { upstream in
            let config = try RouterHarness.configuration(
                RouterHarness.anthropicConfig(upstream: upstream, extra: #""Prices": {"mock,mock-model": {"input": 1, "output": 1000}},"#))
            try await RouterHarness.run(config, usage: fixture.recorder) { base, state in
                let (response, _) = try await RouterHarness.post(
                    base + "/v1/messages", json: Self.streamRequest,
                    headers: [("content-type", "application/json"), ("x-claude-code-session-id", "sess-1"), ("user-agent", "claude-cli/2.1.330 (external, cli)")])
                #expect(response.status.code == 200)
                let record = try #require(try await fixture.records().first)
                #expect(record.session == "sess-1")
                #expect(record.clientType == "claude-code")
                #expect(record.target == RouteTarget(provider: "mock", model: "mock-model"))
                #expect(record.upstreamModel == "mock-model-2026")
                #expect(record.usage == AnthropicUsage(inputTokens: 10, outputTokens: 5))
                #expect(record.outcome == .ok)
                #expect(record.status == 200)
                let ttft = try #require(record.ttftMilliseconds)
                #expect(ttft >= 150 && ttft < 1_000, "ttft \(ttft)")
                #expect(record.durationMilliseconds >= 450)  // three pieces, 150 ms apart
                #expect(abs((record.costUSD ?? 0) - 0.00501) < 1e-12)  // 10 × $1/M + 5 × $1000/M
                #expect(record.attempts.map(\.note) == ["answered"])
                // The metrics saw it too.
                let exposition = String(decoding: state.metrics.render(circuits: [], streamsInFlight: 0, requestsReceived: 1), as: UTF8.self)
                #expect(exposition.contains(#"ccr_tokens_total{provider="mock",model="mock-model",scenario="default",type="output"} 5"#))
            }
        }
    }

    @Test func recordsConvertedOpenAIUsageWithCacheReads() async throws {
        let fixture = try UsageFixture()
        let mock = MockUpstream { _, _ in
            func chunk(_ delta: JSONValue, finish: String? = nil) -> [UInt8] {
                let body: JSONValue = ["id": "c1", "model": "gpt-mock", "choices": [["index": 0, "delta": delta, "finish_reason": finish.map(JSONValue.string) ?? .null]]]
                return Array("data: ".utf8) + body.encoded() + Array("\n\n".utf8)
            }
            let usage: JSONValue = ["id": "c1", "choices": [], "usage": ["prompt_tokens": 1200, "completion_tokens": 40, "prompt_tokens_details": ["cached_tokens": 1000]]]
            return .sse(events: [
                (.zero, chunk(["role": "assistant", "content": ""])), (.milliseconds(120), chunk(["content": "hel"])), (.zero, chunk(["content": "lo"], finish: "stop")),
                (.zero, Array("data: ".utf8) + usage.encoded() + Array("\n\ndata: [DONE]\n\n".utf8)),
            ])
        }
        try await mock.run { upstream in
            let config = try RouterHarness.configuration(
                #"{"Providers": [{"name": "oa", "api_base_url": "\#(upstream)/v1/chat/completions", "api_key": "sk-x", "models": ["gpt-4o"]}], "Router": {"default": "oa,gpt-4o"}}"#)
            try await RouterHarness.run(config, usage: fixture.recorder) { base, _ in
                let (response, _) = try await RouterHarness.post(base + "/v1/messages", json: Self.streamRequest)
                #expect(response.status.code == 200)
            }
        }
        let record = try #require(try await fixture.records().first)
        #expect(record.usage == AnthropicUsage(inputTokens: 200, outputTokens: 40, cacheReadInputTokens: 1000))
        #expect((record.ttftMilliseconds ?? 0) >= 120)
        #expect(record.clientType == "api")
        // gpt-4o: $2.5/M input, $10/M output, $1.25/M cached.
        #expect(abs((record.costUSD ?? 0) - (200 * 2.5 + 40 * 10 + 1000 * 1.25) / 1_000_000) < 1e-12)
    }

    @Test func recordsFailuresMidStreamErrorsAndRejectedRequests() async throws {
        let fixture = try UsageFixture()
        let mock = MockUpstream { received, _ in
            if received.json?["max_tokens"] == 1 {
                return .json(status: 500, body: Array(#"{"type":"error","error":{"type":"api_error","message":"boom for key sk-mock-key-123456"}}"#.utf8))
            }
            var events = Array(MockUpstream.anthropicTextStream("partial answer").prefix(3))
            events.append((.zero, MockUpstream.event("error", ["type": "error", "error": ["type": "overloaded_error", "message": "fake mid-stream overload"]])))
            return .sse(events: events)
        }
        try await mock.run { upstream in
            let config = try RouterHarness.configuration(
                RouterHarness.anthropicConfig(upstream: upstream, extra: #""Resilience": {"retries": 1, "retryBaseMs": 1, "retryMaxMs": 2},"#))
            try await RouterHarness.run(config, usage: fixture.recorder) { base, _ in
                _ = try await RouterHarness.post(base + "/v1/messages", json: Self.streamRequest)
                let (failed, _) = try await RouterHarness.post(base + "/v1/messages", json: #"{"model":"x","max_tokens":1,"messages":[]}"#)
                #expect(failed.status.code == 500)
                _ = try await RouterHarness.post(base + "/v1/messages", json: #"{"model":"nope,x","messages":[]}"#)
                _ = try await RouterHarness.post(base + "/v1/messages", json: #"{"model": 5}"#)
            }
        }
        let records = try await fixture.records()
        #expect(records.map(\.outcome) == [.failedMidStream, .error, .error, .error])
        #expect(records[0].errorMessage == "fake mid-stream overload")
        #expect(records[1].status == 500)
        #expect(records[1].attempts.count == 2)
        #expect(records[1].attempts.allSatisfy { $0.status == 500 })
        // The provider echoed the key: it is not stored.
        #expect(records[1].errorMessage?.contains("boom") == true)
        #expect(records.allSatisfy { !($0.errorMessage ?? "").contains("sk-mock-key-123456") && !$0.attempts.contains { $0.note.contains("sk-mock-key-123456") } })
        #expect(records[2].status == 400)
        #expect(records[2].errorMessage?.contains("no provider named 'nope'") == true)
        #expect(records[3].errorMessage?.contains("'model' must be a string") == true)
    }

    @Test func recordsAClientThatWentAwayMidStream() async throws {
        let fixture = try UsageFixture()
        let mock = MockUpstream { _, _ in .sse(events: MockUpstream.anthropicTextStream("slow", delay: .milliseconds(400)), thenHang: true) }
        try await mock.run { upstream in
            let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: upstream))
            try await RouterHarness.run(config, usage: fixture.recorder) { base, _ in
                // A raw connection: send the request, read the first bytes, close the socket.
                let port = Int(base.split(separator: ":").last ?? "") ?? 0
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                #expect(connected == 0)
                let head = "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(Self.streamRequest.utf8.count)\r\n\r\n"
                let bytes = Array((head + Self.streamRequest).utf8)
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = recv(fd, &buffer, buffer.count, 0)
                close(fd)
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        let record = try #require(try await fixture.records().first)
        #expect(record.outcome == .clientClosed)
    }

    @Test func servesTheUsageAPI() async throws {
        let fixture = try UsageFixture()
        let mock = MockUpstream { _, _ in .json(body: MockUpstream.anthropicTextMessage("ok")) }
        try await mock.run { upstream in
            let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: upstream))
            try await RouterHarness.run(config, usage: fixture.recorder) { base, _ in
                for index in 0..<5 {
                    _ = try await RouterHarness.post(
                        base + "/v1/messages", json: #"{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"#,
                        headers: [("content-type", "application/json"), ("x-claude-code-session-id", index < 2 ? "s-a" : "s-b")])
                }
                await fixture.recorder.writeQueued()
                func get(_ path: String, method: NIOHTTP1.HTTPMethod = .GET) async throws -> (Int, [UInt8]) {
                    var request = HTTPClientRequest(url: base + path)
                    request.method = method
                    let response = try await RouterHarness.client.execute(request, timeout: .seconds(10))
                    var body = try await response.body.collect(upTo: 1 << 20)
                    return (Int(response.status.code), body.readBytes(length: body.readableBytes) ?? [])
                }
                let (status, list) = try await get("/api/usage?session=s-b&page_size=2")
                #expect(status == 200)
                let listed = try JSONParser.parse(list)
                #expect(listed["total"] == 3)
                #expect(listed["records"]?.arrayValue?.count == 2)
                #expect(listed["records"]?.arrayValue?.first?["input_tokens"] == 10)
                #expect(listed["records"]?.arrayValue?.first?["ttft_ms"]?.isNull == true)  // not a stream
                let summary = try JSONParser.parse(try await get("/api/usage/summary?by=session").1)
                #expect(summary["totals"]?["requests"] == 5)
                #expect(summary["by_session"]?.arrayValue?.first?["key"] == "s-b")
                #expect(try await get("/api/usage/summary?by=colour").0 == 400)
                #expect(try await get("/api/usage?from=last+week").0 == 400)
                let csv = String(decoding: try await get("/api/usage/export?format=csv").1, as: UTF8.self)
                #expect(csv.split(separator: "\r\n").count == 6)
                let jsonl = try await get("/api/usage/export?format=jsonl").1
                let lines = jsonl.split(separator: 0x0A)
                #expect(lines.count == 5)
                #expect(try JSONParser.parse(Array(lines[0]))["outputTokens"] == 5)
                let report = try JSONParser.parse(try await get("/api/status").1)
                #expect(report["usage"]?["written"] == 5)
                #expect(report["usage"]?["dropped"] == 0)
                #expect(try await get("/api/usage", method: .DELETE).0 == 400)
                #expect(try JSONParser.parse(try await get("/api/usage?confirm=delete&session=s-a", method: .DELETE).1)["deleted"] == 2)
                #expect(try await fixture.store.count() == 3)
            }
        }
    }

    @Test func usageAPIExplainsWhenRecordingIsOff() async throws {
        let config = try RouterHarness.configuration(RouterHarness.anthropicConfig(upstream: "http://127.0.0.1:9"))
        try await RouterHarness.run(config) { base in
            var request = HTTPClientRequest(url: base + "/api/usage/summary")
            request.method = .GET
            let response = try await RouterHarness.client.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 503)
            let body = try await response.body.collect(upTo: 1 << 16)
            #expect(String(buffer: body).contains("Usage.enabled"))
        }
    }
}
