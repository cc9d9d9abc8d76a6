import CCRCore
import Testing

@Suite("Request token counting")
struct RequestTokenCounterTests {
    let uncached = RequestTokenCounter(tokenizer: TokenGolden.tokenizer, cache: nil)

    @Test func everyClaudeCodeCaptureHasAGoldenCount() {
        #expect(TokenGolden.captures.map(\.name) == Fixtures.claudeCodeRequestNames)
        #expect(TokenGolden.captures.allSatisfy { $0.count > 100 })
    }

    @Test(arguments: TokenGolden.captures + TokenGolden.synthetic)
    func countsLikeTiktoken(_ golden: TokenGolden.RequestCase) {
        #expect(self.uncached.count(golden.body) == golden.count)
        let pieces = RequestTokenCounter.pieces(of: golden.body.objectValue ?? JSONObject())
        let counts = pieces.map { piece in
            switch piece {
            case .text(let text): return TokenGolden.tokenizer.count(text)
            case .json(let value): return TokenGolden.tokenizer.count(value.jsonString())
            }
        }
        #expect(counts == golden.pieceCounts)
    }

    @Test(arguments: TokenGolden.captures + TokenGolden.synthetic)
    func writesCompactJSONLikePython(_ golden: TokenGolden.RequestCase) {
        let written = RequestTokenCounter.pieces(of: golden.body.objectValue ?? JSONObject()).compactMap { piece -> String? in
            if case .json(let value) = piece { return value.jsonString() }
            return nil
        }
        #expect(written == golden.compactJSON)
    }

    @Test(arguments: TokenGolden.captures + TokenGolden.synthetic)
    func cachedCountsEqualUncachedOnes(_ golden: TokenGolden.RequestCase) {
        let cache = TokenCountCache()
        let counter = RequestTokenCounter(tokenizer: TokenGolden.tokenizer, cache: cache)
        #expect(counter.count(golden.body) == golden.count)
        let held = cache.entryCount
        #expect(counter.count(golden.body) == golden.count)
        #expect(cache.entryCount == held)
    }

    @Test func longPiecesAreCachedAndShortOnesAreNot() {
        let cache = TokenCountCache()
        let counter = RequestTokenCounter(tokenizer: TokenGolden.tokenizer, cache: cache)
        let long = String(repeating: "The router counts tokens. ", count: 20)
        let request: JSONValue = ["system": .string(long), "messages": [["role": "user", "content": "short"]]]
        #expect(counter.count(request) == TokenGolden.tokenizer.count(long) + 1)
        #expect(cache.entryCount == 1)
        cache.removeAll()
        #expect(cache.entryCount == 0)
    }

    @Test func cacheReturnsWhatWasStoredNotWhatWouldBeComputed() {
        let cache = TokenCountCache(minimumBytes: 4)
        #expect(cache.count("some text") { _ in 7 } == 7)
        #expect(cache.count("some text") { _ in 99 } == 7)
        #expect(cache.count("abc") { _ in 5 } == 5)
        #expect(cache.count("abc") { _ in 6 } == 6)
        // Canonically equivalent but different bytes: different keys.
        #expect(cache.count("caf\u{E9} au lait") { _ in 1 } == 1)
        #expect(cache.count("cafe\u{301} au lait") { _ in 2 } == 2)
    }

    @Test func cacheStaysWithinItsBoundsAndKeepsWhatIsUsed() {
        let cache = TokenCountCache(capacity: 4, minimumBytes: 1, maximumTotalBytes: 1_000)
        _ = cache.count("hot") { _ in 1 }
        for index in 0..<20 {
            _ = cache.count("cold \(index)") { _ in 2 }
            #expect(cache.count("hot") { _ in 3 } == 1)
            #expect(cache.entryCount <= 4)
        }
        let small = TokenCountCache(capacity: 100, minimumBytes: 1, maximumTotalBytes: 10)
        _ = small.count("12345") { _ in 1 }
        _ = small.count("67890") { _ in 1 }
        _ = small.count("abcde") { _ in 1 }
        #expect(small.entryCount == 2)
        #expect(small.count("this is longer than ten bytes") { _ in 4 } == 4)
        #expect(small.entryCount == 2)
    }

    @Test func emptyRequestCountsZero() {
        #expect(self.uncached.count(JSONObject()) == 0)
        #expect(self.uncached.count(.null) == 0)
        let empty: JSONValue = ["messages": [], "tools": [], "system": []]
        #expect(self.uncached.count(empty) == 0)
    }

    @Test func countsEveryRoleAndSkipsUncountedBlocks() {
        let request: JSONValue = [
            "messages": [
                ["role": "system", "content": "alpha"],
                ["role": "assistant", "content": [["type": "redacted_thinking", "data": "beta gamma"], ["type": "text", "text": "delta"]]],
                ["role": "user", "content": [["type": "image", "source": ["type": "base64", "data": "AAAA"]]]],
            ]
        ]
        #expect(RequestTokenCounter.pieces(of: request.objectValue!) == [.text("alpha"), .text("delta")])
        #expect(self.uncached.count(request) == TokenGolden.tokenizer.count("alpha") + TokenGolden.tokenizer.count("delta"))
    }

    @Test func sharedCounterUsesTheSharedTokenizer() throws {
        #expect(try RequestTokenCounter.shared.tokenizer === CL100kTokenizer.shared)
    }
}
