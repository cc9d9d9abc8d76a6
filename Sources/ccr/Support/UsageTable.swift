import Foundation
import CCRCore

/// Prints `ccr usage`'s tables: the summary grouped by one dimension, then the latest requests.
enum UsageTable {
    static func print(summary: UsageSummary, by dimension: UsageSummary.Dimension, recent: [JSONValue], source: String) {
        let from = summary.from.map { Self.localTime($0) } ?? "the start"
        let to = summary.to.map { " to " + Self.localTime($0) } ?? ""
        Swift.print("Usage since \(from)\(to) (from \(source))")
        if summary.totals.requests == 0 {
            Swift.print("no requests recorded in that time")
            return
        }
        var rows: [[String]] = [[dimension.rawValue.uppercased(), "REQUESTS", "ERRORS", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "COST", "TTFT p50", "TIME p50", "TOK/S"]]
        for group in summary.groups[dimension] ?? [] { rows.append(Self.row(group.key == "," ? "(rejected)" : group.key, group.totals)) }
        rows.append(Self.row("total", summary.totals))
        Self.printAligned(rows, rightAligned: Set(1...10))
        if summary.totals.unpriced > 0 {
            Swift.print("(\(summary.totals.unpriced) requests have no known price and are not in the cost; add them under Prices in config.json)")
        }
        guard !recent.isEmpty else { return }
        Swift.print("")
        Swift.print("Latest requests")
        var lines: [[String]] = [["TIME", "ROUTE", "SCENARIO", "ANSWERED BY", "INPUT", "OUTPUT", "CACHE R/W", "TTFT", "TIME", "TOK/S", "COST", "STATUS"]]
        for record in recent {
            let time = record["time"]?.stringValue.flatMap(UsageTime.parse).map { Self.localTime($0, format: "HH:mm:ss") } ?? ""
            let answered = "\(record["provider"]?.stringValue ?? ""),\(record["model"]?.stringValue ?? "")"
            let route = record["route"]?.stringValue.map { $0 == "," ? "(rejected)" : $0 } ?? ""
            var status = "\(record["status"]?.intValue ?? 0)"
            if let outcome = record["outcome"]?.stringValue, outcome != "ok" { status += " " + outcome }
            let attempts = record["attempts"]?.arrayValue?.count { $0["status"]?.isNull == false || $0["failure"]?.isNull == false } ?? 0
            if attempts > 1 { status += " (\(attempts) attempts)" }
            lines.append([
                time, route, record["scenario"]?.stringValue ?? "", answered == route ? "=" : answered,
                Self.count(record["input_tokens"]?.intValue ?? 0), Self.count(record["output_tokens"]?.intValue ?? 0),
                "\(Self.count(record["cache_read_tokens"]?.intValue ?? 0))/\(Self.count(record["cache_write_tokens"]?.intValue ?? 0))",
                record["ttft_ms"]?.intValue.map(Self.milliseconds) ?? "-", Self.milliseconds(record["duration_ms"]?.intValue ?? 0),
                record["tokens_per_second"]?.doubleValue.map { DecimalText.fixed($0, decimals: 1) } ?? "-",
                record["cost_usd"]?.doubleValue.map(Self.dollars) ?? "?", status,
            ])
        }
        Self.printAligned(lines, rightAligned: [4, 5, 6, 7, 8, 9, 10])
    }

    /// `2026-11-30 14:00` in this machine's time zone.
    static func localTime(_ milliseconds: Int64, format: String = "yyyy-MM-dd HH:mm zzz") -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = format
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1_000))
    }

    static func row(_ key: String, _ totals: UsageSummary.Totals) -> [String] {
        [
            key, Self.count(totals.requests), Self.count(totals.errors), Self.count(totals.inputTokens), Self.count(totals.outputTokens),
            Self.count(totals.cacheReadTokens), Self.count(totals.cacheWriteTokens), Self.dollars(totals.costUSD) + (totals.unpriced > 0 ? "+?" : ""),
            totals.ttft.p50.map(Self.milliseconds) ?? "-", totals.duration.p50.map(Self.milliseconds) ?? "-",
            totals.tokensPerSecond.map { DecimalText.fixed($0, decimals: 1) } ?? "-",
        ]
    }

    /// `12,345`.
    static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// `850 ms`, `3.2 s`.
    static func milliseconds(_ value: Int) -> String {
        value < 1_000 ? "\(value) ms" : DecimalText.fixed(Double(value) / 1_000, decimals: 1) + " s"
    }

    /// `$0.0123` below a dollar, `$12.35` above.
    static func dollars(_ value: Double) -> String {
        "$" + DecimalText.fixed(value, decimals: value < 1 ? 4 : 2)
    }

    static func printAligned(_ rows: [[String]], rightAligned: Set<Int>) {
        var widths = [Int](repeating: 0, count: rows.map(\.count).max() ?? 0)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return rightAligned.contains(index) ? padding + cell : cell + padding
            }
            Swift.print(cells.joined(separator: "  ").trimmingTrailingSpaces())
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
