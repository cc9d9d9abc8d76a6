/// Why a tokenizer vocabulary could not be loaded.
public enum TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No vocabulary file was found; `searched` lists the places looked at, in order.
    case vocabularyNotFound(searched: [String])
    /// The vocabulary file exists but could not be read.
    case unreadable(path: String, reason: String)
    /// A line of the vocabulary is not `<base64 bytes> <rank>` (1-based line number), or a rank or
    /// a token appears twice.
    case malformedVocabulary(line: Int, reason: String)

    public var description: String {
        switch self {
        case .vocabularyNotFound(let searched):
            return "tokenizer vocabulary not found (looked at: \(searched.joined(separator: ", ")))"
        case .unreadable(let path, let reason):
            return "cannot read the tokenizer vocabulary at \(path): \(reason)"
        case .malformedVocabulary(let line, let reason):
            return "malformed tokenizer vocabulary, line \(line): \(reason)"
        }
    }
}
