/// Byte-pair merging of one pre-tokenized piece, by rank, with tiktoken's rules.
///
/// The piece starts as one part per byte. While some pair of neighbouring parts joins into a
/// token, the pair whose joined token has the lowest rank is merged (the leftmost such pair when
/// several have that rank). The parts left are the tokens. A piece that is itself a token is one
/// token without merging, as tiktoken looks the whole piece up first.
enum BytePairMerger {
    /// Pieces up to this many bytes are merged with linear scans over a scratch area of
    /// ``scratchCapacity`` values; longer ones with a priority queue (O(n log n) instead of O(n²)).
    static let linearLimit = 128

    /// The scratch values ``merge(_:count:vocabulary:scratch:into:)`` needs: boundaries and ranks.
    static let scratchCapacity = 2 * (linearLimit + 1)

    /// Merges a piece and reports its tokens.
    /// - Parameters:
    ///   - piece: the piece's bytes (at least one).
    ///   - count: how many bytes.
    ///   - vocabulary: the ranks.
    ///   - scratch: ``scratchCapacity`` values of working space.
    ///   - sink: receives each token's rank in order, if it collects tokens.
    /// - Returns: the number of tokens.
    @inline(__always)
    static func merge<Sink: TokenSink>(
        _ piece: UnsafePointer<UInt8>,
        count: Int,
        vocabulary: BPEVocabulary.View,
        scratch: UnsafeMutablePointer<UInt32>,
        into sink: inout Sink
    ) -> Int {
        if count == 1 {
            if Sink.collectsTokens { sink.append(vocabulary.rank(of: piece, count: 1)) }
            return 1
        }
        let whole = vocabulary.rank(of: piece, count: count)
        if whole != BPEVocabulary.noRank {
            if Sink.collectsTokens { sink.append(whole) }
            return 1
        }
        if count > Self.linearLimit {
            return Self.mergeLong(piece, count: count, vocabulary: vocabulary, into: &sink)
        }
        let boundaries = scratch
        let parts = Self.mergeShort(piece, count: count, vocabulary: vocabulary, boundaries: boundaries, ranks: scratch + (count + 1))
        if Sink.collectsTokens {
            for part in 0..<parts {
                let start = Int(boundaries[part])
                sink.append(vocabulary.rank(of: piece + start, count: Int(boundaries[part + 1]) - start))
            }
        }
        return parts
    }

    /// Linear-scan merging: `boundaries` ends up holding the start of each part and then the
    /// piece's end; `ranks[i]` is the rank of joining parts `i` and `i + 1`.
    /// - Returns: the number of parts.
    @inline(__always)
    private static func mergeShort(
        _ piece: UnsafePointer<UInt8>,
        count: Int,
        vocabulary: BPEVocabulary.View,
        boundaries: UnsafeMutablePointer<UInt32>,
        ranks: UnsafeMutablePointer<UInt32>
    ) -> Int {
        for index in 0...count { boundaries[index] = UInt32(index) }
        for index in 0..<count - 1 { ranks[index] = vocabulary.rank(of: piece + index, count: 2) }
        ranks[count - 1] = BPEVocabulary.noRank
        var parts = count
        while parts > 1 {
            var best = 0
            var bestRank = ranks[0]
            for index in 1..<parts - 1 where ranks[index] < bestRank {
                best = index
                bestRank = ranks[index]
            }
            if bestRank == BPEVocabulary.noRank { break }
            // Part `best` absorbs part `best + 1`.
            var index = best + 1
            while index < parts {
                boundaries[index] = boundaries[index + 1]
                if index < parts - 1 { ranks[index] = ranks[index + 1] }
                index += 1
            }
            parts -= 1
            ranks[best] = Self.joinedRank(piece, boundaries, first: best, parts: parts, vocabulary)
            if best > 0 { ranks[best - 1] = Self.joinedRank(piece, boundaries, first: best - 1, parts: parts, vocabulary) }
        }
        return parts
    }

    /// The rank of parts `first` and `first + 1` joined, or no rank if `first` is the last part.
    @inline(__always)
    private static func joinedRank(
        _ piece: UnsafePointer<UInt8>,
        _ boundaries: UnsafeMutablePointer<UInt32>,
        first: Int,
        parts: Int,
        _ vocabulary: BPEVocabulary.View
    ) -> UInt32 {
        guard first + 1 < parts else { return BPEVocabulary.noRank }
        let start = Int(boundaries[first])
        return vocabulary.rank(of: piece + start, count: Int(boundaries[first + 2]) - start)
    }

    /// Priority-queue merging for long pieces. Parts are a linked list indexed by their start
    /// offset; the queue holds `(rank << 32) | start` for every joinable pair, so the smallest key
    /// is the lowest rank and, among equal ranks, the leftmost pair. A queued pair is stale when
    /// its part is gone or its rank has changed (a part's joined bytes only grow, so a rank once
    /// replaced never comes back).
    private static func mergeLong<Sink: TokenSink>(
        _ piece: UnsafePointer<UInt8>,
        count: Int,
        vocabulary: BPEVocabulary.View,
        into sink: inout Sink
    ) -> Int {
        let gone = Int32.min
        let next = UnsafeMutablePointer<Int32>.allocate(capacity: count)
        let previous = UnsafeMutablePointer<Int32>.allocate(capacity: count)
        let pairRank = UnsafeMutablePointer<UInt32>.allocate(capacity: count)
        var queue = MinimumQueue(capacity: 2 * count)
        defer {
            next.deallocate()
            previous.deallocate()
            pairRank.deallocate()
            queue.deallocate()
        }
        for index in 0..<count {
            next[index] = Int32(index + 1)
            previous[index] = Int32(index - 1)
            pairRank[index] = BPEVocabulary.noRank
            if index + 1 < count {
                let rank = vocabulary.rank(of: piece + index, count: 2)
                pairRank[index] = rank
                if rank != BPEVocabulary.noRank { queue.push(UInt64(rank) << 32 | UInt64(index)) }
            }
        }
        var parts = count
        while let key = queue.popMinimum() {
            let start = Int(key & 0xFFFF_FFFF)
            guard previous[start] != gone, pairRank[start] == UInt32(key >> 32) else { continue }
            let absorbed = Int(next[start])
            let after = Int(next[absorbed])
            next[start] = Int32(after)
            if after < count { previous[after] = Int32(start) }
            previous[absorbed] = gone
            parts -= 1
            if after < count {
                let joined = vocabulary.rank(of: piece + start, count: Int(next[after]) - start)
                pairRank[start] = joined
                if joined != BPEVocabulary.noRank { queue.push(UInt64(joined) << 32 | UInt64(start)) }
            } else {
                pairRank[start] = BPEVocabulary.noRank
            }
            if start > 0 {
                let before = Int(previous[start])
                let joined = vocabulary.rank(of: piece + before, count: after - before)
                pairRank[before] = joined
                if joined != BPEVocabulary.noRank { queue.push(UInt64(joined) << 32 | UInt64(before)) }
            }
        }
        if Sink.collectsTokens {
            var start = 0
            while start < count {
                let end = Int(next[start])
                sink.append(vocabulary.rank(of: piece + start, count: end - start))
                start = end
            }
        }
        return parts
    }

    /// A binary min-heap of keys in memory the caller deallocates. Each merge pushes at most two
    /// keys and removes a part, so `2 × count` keys always fit.
    private struct MinimumQueue {
        private let keys: UnsafeMutablePointer<UInt64>
        private let capacity: Int
        private var count = 0

        init(capacity: Int) {
            self.keys = .allocate(capacity: capacity)
            self.capacity = capacity
        }

        func deallocate() {
            self.keys.deallocate()
        }

        mutating func push(_ key: UInt64) {
            precondition(self.count < self.capacity)
            var index = self.count
            self.count += 1
            while index > 0 {
                let parent = (index - 1) / 2
                if self.keys[parent] <= key { break }
                self.keys[index] = self.keys[parent]
                index = parent
            }
            self.keys[index] = key
        }

        mutating func popMinimum() -> UInt64? {
            guard self.count > 0 else { return nil }
            let minimum = self.keys[0]
            self.count -= 1
            let last = self.keys[self.count]
            var index = 0
            while true {
                var child = 2 * index + 1
                if child >= self.count { break }
                if child + 1 < self.count && self.keys[child + 1] < self.keys[child] { child += 1 }
                if self.keys[child] >= last { break }
                self.keys[index] = self.keys[child]
                index = child
            }
            self.keys[index] = last
            return minimum
        }
    }
}
