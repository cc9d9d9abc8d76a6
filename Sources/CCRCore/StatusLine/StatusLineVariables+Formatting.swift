extension StatusLineVariables {
    /// A token count as the original shows it: as is up to 1000, then `12.3k`; ccr adds `1.2M`
    /// past a million.
    public static func tokens(_ count: Int) -> String {
        if count > 1_000_000 { return DecimalText.fixed(Double(count) / 1_000_000, decimals: 1) + "M" }
        if count > 1000 { return DecimalText.fixed(Double(count) / 1000, decimals: 1) + "k" }
        return String(count)
    }

    /// A context window size without a needless decimal: `200k`, `1M`, `128.5k`.
    public static func compactTokens(_ count: Int) -> String {
        func trimmed(_ value: Double, _ unit: String) -> String {
            var text = DecimalText.fixed(value, decimals: 1)
            if text.hasSuffix(".0") { text.removeLast(2) }
            return text + unit
        }
        if count >= 1_000_000 { return trimmed(Double(count) / 1_000_000, "M") }
        if count >= 1000 { return trimmed(Double(count) / 1000, "k") }
        return String(count)
    }

    /// Tokens per second: `48`, or `7.5` below 10.
    public static func speed(_ value: Double) -> String? {
        guard value.isFinite, value > 0 else { return nil }
        return value >= 10 ? String(Int(value.rounded())) : DecimalText.fixed(value, decimals: 1)
    }

    /// A short duration: `850ms`, `1.2s`.
    public static func milliseconds(_ value: Int) -> String {
        value < 1000 ? "\(max(0, value))ms" : DecimalText.fixed(Double(value) / 1000, decimals: 1) + "s"
    }

    /// A session's length: `45s`, `3m 12s`, `1h 5m`.
    public static func duration(_ milliseconds: Int) -> String {
        let seconds = max(0, milliseconds) / 1000
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m \(seconds % 60)s" }
        return "\(seconds / 3600)h \((seconds % 3600) / 60)m"
    }

    /// US dollars: `$1.23`, `$0.0042` below a cent.
    public static func dollars(_ value: Double) -> String? {
        guard value.isFinite, value >= 0 else { return nil }
        return "$" + DecimalText.fixed(value, decimals: value > 0 && value < 0.01 ? 4 : 2)
    }
}
