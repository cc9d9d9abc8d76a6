import AsyncHTTPClient
import CCRCore
import CCRServer
import CCRTestSupport
import Foundation
import NIOCore
import Testing

/// 200 concurrent streams against a primary that fails 30 % of requests, with a healthy fallback:
/// every client request must succeed. Prints the latency that retries and fallbacks add.
/// Slow (it saturates both cores for a second): runs only with `CCR_SLOW_TESTS=1`, in the
/// second, serial phase of scripts/test.sh, so that it cannot skew other tests' timings.
@Suite(
    "Resilience under load", .serialized, .timeLimit(.minutes(2)),
    .enabled(if: SlowTests.enabled, Comment(rawValue: SlowTests.reason)))
struct ResilienceLoadTests {
    @Test func everyRequestSucceedsWhenThePrimaryFailsThirtyPercent() async throws {
        let answer = FaultyUpstream.Answer.anthropicStream("streamed answer")
        let mix = FaultyUpstream.Mix([(0.3, .status(503))], otherwise: .healthy(answer), seed: 7)
        let bad = FaultyUpstream(mix: mix)
        let good = FaultyUpstream { _, _ in .healthy(answer) }
        try await bad.run { badURL in
            try await good.run { goodURL in
                let configuration = try RouterHarness.configuration(
                    """
                    {"Providers": [
                       {"name": "bad", "api_base_url": "\(badURL)/v1/messages", "api_key": "sk-bad-1", "models": ["m"], "transformer": {"use": ["Anthropic"]}},
                       {"name": "good", "api_base_url": "\(goodURL)/v1/messages", "api_key": "sk-good-1", "models": ["m"], "transformer": {"use": ["Anthropic"]}}],
                     "Router": {"default": "bad,m"}, "fallback": {"default": ["good,m"]}}
                    """)
                try await RouterHarness.run(configuration) { base, state in
                    let request = #"{"model": "claude-opus-5-5", "max_tokens": 20, "stream": true, "messages": [{"role": "user", "content": "hi"}]}"#
                    let results = try await withThrowingTaskGroup(of: (Int, Bool, Int, String, Duration).self) { group in
                        for _ in 0..<200 {
                            group.addTask {
                                let start = ContinuousClock.now
                                let (response, body) = try await RouterHarness.post(base + "/v1/messages", json: request)
                                let valid = (try? AnthropicStreamValidator.validate(body).text) == "streamed answer"
                                let attempts = Int(response.headers.first(name: "x-ccr-attempts") ?? "") ?? 0
                                return (Int(response.status.code), valid, attempts, response.headers.first(name: "x-ccr-route") ?? "", ContinuousClock.now - start)
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(results.count == 200)
                    #expect(results.allSatisfy { $0.0 == 200 && $0.1 }, "\(results.filter { $0.0 != 200 }.count) failed")
                    #expect(state.journal.recent.count == 200)
                    func percentile(_ values: [Int], _ p: Double) -> Int {
                        let sorted = values.sorted()
                        return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
                    }
                    // The latency retries and fallbacks add: when the attempt that answered started.
                    let entries = state.journal.recent
                    let direct = entries.filter { $0.attempts.count == 1 }
                    let retried = entries.filter { $0.attempts.count > 1 && $0.attempts.last?.target.provider == "bad" }
                    let fellBack = entries.filter { $0.attempts.count > 1 && $0.attempts.last?.target.provider == "good" }
                    #expect(!retried.isEmpty && !fellBack.isEmpty)
                    let added = { (list: [RequestJournal.Entry]) in list.map { $0.attempts.last?.startedAfterMilliseconds ?? 0 } }
                    print(
                        "resilience load: 200/200 ok; answered by the first attempt \(direct.count), after retrying the primary \(retried.count),",
                        "by the fallback \(fellBack.count); added before the answering attempt: retried p50 \(percentile(added(retried), 0.5)) ms",
                        "p99 \(percentile(added(retried), 0.99)) ms; fallback p50 \(percentile(added(fellBack), 0.5)) ms p99 \(percentile(added(fellBack), 0.99)) ms")
                }
            }
        }
    }
}
