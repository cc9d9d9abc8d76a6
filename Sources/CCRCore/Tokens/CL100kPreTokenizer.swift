/// The pre-tokenizer of OpenAI's `cl100k_base` encoding: cuts text into the pieces that byte-pair
/// merging then works on, one piece at a time.
///
/// It does by hand, over Unicode scalars, what tiktoken does with this regular expression (the
/// pattern of tiktoken 0.14, run by the Rust `fancy-regex` crate):
///
///     '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
///
/// At each position the first alternative that matches wins, each repetition taking as much as it
/// can. `\p{L}` and `\p{N}` are the Unicode general categories Letter and Number; `\s` is Unicode
/// `White_Space`; `$` is the end of the text; `(?i:…)` folds case as Unicode simple case folding
/// does, so `'ſ` (U+017F, a folded `s`) is a contraction too. The older cl100k pattern
/// (`(?i:'s|'t|'re|'ve|'m|'ll|'d)|…|\s*[\r\n]+|\s+(?!\S)|\s+`) cuts the same pieces except for
/// whitespace at the very end of the text, which this one keeps as one piece.
public enum CL100kPreTokenizer {
    /// The pieces of a text, in order; joined they give the text back.
    public static func pieces(of text: String) -> [Substring] {
        var text = text
        var lengths: [Int] = []
        text.withUTF8 { utf8 in
            Self.forEachPiece(in: utf8) { start, end in lengths.append(end - start) }
        }
        var start = text.utf8.startIndex
        return lengths.map { length in
            let end = text.utf8.index(start, offsetBy: length)
            defer { start = end }
            return text[start..<end]
        }
    }

    /// Calls `body` with the byte range (`start`, `end`) of each piece of UTF-8 text, in order.
    /// - Parameters:
    ///   - utf8: valid UTF-8 (a Swift string's storage, or the output of ``JSONWriter``).
    ///   - body: called once per piece; the ranges cover the text without gaps.
    @inlinable
    public static func forEachPiece(in utf8: UnsafeBufferPointer<UInt8>, _ body: (_ start: Int, _ end: Int) -> Void) {
        Self.basicPlaneClasses.withUnsafeBufferPointer { classes in
            let scanner = Scanner(utf8, classes: classes.baseAddress!)
            var start = 0
            while start < utf8.count {
                let end = scanner.pieceEnd(from: start)
                body(start, end)
                start = end
            }
        }
    }

    /// The ``ScalarClass`` raw value of every scalar below U+10000 (64 KB, built on first use in
    /// a few milliseconds): the standard library's property lookups cost more than the rest of the
    /// pre-tokenizer put together on non-ASCII text.
    @usableFromInline
    static let basicPlaneClasses: [UInt8] = (0..<0x1_0000).map { (value: UInt32) -> UInt8 in
        (0xD800..<0xE000).contains(value) ? ScalarClass.other.rawValue : ScalarClass.computed(value).rawValue
    }

    /// Builds the tables now rather than on the first text.
    static func prepare() {
        _ = Self.basicPlaneClasses.count
    }
}

extension CL100kPreTokenizer {
    /// What the pattern distinguishes about a scalar.
    @usableFromInline
    enum ScalarClass: UInt8 {
        /// General category L.
        case letter
        /// General category N.
        case number
        /// `\r` or `\n`.
        case newline
        /// Any other `White_Space` scalar.
        case space
        /// Everything else (`[^\s\p{L}\p{N}]`).
        case other

        /// The class of a scalar value; `classes` is ``CL100kPreTokenizer/basicPlaneClasses``.
        @inlinable @inline(__always)
        static func of(_ value: UInt32, classes: UnsafePointer<UInt8>) -> ScalarClass {
            if value < 0x80 {
                if (value | 0x20) &- 0x61 < 26 { return .letter }
                if value &- 0x30 < 10 { return .number }
                if value == 0x20 || (value &- 0x09 < 5) { return value == 0x0A || value == 0x0D ? .newline : .space }
                return .other
            }
            if value < 0x1_0000 { return ScalarClass(rawValue: classes[Int(value)]).unsafelyUnwrapped }
            return Self.computed(value)
        }

        /// The class from the scalar's Unicode properties.
        @usableFromInline
        static func computed(_ value: UInt32) -> ScalarClass {
            if value < 0x80 {
                if (value | 0x20) &- 0x61 < 26 { return .letter }
                if value &- 0x30 < 10 { return .number }
                if value == 0x20 || (value &- 0x09 < 5) { return value == 0x0A || value == 0x0D ? .newline : .space }
                return .other
            }
            let properties = Unicode.Scalar(value).unsafelyUnwrapped.properties
            switch properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
                return .letter
            case .decimalNumber, .letterNumber, .otherNumber:
                return .number
            default:
                return properties.isWhitespace ? .space : .other
            }
        }
    }

    /// Walks valid UTF-8 scalar by scalar.
    @usableFromInline
    struct Scanner {
        @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
        @usableFromInline let classes: UnsafePointer<UInt8>

        @inlinable init(_ bytes: UnsafeBufferPointer<UInt8>, classes: UnsafePointer<UInt8>) {
            self.bytes = bytes
            self.classes = classes
        }

        /// The scalar at a byte offset and its length in bytes.
        @inlinable @inline(__always)
        func scalar(at offset: Int) -> (value: UInt32, length: Int) {
            let lead = UInt32(self.bytes[offset])
            if lead < 0x80 { return (lead, 1) }
            if lead < 0xE0 {
                return ((lead & 0x1F) << 6 | UInt32(self.bytes[offset + 1] & 0x3F), 2)
            }
            if lead < 0xF0 {
                return ((lead & 0x0F) << 12 | UInt32(self.bytes[offset + 1] & 0x3F) << 6 | UInt32(self.bytes[offset + 2] & 0x3F), 3)
            }
            let value =
                (lead & 0x07) << 18 | UInt32(self.bytes[offset + 1] & 0x3F) << 12 | UInt32(self.bytes[offset + 2] & 0x3F) << 6
                | UInt32(self.bytes[offset + 3] & 0x3F)
            return (value, 4)
        }

        /// The class of the scalar at an offset (`nil` at the end) and where the next scalar starts.
        @inlinable @inline(__always)
        func classAndEnd(at offset: Int) -> (ScalarClass, Int)? {
            guard offset < self.bytes.count else { return nil }
            let (value, length) = self.scalar(at: offset)
            return (ScalarClass.of(value, classes: self.classes), offset + length)
        }

        /// The end of the longest run of one class starting at `offset`.
        @inlinable @inline(__always)
        func endOfRun(of wanted: ScalarClass, from offset: Int) -> Int {
            var offset = offset
            while case let (found, next)? = self.classAndEnd(at: offset), found == wanted { offset = next }
            return offset
        }

        /// The end of the piece that starts at `start` (which is before the end of the text).
        @inlinable
        func pieceEnd(from start: Int) -> Int {
            let (first, firstLength) = self.scalar(at: start)
            let afterFirst = start + firstLength
            let firstClass = ScalarClass.of(first, classes: self.classes)

            // '(?i:[sdmt]|ll|ve|re)
            if first == 0x27, let end = self.contractionEnd(after: afterFirst) { return end }

            // [^\r\n\p{L}\p{N}]?+\p{L}++
            if firstClass == .letter { return self.endOfRun(of: .letter, from: afterFirst) }
            if firstClass == .other || firstClass == .space,
                case let (secondClass, afterSecond)? = self.classAndEnd(at: afterFirst), secondClass == .letter
            {
                return self.endOfRun(of: .letter, from: afterSecond)
            }

            // \p{N}{1,3}+
            if firstClass == .number {
                var end = afterFirst
                for _ in 0..<2 {
                    guard case let (nextClass, next)? = self.classAndEnd(at: end), nextClass == .number else { break }
                    end = next
                }
                return end
            }

            // ' ?[^\s\p{L}\p{N}]++[\r\n]*+'
            var punctuationStart: Int? = nil
            if firstClass == .other {
                punctuationStart = afterFirst
            } else if first == 0x20, case let (secondClass, afterSecond)? = self.classAndEnd(at: afterFirst), secondClass == .other {
                punctuationStart = afterSecond
            }
            if let punctuationStart {
                var end = self.endOfRun(of: .other, from: punctuationStart)
                while end < self.bytes.count && (self.bytes[end] == 0x0A || self.bytes[end] == 0x0D) { end += 1 }
                return end
            }

            // What is left starts with whitespace: \s++$|\s*[\r\n]|\s+(?!\S)|\s
            var end = start
            var lastScalarStart = start
            var afterLastNewline: Int? = nil
            while case let (nextClass, next)? = self.classAndEnd(at: end), nextClass == .space || nextClass == .newline {
                if nextClass == .newline { afterLastNewline = next }
                lastScalarStart = end
                end = next
            }
            if end == self.bytes.count { return end }  // \s++$
            if let afterLastNewline { return afterLastNewline }  // \s*[\r\n]
            if lastScalarStart > start { return lastScalarStart }  // \s+(?!\S)
            return afterFirst  // \s
        }

        /// The end of a contraction whose apostrophe ends at `offset`, if one follows.
        @inlinable
        func contractionEnd(after offset: Int) -> Int? {
            guard offset < self.bytes.count else { return nil }
            let (second, secondLength) = self.scalar(at: offset)
            switch second | (second < 0x80 ? 0x20 : 0) {
            case 0x73, 0x64, 0x6D, 0x74, 0x17F:  // s d m t ſ
                return offset + secondLength
            case 0x6C, 0x76, 0x72:  // l v r, then l e e
                let afterSecond = offset + secondLength
                guard afterSecond < self.bytes.count else { return nil }
                let third = UInt32(self.bytes[afterSecond]) | 0x20
                let wanted: UInt32 = second | 0x20 == 0x6C ? 0x6C : 0x65
                return third == wanted ? afterSecond + 1 : nil
            default:
                return nil
            }
        }
    }
}
