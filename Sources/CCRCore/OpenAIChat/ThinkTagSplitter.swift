/// Separates `<think>…</think>` reasoning from answer text in streamed content, however the tags
/// are split across chunks. Text that could be the start of a tag is held back until the next
/// piece decides it (at most the tag's length less one).
struct ThinkTagSplitter: Sendable {
    enum Piece: Equatable {
        case text(String)
        case thinking(String)
    }

    private let open: String
    private let close: String

    /// Splits at `<think>`/`</think>`, or at other tags (``ForceReasoningTransformer`` uses
    /// `<reasoning_content>`).
    init(open: String = "<think>", close: String = "</think>") {
        self.open = open
        self.close = close
    }

    /// Whether the text fed so far ends inside the tags.
    private(set) var inside = false
    private var pending = ""
    /// Whether any tag was seen (the dialect of the reasoning).
    private(set) var sawTag = false

    mutating func feed(_ text: String, _ emit: (Piece) -> Void) {
        // Fast path: no tag can start or end in this piece.
        if self.pending.isEmpty && !self.skipNewlines && !text.utf8.contains(UInt8(ascii: "<")) {
            emit(self.inside ? .thinking(text) : .text(text))
            return
        }
        var buffer = self.pending + text
        self.pending = ""
        while !buffer.isEmpty {
            let tag = self.inside ? self.close : self.open
            if let range = buffer.firstRange(of: tag) {
                let before = String(buffer[..<range.lowerBound])
                if !before.isEmpty { emit(self.inside ? .thinking(before) : .text(before)) }
                self.inside.toggle()
                self.sawTag = true
                buffer = String(buffer[range.upperBound...])
                if !self.inside {
                    // Models put a newline or two after </think>; they belong to neither part.
                    while buffer.first == "\n" { buffer.removeFirst() }
                    if buffer.isEmpty { self.skipNewlines = true }
                }
                continue
            }
            if self.skipNewlines && !self.inside {
                while buffer.first == "\n" { buffer.removeFirst() }
                if buffer.isEmpty { return }
                self.skipNewlines = false
            }
            // Hold back a suffix that may be the beginning of the tag.
            let keep = Self.partialSuffixLength(buffer, of: tag)
            let emitEnd = buffer.index(buffer.endIndex, offsetBy: -keep)
            let now = String(buffer[..<emitEnd])
            if !now.isEmpty { emit(self.inside ? .thinking(now) : .text(now)) }
            self.pending = String(buffer[emitEnd...])
            return
        }
    }

    private var skipNewlines = false

    /// Whatever is held back, at the end of the stream.
    mutating func flush(_ emit: (Piece) -> Void) {
        guard !self.pending.isEmpty else { return }
        emit(self.inside ? .thinking(self.pending) : .text(self.pending))
        self.pending = ""
    }

    static func partialSuffixLength(_ text: String, of tag: String) -> Int {
        let tagChars = Array(tag)
        let tail = Array(text.suffix(tagChars.count - 1))
        var length = min(tail.count, tagChars.count - 1)
        while length > 0 {
            if Array(tail.suffix(length)) == Array(tagChars.prefix(length)) { return length }
            length -= 1
        }
        return 0
    }
}
