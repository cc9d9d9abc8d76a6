extension StatusLineVariables {
    /// A token count as the original shows it: as is up to 1000, then `12.3k`; ccr adds `1.2M`
    /// past a million.
    public static func tokens(_ count: Int) -> String {
        if count > 1_000_000 { return self.fixed(Double(count) / 1_000_000, decimals: 1) + "M" }
        if count > 1000 { return self.fixed(Double(count) / 1000, decimals: 1) + "k" }
        return String(count)
    }

    /// A context window size without a needless decimal: `200k`, `1M`, `128.5k`.
    public static func compactTokens(_ count: Int) -> String {
        func trimmed(_ value: Double, _ unit: String) -> String {
            var text = self.fixed(value, decimals: 1)
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
        return value >= 10 ? String(Int(value.rounded())) : self.fixed(value, decimals: 1)
    }

    /// A short duration: `850ms`, `1.2s`.
    public static func milliseconds(_ value: Int) -> String {
        value < 1000 ? "\(max(0, value))ms" : self.fixed(Double(value) / 1000, decimals: 1) + "s"
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
        return "$" + self.fixed(value, decimals: value > 0 && value < 0.01 ? 4 : 2)
    }

    /// `value` with exactly `decimals` digits after the point, rounded half away from zero.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9.0e15 else { return String(value) }
        let units = Int(scaled)
        let whole = units / Int(scale)
        var text = (value < 0 && units != 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let fraction = String(units % Int(scale))
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return text
    }
}
