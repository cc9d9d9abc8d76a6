/// OpenAI's `cl100k_base` byte-pair encoding, token for token what tiktoken produces for ordinary
/// text (special tokens such as `<|endoftext|>` are not recognised: they count as the text they are).
///
/// Text is cut into pieces by ``CL100kPreTokenizer``; each piece's UTF-8 bytes are merged by rank
/// (`BytePairMerger`). The vocabulary is read once, on first use of ``shared``, from the
/// `cl100k_base.tiktoken` resource (see ``CL100kVocabularyFile``); an instance is immutable and
/// may be used from any number of threads at once.
public final class CL100kTokenizer: Sendable {
    /// The merge ranks.
    let vocabulary: BPEVocabulary

    /// A tokenizer over the contents of a `.tiktoken` file.
    /// - Throws: ``TokenizerError/malformedVocabulary(line:reason:)``.
    public init(vocabularyFile contents: [UInt8]) throws(TokenizerError) {
        self.vocabulary = try BPEVocabulary(tiktokenFile: contents)
        CL100kPreTokenizer.prepare()
    }

    /// A tokenizer over the `.tiktoken` file at a path.
    /// - Throws: ``TokenizerError``.
    public convenience init(vocabularyPath path: String) throws(TokenizerError) {
        try self.init(vocabularyFile: CL100kVocabularyFile.read(path))
    }

    /// The process-wide tokenizer, loaded from ``CL100kVocabularyFile/locate(explicitPath:environment:)``
    /// the first time it is asked for (thread-safe, once; later calls return the same instance or
    /// the same error).
    public static var shared: CL100kTokenizer {
        get throws(TokenizerError) { try Self.sharedResult.get() }
    }

    private static let sharedResult = Result { () throws(TokenizerError) -> CL100kTokenizer in
        try CL100kTokenizer(vocabularyPath: CL100kVocabularyFile.locate())
    }

    /// How many tokens the vocabulary has (100,256 for cl100k_base).
    public var vocabularySize: Int { self.vocabulary.count }

    /// The token IDs of a text.
    public func encode(_ text: String) -> [Int] {
        var collector = Collector()
        collector.tokens.reserveCapacity(text.utf8.count / 4 + 1)
        var text = text
        text.withUTF8 { utf8 in
            _ = self.run(utf8, into: &collector)
        }
        return collector.tokens
    }

    /// How many tokens a text has; the same as `encode(text).count` without building the array.
    public func count(_ text: String) -> Int {
        var text = text
        var counter = Counter()
        return text.withUTF8 { self.run($0, into: &counter) }
    }

    /// How many tokens a text given as UTF-8 bytes has.
    /// - Parameter utf8: valid UTF-8, such as a string's `utf8` view or ``JSONWriter`` output.
    public func count(utf8: UnsafeBufferPointer<UInt8>) -> Int {
        var counter = Counter()
        return self.run(utf8, into: &counter)
    }

    /// The text of a list of token IDs (invalid UTF-8, as from a list cut mid-character, is
    /// repaired with U+FFFD); IDs outside the vocabulary are skipped.
    public func decode(_ tokens: [Int]) -> String {
        var bytes: [UInt8] = []
        for token in tokens {
            if let tokenBytes = self.vocabulary.tokenBytes(token) { bytes.append(contentsOf: tokenBytes) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Pre-tokenizes and merges, handing each token to `sink`. Returns the token count.
    @inline(__always)
    private func run<Sink: TokenSink>(_ utf8: UnsafeBufferPointer<UInt8>, into sink: inout Sink) -> Int {
        guard let base = utf8.baseAddress, !utf8.isEmpty else { return 0 }
        return self.vocabulary.withView { view in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: BytePairMerger.scratchCapacity) { scratch in
                var total = 0
                CL100kPreTokenizer.forEachPiece(in: utf8) { start, end in
                    total += BytePairMerger.merge(base + start, count: end - start, vocabulary: view, scratch: scratch.baseAddress!, into: &sink)
                }
                return total
            }
        }
    }

    /// Keeps the tokens, for ``encode(_:)``.
    private struct Collector: TokenSink {
        static var collectsTokens: Bool { true }
        var tokens: [Int] = []
        mutating func append(_ rank: UInt32) { self.tokens.append(Int(rank)) }
    }

    /// Keeps nothing, for ``count(_:)``.
    private struct Counter: TokenSink {
        static var collectsTokens: Bool { false }
        mutating func append(_ rank: UInt32) {}
    }
}
