/// Where byte-pair merging delivers tokens: a collector for encoding, or nothing when only
/// counting (then the merged parts are not even looked up).
protocol TokenSink {
    /// Whether ``append(_:)`` wants the tokens; `false` skips the final lookups.
    static var collectsTokens: Bool { get }
    /// Takes the next token's rank.
    mutating func append(_ rank: UInt32)
}
