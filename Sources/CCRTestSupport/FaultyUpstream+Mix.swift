extension FaultyUpstream {
    /// A weighted random choice of faults for load tests, reproducible from a seed.
    ///
    /// Each request index draws from its own generator seeded with `seed` and the index, so the fault for request
    /// `n` is the same whatever order concurrent requests arrive in, and needs no shared state.
    public struct Mix: Sendable {
        /// The faults and their relative weights.
        public var weighted: [(weight: Double, fault: Fault)]
        /// The seed every draw derives from.
        public var seed: UInt64

        /// A mix with relative weights (they need not add up to 1).
        public init(weighted: [(weight: Double, fault: Fault)], seed: UInt64 = 0) {
            precondition(weighted.contains { $0.weight > 0 }, "a mix needs a positive weight")
            precondition(weighted.allSatisfy { $0.weight >= 0 }, "weights cannot be negative")
            self.weighted = weighted
            self.seed = seed
        }

        /// A mix where each fault has a probability and `otherwise` takes the rest, e.g.
        /// `Mix([(0.3, .serverError())], otherwise: .healthy(.anthropicStream("ok")), seed: 7)`.
        public init(_ faults: [(probability: Double, fault: Fault)], otherwise: Fault, seed: UInt64 = 0) {
            let total = faults.reduce(0) { $0 + $1.probability }
            precondition(total <= 1 + 1e-9, "probabilities add up to more than 1")
            self.init(weighted: faults.map { (weight: $0.probability, fault: $0.fault) } + [(weight: max(0, 1 - total), fault: otherwise)], seed: seed)
        }

        /// The fault for request `index`.
        public func fault(for index: Int) -> Fault {
            var generator = SplitMix64(seed: self.seed ^ (UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15))
            let total = self.weighted.reduce(0) { $0 + $1.weight }
            var point = Double.random(in: 0..<1, using: &generator) * total
            for entry in self.weighted where entry.weight > 0 {
                if point < entry.weight { return entry.fault }
                point -= entry.weight
            }
            return self.weighted.last { $0.weight > 0 }!.fault
        }
    }

    /// SplitMix64: a small, fast, seedable generator (Steele, Lea and Flood, 2014).
    public struct SplitMix64: RandomNumberGenerator, Sendable {
        private var state: UInt64

        public init(seed: UInt64) {
            self.state = seed
        }

        public mutating func next() -> UInt64 {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var z = self.state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
