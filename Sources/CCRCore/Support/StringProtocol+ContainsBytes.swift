extension StringProtocol {
    /// Whether the UTF-8 bytes of `needle` occur in this string: a plain byte search, much
    /// cheaper on long prompts than `contains(_:)` (Unicode-aware, or bridged to Foundation's
    /// string search when Foundation is imported anywhere in the module).
    public func containsBytes(_ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return true }
        let result: Bool? = self.utf8.withContiguousStorageIfAvailable { haystack in
            Self.search(haystack, pattern, first)
        }
        if let result { return result }
        return Array(self.utf8).withUnsafeBufferPointer { Self.search($0, pattern, first) }
    }

    private static func search(_ haystack: UnsafeBufferPointer<UInt8>, _ pattern: [UInt8], _ first: UInt8) -> Bool {
        guard haystack.count >= pattern.count else { return false }
        var index = 0
        let last = haystack.count - pattern.count
        while index <= last {
            if haystack[index] == first {
                var matched = true
                for offset in 1..<pattern.count where haystack[index + offset] != pattern[offset] {
                    matched = false
                    break
                }
                if matched { return true }
            }
            index += 1
        }
        return false
    }
}
