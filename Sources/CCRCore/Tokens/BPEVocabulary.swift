/// The merge ranks of a byte-pair encoding (token bytes → rank), read from a `.tiktoken` file.
///
/// Held for fast lookup of short byte strings: the token bytes concatenated in one buffer, and an
/// open-addressing hash table (load factor below 0.4) whose slots carry 32 bits of the hash next to
/// the rank, so a probe compares bytes only when the hash agrees. Immutable once built.
struct BPEVocabulary: Sendable {
    /// The rank ``View/rank(of:count:)`` answers for bytes that are not a token.
    static let noRank = UInt32.max

    /// The largest rank accepted (tables are sized by the largest rank; cl100k's is 100,255).
    static let maximumRank: UInt64 = 1 << 24

    /// Token bytes, in file order.
    private let bytes: [UInt8]
    /// Per rank: where its bytes start in ``bytes``.
    private let starts: [UInt32]
    /// Per rank: how many bytes it has (0 for a rank no token has).
    private let lengths: [UInt32]
    /// `(hash >> 32) << 32 | (rank + 1)`; 0 is an empty slot.
    private let slots: [UInt64]
    /// The rank of each single byte.
    private let byteRanks: [UInt32]

    /// How many tokens the vocabulary has.
    let count: Int

    /// Reads the `<base64 token bytes> <rank>` lines of a `.tiktoken` file.
    /// - Throws: ``TokenizerError/malformedVocabulary(line:reason:)`` for a bad line, a repeated
    ///   rank or token, or a single byte without a token (byte-pair merging needs all 256).
    init(tiktokenFile contents: [UInt8]) throws(TokenizerError) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(contents.count / 2)
        // Per token, in file order.
        var tokenStarts: [UInt32] = []
        var tokenRanks: [UInt32] = []
        var tokenLines: [Int] = []
        try contents.withUnsafeBufferPointer { (text: UnsafeBufferPointer<UInt8>) throws(TokenizerError) in
            var offset = 0
            var line = 0
            while offset < text.count {
                line += 1
                var end = offset
                while end < text.count && text[end] != 0x0A { end += 1 }
                var lineEnd = end
                if lineEnd > offset && text[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                defer { offset = end + 1 }
                if lineEnd == offset { continue }
                var space = offset
                while space < lineEnd && text[space] != 0x20 { space += 1 }
                guard space + 1 < lineEnd else { throw .malformedVocabulary(line: line, reason: "not `<base64 token> <rank>`") }
                let start = bytes.count
                guard Self.appendBase64(text, from: offset, to: space, into: &bytes), bytes.count > start else {
                    throw .malformedVocabulary(line: line, reason: "the token is not base64 of at least one byte")
                }
                var rank: UInt64 = 0
                for digit in space + 1..<lineEnd {
                    let value = UInt64(text[digit]) &- 0x30
                    guard value < 10, rank <= Self.maximumRank / 10 else {
                        throw .malformedVocabulary(line: line, reason: "the rank is not a number up to \(Self.maximumRank)")
                    }
                    rank = rank * 10 + value
                }
                guard rank <= Self.maximumRank else {
                    throw .malformedVocabulary(line: line, reason: "the rank is not a number up to \(Self.maximumRank)")
                }
                tokenStarts.append(UInt32(start))
                tokenRanks.append(UInt32(rank))
                tokenLines.append(line)
            }
        }
        tokenStarts.append(UInt32(bytes.count))

        let rankCount = Int(tokenRanks.max() ?? 0) + 1
        var starts = [UInt32](repeating: 0, count: rankCount)
        var lengths = [UInt32](repeating: 0, count: rankCount)
        var capacity = 1024
        while capacity * 2 < tokenRanks.count * 5 { capacity *= 2 }
        var slots = [UInt64](repeating: 0, count: capacity)
        let mask = capacity - 1
        try bytes.withUnsafeBufferPointer { (all: UnsafeBufferPointer<UInt8>) throws(TokenizerError) in
            for index in tokenRanks.indices {
                let rank = Int(tokenRanks[index])
                guard lengths[rank] == 0 else {
                    throw .malformedVocabulary(line: tokenLines[index], reason: "rank \(rank) appears twice")
                }
                let start = Int(tokenStarts[index])
                let length = Int(tokenStarts[index + 1]) - start
                starts[rank] = UInt32(start)
                lengths[rank] = UInt32(length)
                let hash = Self.hash(all.baseAddress! + start, count: length)
                var slot = Int(truncatingIfNeeded: hash) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = (hash >> 32) << 32 | UInt64(rank + 1)
            }
        }

        let unchecked = BPEVocabulary(bytes: bytes, starts: starts, lengths: lengths, slots: slots, byteRanks: [], count: tokenRanks.count)
        let byteRanks = try unchecked.withView { (view: View) throws(TokenizerError) -> [UInt32] in
            // Every token must be found under its own rank: of a token listed twice, one is not.
            for index in tokenRanks.indices {
                let rank = Int(tokenRanks[index])
                if view.lookUp(view.bytes + Int(starts[rank]), count: Int(lengths[rank])) != UInt32(rank) {
                    throw .malformedVocabulary(line: tokenLines[index], reason: "the token of rank \(rank) appears twice")
                }
            }
            return try (0..<256).map { (byte: Int) throws(TokenizerError) -> UInt32 in
                let rank = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1) { one in
                    one[0] = UInt8(byte)
                    return view.lookUp(one.baseAddress!, count: 1)
                }
                guard rank != Self.noRank else { throw .malformedVocabulary(line: 0, reason: "no token for the single byte \(byte)") }
                return rank
            }
        }
        self.init(bytes: bytes, starts: starts, lengths: lengths, slots: slots, byteRanks: byteRanks, count: tokenRanks.count)
    }

    private init(bytes: [UInt8], starts: [UInt32], lengths: [UInt32], slots: [UInt64], byteRanks: [UInt32], count: Int) {
        self.bytes = bytes
        self.starts = starts
        self.lengths = lengths
        self.slots = slots
        self.byteRanks = byteRanks
        self.count = count
    }

    /// Runs `body` with a view that looks ranks up without bounds checks or reference counting.
    @inline(__always)
    func withView<Result, Failure: Error>(_ body: (View) throws(Failure) -> Result) throws(Failure) -> Result {
        try self.bytes.withUnsafeBufferPointer { bytes throws(Failure) in
            try self.starts.withUnsafeBufferPointer { starts throws(Failure) in
                try self.lengths.withUnsafeBufferPointer { lengths throws(Failure) in
                    try self.slots.withUnsafeBufferPointer { slots throws(Failure) in
                        try self.byteRanks.withUnsafeBufferPointer { byteRanks throws(Failure) in
                            try body(
                                View(
                                    bytes: bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!, starts: starts.baseAddress!,
                                    lengths: lengths.baseAddress!, slots: slots.baseAddress!, mask: slots.count - 1,
                                    byteRanks: byteRanks.count == 256 ? byteRanks.baseAddress : nil))
                        }
                    }
                }
            }
        }
    }

    /// The bytes of the token with a rank, or `nil` if no token has it.
    func tokenBytes(_ rank: Int) -> ArraySlice<UInt8>? {
        guard rank >= 0 && rank < self.lengths.count && self.lengths[rank] != 0 else { return nil }
        let start = Int(self.starts[rank])
        return self.bytes[start..<start + Int(self.lengths[rank])]
    }

    /// Pointers into a vocabulary, valid inside ``BPEVocabulary/withView(_:)``.
    struct View {
        let bytes: UnsafePointer<UInt8>
        let starts: UnsafePointer<UInt32>
        let lengths: UnsafePointer<UInt32>
        let slots: UnsafePointer<UInt64>
        let mask: Int
        /// `nil` while the vocabulary is being built.
        let byteRanks: UnsafePointer<UInt32>?

        /// The rank of a byte string, or ``BPEVocabulary/noRank`` if it is not a token.
        @inline(__always)
        func rank(of bytes: UnsafePointer<UInt8>, count: Int) -> UInt32 {
            if count == 1, let byteRanks = self.byteRanks { return byteRanks[Int(bytes.pointee)] }
            return self.lookUp(bytes, count: count)
        }

        @inline(__always)
        func lookUp(_ key: UnsafePointer<UInt8>, count: Int) -> UInt32 {
            let hash = BPEVocabulary.hash(key, count: count)
            let tag = hash >> 32
            var slot = Int(truncatingIfNeeded: hash) & self.mask
            while true {
                let entry = self.slots[slot]
                if entry == 0 { return BPEVocabulary.noRank }
                if entry >> 32 == tag {
                    let rank = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                    if Int(self.lengths[rank]) == count && Self.equal(self.bytes + Int(self.starts[rank]), key, count: count) {
                        return UInt32(rank)
                    }
                }
                slot = (slot + 1) & self.mask
            }
        }

        @inline(__always)
        private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, count: Int) -> Bool {
            var index = 0
            while index + 8 <= count {
                let left = UnsafeRawPointer(a + index).loadUnaligned(as: UInt64.self)
                let right = UnsafeRawPointer(b + index).loadUnaligned(as: UInt64.self)
                if left != right { return false }
                index += 8
            }
            while index < count {
                if a[index] != b[index] { return false }
                index += 1
            }
            return true
        }
    }

    /// A 64-bit hash of a byte string (most keys are 2 to 8 bytes): up to 8 bytes are read as one
    /// or two overlapping words, longer keys 8 bytes at a time; each step multiplies and shifts.
    @inline(__always)
    static func hash(_ key: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        let raw = UnsafeRawPointer(key)
        var hash: UInt64 = 0x243F_6A88_85A3_08D3 ^ (UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15)
        if count <= 8 {
            let word: UInt64
            if count >= 4 {
                word = UInt64(raw.loadUnaligned(as: UInt32.self)) | UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)) << 32
            } else if count > 0 {
                word = UInt64(key[0]) | UInt64(key[count >> 1]) << 8 | UInt64(key[count - 1]) << 16
            } else {
                word = 0
            }
            hash = (hash ^ word) &* 0xBF58_476D_1CE4_E5B9
        } else {
            var index = 0
            while index + 8 <= count {
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                hash ^= hash >> 29
                index += 8
            }
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)) &* 0x94D0_49BB_1331_11EB
        }
        hash ^= hash >> 31
        hash &*= 0xD6E8_FEB8_6659_FD93
        hash ^= hash >> 32
        return hash
    }

    /// Decodes standard base64 (with or without `=` padding) and appends the bytes.
    /// - Returns: `false` if a character is outside the alphabet.
    private static func appendBase64(_ text: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, into output: inout [UInt8]) -> Bool {
        var accumulator: UInt32 = 0
        var bits = 0
        var index = start
        while index < end {
            let character = text[index]
            index += 1
            let value: UInt32
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(character - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(character - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(character - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="): return index == end || (index + 1 == end && text[index] == UInt8(ascii: "="))
            default: return false
            }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return true
    }
}
