/// Calendar arithmetic for usage records, in UTC, without Foundation: ISO 8601 text for
/// milliseconds since 1970, the day a record belongs to, and the reverse for filters.
public enum UsageTime {
    static let millisecondsPerDay: Int64 = 86_400_000

    /// `2026-11-30T16:04:28.123Z`.
    public static func iso8601(milliseconds: Int64) -> String {
        let days = Self.floorDivide(milliseconds, Self.millisecondsPerDay)
        let inDay = milliseconds - days * Self.millisecondsPerDay
        let (year, month, day) = Self.civil(days: days)
        let seconds = inDay / 1_000
        return "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))T\(Self.pad(seconds / 3_600, 2)):"
            + "\(Self.pad(seconds / 60 % 60, 2)):\(Self.pad(seconds % 60, 2)).\(Self.pad(inDay % 1_000, 3))Z"
    }

    /// `2026-11-30`: the UTC day of an instant.
    public static func day(milliseconds: Int64) -> String {
        let (year, month, day) = Self.civil(days: Self.floorDivide(milliseconds, Self.millisecondsPerDay))
        return "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))"
    }

    /// The start of the UTC day of an instant.
    public static func startOfDay(milliseconds: Int64) -> Int64 {
        Self.floorDivide(milliseconds, Self.millisecondsPerDay) * Self.millisecondsPerDay
    }

    /// Reads `2026-11-30`, `2026-11-30T16:04`, `2026-11-30T16:04:28`, `2026-11-30T16:04:28.123Z`
    /// or `…+01:00` (a space may stand for `T`; no zone means UTC); `nil` for anything else.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + digits] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            index += digits
            return value
        }
        func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip(0x2D), let month = number(2), skip(0x2D), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var milliseconds = Self.days(year: year, month: month, day: day) * Self.millisecondsPerDay
        if index == bytes.count { return milliseconds }
        guard skip(0x54) || skip(0x74) || skip(0x20), let hour = number(2), skip(0x3A), let minute = number(2), hour < 24, minute < 60 else { return nil }
        milliseconds += (hour * 60 + minute) * 60_000
        if skip(0x3A) {
            guard let second = number(2), second < 61 else { return nil }
            milliseconds += second * 1_000
            if skip(0x2E) {
                var scale: Int64 = 100
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                    milliseconds += Int64(bytes[index] - 0x30) * scale
                    scale /= 10
                    index += 1
                }
            }
        }
        if index == bytes.count || (skip(0x5A) || skip(0x7A)) && index == bytes.count { return milliseconds }
        let sign: Int64
        if skip(0x2B) { sign = 1 } else if skip(0x2D) { sign = -1 } else { return nil }
        guard let offsetHours = number(2) else { return nil }
        _ = skip(0x3A)
        let offsetMinutes = number(2) ?? 0
        guard index == bytes.count else { return nil }
        return milliseconds - sign * (offsetHours * 60 + offsetMinutes) * 60_000
    }

    /// Days since 1970-01-01 of a civil date (proleptic Gregorian).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = Self.floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = Self.floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
