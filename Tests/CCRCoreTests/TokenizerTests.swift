import CCRCore
import Foundation
import Testing

/// The golden data written by `scripts/tokens/golden_counts.py` with OpenAI's tiktoken.
enum TokenGolden {
    /// A corpus string with tiktoken's token IDs and, for short strings, its pre-tokenizer pieces.
    struct CorpusCase: CustomStringConvertible, Sendable {
        var name: String
        var text: String
        var tokens: [Int]
        var pieces: [String]?
        var description: String { self.name }
    }

    /// A request body with tiktoken's total, per-piece counts and compact-JSON pieces.
    struct RequestCase: CustomStringConvertible, Sendable {
        var name: String
        var body: JSONValue
        var count: Int
        var pieceCounts: [Int]
        var compactJSON: [String]
        var description: String { self.name }
    }

    static let file: JSONValue = {
        let url = Fixtures.root.appendingPathComponent("tokens/golden.json")
        return try! JSONParser.parse(Array(Data(contentsOf: url)))
    }()

    static var corpus: [CorpusCase] {
        (Self.file["corpus"]?.arrayValue ?? []).map { entry in
            CorpusCase(
                name: entry["name"]!.stringValue!, text: entry["text"]!.stringValue!,
                tokens: entry["tokens"]!.arrayValue!.map { $0.intValue! },
                pieces: entry["pieces"]?.arrayValue?.map { $0.stringValue! })
        }
    }

    /// The Claude Code captures (bodies read from Fixtures/claude-code).
    static var captures: [RequestCase] {
        (Self.file["requests"]?.arrayValue ?? []).map { entry in
            Self.requestCase(entry, body: Fixtures.claudeCodeRequest(entry["name"]!.stringValue!))
        }
    }

    /// The synthetic bodies for the rules the captures do not reach.
    static var synthetic: [RequestCase] {
        (Self.file["synthetic"]?.arrayValue ?? []).map { Self.requestCase($0, body: $0["body"]!) }
    }

    private static func requestCase(_ entry: JSONValue, body: JSONValue) -> RequestCase {
        let table = Self.file["compact_json"]!.arrayValue!.map { $0.stringValue! }
        return RequestCase(
            name: entry["name"]!.stringValue!, body: body, count: entry["count"]!.intValue!,
            pieceCounts: entry["piece_counts"]!.arrayValue!.map { $0.intValue! },
            compactJSON: entry["json"]!.arrayValue!.map { table[$0.intValue!] })
    }

    /// The tokenizer under test, found the way the server finds it.
    static let tokenizer: CL100kTokenizer = try! CL100kTokenizer.shared
}

@Suite("cl100k_base tokenizer")
struct CL100kTokenizerTests {
    let tokenizer = TokenGolden.tokenizer

    @Test func goldenCorpusCoversTheStressCases() {
        let names = Set(TokenGolden.corpus.map(\.name))
        #expect(TokenGolden.corpus.count >= 60)
        for name in ["contractions upper", "digits 1 to 7", "emoji zwj and skin tones", "random 20 KB", "long random letters"] {
            #expect(names.contains(name))
        }
        #expect(TokenGolden.file["encoding"]?["name"] == "cl100k_base")
    }

    @Test(arguments: TokenGolden.corpus)
    func encodesLikeTiktoken(_ golden: TokenGolden.CorpusCase) {
        let tokens = self.tokenizer.encode(golden.text)
        #expect(tokens == golden.tokens)
        if tokens != golden.tokens, let first = tokens.indices.first(where: { $0 >= golden.tokens.count || tokens[$0] != golden.tokens[$0] }) {
            Issue.record("first difference at token \(first): \(tokens[first...].prefix(8)) vs \(golden.tokens[first...].prefix(8))")
        }
    }

    @Test(arguments: TokenGolden.corpus)
    func countsWithoutEncodingTheSameNumber(_ golden: TokenGolden.CorpusCase) {
        #expect(self.tokenizer.count(golden.text) == golden.tokens.count)
        var text = golden.text
        #expect(text.withUTF8 { self.tokenizer.count(utf8: $0) } == golden.tokens.count)
    }

    @Test(arguments: TokenGolden.corpus.filter { $0.pieces != nil })
    func preTokenizerCutsTiktokensPieces(_ golden: TokenGolden.CorpusCase) {
        #expect(CL100kPreTokenizer.pieces(of: golden.text).map(String.init) == golden.pieces)
    }

    @Test(arguments: TokenGolden.corpus)
    func decodesBackToTheText(_ golden: TokenGolden.CorpusCase) {
        #expect(self.tokenizer.decode(golden.tokens) == golden.text)
    }

    @Test func emptyTextHasNoTokens() {
        #expect(self.tokenizer.encode("").isEmpty)
        #expect(self.tokenizer.count("") == 0)
        #expect(CL100kPreTokenizer.pieces(of: "").isEmpty)
    }

    @Test func knownTokens() {
        #expect(self.tokenizer.encode("hello world") == [15339, 1917])
        #expect(self.tokenizer.encode("  ") == [256])
        #expect(self.tokenizer.vocabularySize == 100_256)
    }

    @Test func sharedInstanceIsLoadedOnce() throws {
        #expect(try CL100kTokenizer.shared === CL100kTokenizer.shared)
    }

    @Test func concurrentUseGivesTheSameTokens() async {
        let text = TokenGolden.corpus.first { $0.name == "random 20 KB" }!
        let tokenizer = self.tokenizer
        let results = await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<8 { group.addTask { tokenizer.encode(text.text) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 == text.tokens })
    }
}

@Suite("cl100k vocabulary file")
struct CL100kVocabularyFileTests {
    @Test func explicitPathWinsAndMustExist() throws {
        let found = try CL100kVocabularyFile.locate(environment: [:])
        #expect(found.hasSuffix("/cl100k_base.tiktoken"))
        #expect(try CL100kVocabularyFile.locate(explicitPath: found, environment: [:]) == found)
        #expect(throws: TokenizerError.vocabularyNotFound(searched: ["/nonexistent/vocab.tiktoken"])) {
            try CL100kVocabularyFile.locate(explicitPath: "/nonexistent/vocab.tiktoken")
        }
    }

    @Test func environmentVariableOverridesTheBundledCopy() throws {
        let bundled = try CL100kVocabularyFile.locate(environment: [:])
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-vocab-\(UUID().uuidString).tiktoken").path
        try FileManager.default.copyItem(atPath: bundled, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        #expect(try CL100kVocabularyFile.locate(environment: [CL100kVocabularyFile.environmentVariable: copy]) == copy)
        #expect(throws: TokenizerError.self) {
            try CL100kVocabularyFile.locate(environment: [CL100kVocabularyFile.environmentVariable: copy + ".missing"])
        }
        let fromCopy = try CL100kTokenizer(vocabularyPath: copy)
        #expect(fromCopy.encode("Hello, world!") == TokenGolden.tokenizer.encode("Hello, world!"))
    }

    @Test func unreadableFileIsAnError() {
        #expect(throws: TokenizerError.self) { try CL100kTokenizer(vocabularyPath: "/nonexistent/vocab.tiktoken") }
    }

    /// The 256 single bytes, ranks 0...255, as a `.tiktoken` file body.
    static let singleBytes: String = (0..<256).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)\n" }.joined()

    @Test func smallVocabularyMergesByRank() throws {
        // "ab" (rank 256) merges before "bc" (257); "abc" (258) then needs "ab" + "c".
        let vocabulary = Self.singleBytes + "YWI= 256\nYmM= 257\nYWJj 258\nYWE= 259\n"
        let tokenizer = try CL100kTokenizer(vocabularyFile: Array(vocabulary.utf8))
        #expect(tokenizer.vocabularySize == 260)
        #expect(tokenizer.encode("abc") == [258])
        #expect(tokenizer.encode("abcb") == [258, 98])
        #expect(tokenizer.encode("bca") == [257, 97])
        // Equal ranks: the leftmost pair first, in short pieces and in long (priority-queue) ones.
        #expect(tokenizer.encode("aaaaaaa") == [259, 259, 259, 97])
        #expect(tokenizer.encode(String(repeating: "a", count: 301)) == Array(repeating: 259, count: 150) + [97])
        #expect(tokenizer.count(String(repeating: "a", count: 301)) == 151)
    }

    @Test(arguments: [
        ("IQ== 300\nIQ 301\n", 2),
        ("IQ== 300\nYWI= 300\n", 2),
        ("IQ==300\n", 1),
        ("IQ== x\n", 1),
        ("I*== 300\n", 1),
        ("IQ== 99999999999\n", 1),
    ])
    func rejectsMalformedVocabulary(text: String, line: Int) {
        let file = Self.singleBytes.replacingOccurrences(of: "IQ== 33\n", with: "") + text
        let error = #expect(throws: TokenizerError.self) { try CL100kTokenizer(vocabularyFile: Array(file.utf8)) }
        guard case .malformedVocabulary(let reported, _)? = error else {
            Issue.record("expected a malformed-vocabulary error, got \(String(describing: error))")
            return
        }
        #expect(reported == 255 + line)
    }

    @Test func requiresEverySingleByte() {
        #expect(throws: TokenizerError.self) { try CL100kTokenizer(vocabularyFile: Array("YWI= 256\n".utf8)) }
    }
}
