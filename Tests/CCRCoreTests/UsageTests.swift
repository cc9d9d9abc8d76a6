import CCRCore
import Testing

@Suite("UsageTime")
struct UsageTimeTests {
    @Test func formatsInstantsAsISO8601UTC() {
        #expect(UsageTime.iso8601(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(UsageTime.iso8601(milliseconds: 1_796_054_668_123) == "2026-11-30T16:04:28.123Z")
        #expect(UsageTime.iso8601(milliseconds: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(UsageTime.day(milliseconds: 1_796_054_668_123) == "2026-11-30")
        #expect(UsageTime.iso8601(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func readsDatesTimesAndOffsets() {
        #expect(UsageTime.parse("2026-11-30") == 1_795_996_800_000)
        #expect(UsageTime.parse("2026-11-30T16:04:28.123Z") == 1_796_054_668_123)
        #expect(UsageTime.parse("2026-11-30 16:04:28.123") == 1_796_054_668_123)
        #expect(UsageTime.parse("2026-11-30T17:04:28.123+01:00") == 1_796_054_668_123)
        #expect(UsageTime.parse("2026-11-30T16:04") == 1_796_054_640_000)
        #expect(UsageTime.parse("2026-13-01") == nil)
        #expect(UsageTime.parse("yesterday") == nil)
        #expect(UsageTime.parse("2026-12-01T16:04:28Zjunk") == nil)
    }

    @Test func roundTripsEveryDayOfSeveralYears() {
        var day: Int64 = UsageTime.parse("2023-01-01")!
        let end = UsageTime.parse("2029-01-01")!
        while day < end {
            #expect(UsageTime.parse(UsageTime.iso8601(milliseconds: day + 45_296_789)) == day + 45_296_789)
            day += 86_400_000
        }
    }
}

@Suite("UsageFilter")
struct UsageFilterTests {
    let now = UsageTime.parse("2026-11-30T16:00:00Z")!

    @Test func readsRelativeAndAbsoluteTimes() throws {
        #expect(UsageFilter.parseTime("today", now: self.now) == UsageTime.parse("2026-11-30"))
        #expect(UsageFilter.parseTime("yesterday", now: self.now) == UsageTime.parse("2026-11-29"))
        #expect(UsageFilter.parseTime("24h", now: self.now) == UsageTime.parse("2026-11-29T16:00:00Z"))
        #expect(UsageFilter.parseTime("7d", now: self.now) == UsageTime.parse("2026-11-23T16:00:00Z"))
        #expect(UsageFilter.parseTime("30m", now: self.now) == UsageTime.parse("2026-11-30T15:30:00Z"))
        #expect(UsageFilter.parseTime("all", now: self.now) == 0)
        #expect(UsageFilter.parseTime("1796054668", now: self.now) == 1_796_054_668_000)
        #expect(UsageFilter.parseTime("1796054668123", now: self.now) == 1_796_054_668_123)
        #expect(UsageFilter.parseTime("soon", now: self.now) == nil)
    }

    @Test func readsParametersAndSplitsProviderModel() throws {
        let filter = try UsageFilter.parse(["since": "24h", "model": "deepseek,deepseek-chat", "status": "error", "session": "s1"], now: self.now)
        #expect(filter.from == UsageTime.parse("2026-11-29T16:00:00Z"))
        #expect(filter.provider == "deepseek")
        #expect(filter.model == "deepseek-chat")
        #expect(filter.status == "error")
        #expect(filter.session == "s1")
        #expect(try UsageFilter.parse(["model": "gpt-4o"], now: self.now).model == "gpt-4o")
    }

    @Test func rejectsWrongParametersWithTheReason() {
        #expect(throws: UsageFilter.ParameterError.self) { try UsageFilter.parse(["from": "last tuesday"], now: self.now) }
        #expect(throws: UsageFilter.ParameterError.self) { try UsageFilter.parse(["scenario": "fast"], now: self.now) }
        #expect(throws: UsageFilter.ParameterError.self) { try UsageFilter.parse(["status": "700"], now: self.now) }
        do {
            _ = try UsageFilter.parse(["status": "broken"], now: self.now)
        } catch {
            #expect(error.description.contains("ok, error, client_closed"))
        }
    }
}

@Suite("PriceTable")
struct PriceTableTests {
    @Test func pricesWellKnownModelsFromTheBundledFile() throws {
        let table = PriceTable()
        let sonnet = try #require(table.price(for: RouteTarget(provider: "anthropic", model: "claude-sonnet-4-5-20250929")))
        #expect(sonnet == ModelPrice(input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75))
        // OpenRouter's vendor prefix and variant suffix are ignored.
        #expect(table.price(for: RouteTarget(provider: "openrouter", model: "anthropic/claude-opus-4.5")) == ModelPrice(input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25))
        #expect(table.price(for: RouteTarget(provider: "openrouter", model: "deepseek/deepseek-chat:free"))?.input == 0.28)
        // The more specific name wins over the family.
        #expect(table.price(for: RouteTarget(provider: "openai", model: "gpt-4o-mini"))?.input == 0.15)
        #expect(table.price(for: RouteTarget(provider: "local", model: "my-own-model")) == nil)
        // The upstream's own name is tried after the target's.
        #expect(table.price(for: RouteTarget(provider: "x", model: "alias"), upstreamModel: "gemini-2.5-flash")?.output == 2.5)
    }

    @Test func configuredPricesWinExactBeforeGlob() {
        let table = PriceTable(configured: [
            .init(key: "local-*", price: ModelPrice(input: 0, output: 0)),
            .init(key: "deepseek,deepseek-chat", price: ModelPrice(input: 1, output: 2)),
            .init(key: "deepseek-*", price: ModelPrice(input: 9, output: 9)),
        ])
        #expect(table.price(for: RouteTarget(provider: "deepseek", model: "deepseek-chat")) == ModelPrice(input: 1, output: 2))
        #expect(table.price(for: RouteTarget(provider: "other", model: "deepseek-reasoner")) == ModelPrice(input: 9, output: 9))
        #expect(table.price(for: RouteTarget(provider: "ollama", model: "local-qwen")) == ModelPrice(input: 0, output: 0))
    }

    @Test func costCountsCacheReadsAndWritesAtTheirOwnPrices() {
        let price = ModelPrice(input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75)
        let usage = AnthropicUsage(inputTokens: 1_000, outputTokens: 2_000, cacheReadInputTokens: 100_000, cacheCreationInputTokens: 10_000)
        // 0.003 + 0.030 + 0.030 + 0.0375
        #expect(abs(price.cost(of: usage) - 0.1005) < 1e-12)
        // Without cache prices, cached tokens cost the input price.
        #expect(abs(ModelPrice(input: 1, output: 1).cost(of: AnthropicUsage(cacheReadInputTokens: 1_000_000)) - 1) < 1e-12)
    }

    @Test func configReadsPricesAndReportsBadOnes() throws {
        let text = #"{"Prices": {"mock,m1": {"input": 1, "output": 2, "cache_read": 0.1}}, "Usage": {"retentionDays": 30, "queueCapacity": 5}}"#
        let (configuration, _) = try ConfigLoader(environment: [:]).load(text: Array(text.utf8))
        #expect(configuration.prices.price(for: RouteTarget(provider: "mock", model: "m1")) == ModelPrice(input: 1, output: 2, cacheRead: 0.1))
        #expect(configuration.usage == UsageSettings(enabled: true, retentionDays: 30, queueCapacity: 5))
        let bad = #"{"Prices": {"m": {"input": "cheap"}}, "Usage": {"retentionDays": -1}}"#
        #expect(throws: ConfigError.self) { try ConfigLoader(environment: [:]).load(text: Array(bad.utf8)) }
        do {
            _ = try ConfigLoader(environment: [:]).load(text: Array(bad.utf8))
        } catch {
            let paths = error.diagnostics.map(\.path)
            #expect(paths.contains("Prices.m"))
            #expect(paths.contains("Usage.retentionDays"))
        }
    }
}

@Suite("UsageRecord and UsageAggregator")
struct UsageRecordTests {
    static func record(
        _ id: String, at: Int64, model: String = "m1", outcome: UsageRecord.Outcome = .ok, input: Int = 100, output: Int = 50, ttft: Int? = 200,
        duration: Int = 1_200, cost: Double? = 0.01, session: String? = "s1"
    ) -> UsageRecord {
        UsageRecord(
            id: id, startedAtMilliseconds: at, session: session, clientModel: "claude-sonnet-4-5", scenario: .default, reason: "default",
            route: RouteTarget(provider: "p", model: model), target: RouteTarget(provider: "p", model: model), status: outcome == .ok ? 200 : 502,
            outcome: outcome, stream: ttft != nil, usage: AnthropicUsage(inputTokens: input, outputTokens: output, cacheReadInputTokens: input > 0 ? 10 : 0, cacheCreationInputTokens: input > 0 ? 5 : 0),
            ttftMilliseconds: ttft, durationMilliseconds: duration, costUSD: cost)
    }

    @Test func tokensPerSecondCountsOnlyGenerationTimeWithAOneSecondFloor() {
        #expect(Self.record("a", at: 0, output: 50, ttft: 200, duration: 1_200).tokensPerSecond == 50)
        #expect(Self.record("a", at: 0, output: 300, ttft: 1_000, duration: 3_000).tokensPerSecond == 150)
        #expect(Self.record("a", at: 0, output: 10, ttft: 100, duration: 300).tokensPerSecond == 10)
        #expect(Self.record("a", at: 0, output: 0).tokensPerSecond == nil)
    }

    @Test func csvQuotesAndDefusesFormulas() {
        var record = Self.record("r,1", at: 0)
        record.errorMessage = "=HYPERLINK(\"x\")"
        let row = record.csvRow
        #expect(row.hasPrefix("\"r,1\","))
        #expect(row.hasSuffix(",\"'=HYPERLINK(\"\"x\"\")\""))
        #expect(row.split(separator: ",", omittingEmptySubsequences: false).count >= UsageRecord.csvHeader.count)
    }

    @Test func forkLineUsesClaudeCodeRouterNextFieldNames() {
        let line = Self.record("r1", at: 1_796_054_668_123).forkJSONLine
        #expect(line["timestamp"] == "2026-11-30T16:04:28.123Z")
        #expect(line["sessionId"] == "s1")
        #expect(line["originalModel"] == "claude-sonnet-4-5")
        #expect(line["modelFamily"] == "sonnet")
        #expect(line["inputTokens"] == 100)
        #expect(line["cacheReadInputTokens"] == 10)
        #expect(line["cacheCreationInputTokens"] == 5)
        #expect(line["ttft"] == 200)
        #expect(line["status"] == "success")
    }

    @Test func aggregatesTotalsPercentilesAndGroups() {
        var aggregator = UsageAggregator(from: nil, to: nil, dimensions: [.model, .day])
        let day2 = UsageTime.parse("2026-11-30T10:00:00Z")!
        for index in 0..<100 {
            aggregator.add(.init(Self.record("a\(index)", at: day2, ttft: index + 1, duration: 1_000 + index)))
        }
        aggregator.add(.init(Self.record("b", at: day2 - 86_400_000, model: "m2", outcome: .error, input: 0, output: 0, ttft: nil, cost: nil)))
        aggregator.add(.init(Self.record("c", at: day2, model: "m3", cost: nil)))
        let summary = aggregator.finished()
        #expect(summary.totals.requests == 102)
        #expect(summary.totals.errors == 1)
        #expect(summary.totals.inputTokens == 10_100)
        #expect(summary.totals.cacheReadTokens == 1_010)
        #expect(abs(summary.totals.costUSD - 1.0) < 1e-9)
        #expect(summary.totals.unpriced == 1)  // m3 has tokens and no price; the failed m2 had no tokens
        // 101 TTFT values: 1…100 and 200 (m3).
        #expect(summary.totals.ttft == UsageSummary.Percentiles(p50: 51, p90: 91, p99: 100))
        let models = summary.groups[.model] ?? []
        #expect(models.map(\.key) == ["p,m1", "p,m2", "p,m3"])
        #expect(models.first?.totals.requests == 100)
        #expect(summary.groups[.day]?.map(\.key) == ["2026-11-29", "2026-11-30"])
        // What the API writes, the CLI reads back.
        #expect(UsageSummary(json: summary.json).json == summary.json)
    }
}
