/// How often and how long to wait before trying again: jittered exponential backoff that honours
/// the provider's `Retry-After` up to a cap.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts at one target (the first included) before moving to the next target.
    public var attemptsPerTarget: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// A `Retry-After` longer than this moves on to the next key or target instead of waiting.
    public var maxRetryAfter: Duration

    public init(attemptsPerTarget: Int = 2, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(4), maxRetryAfter: Duration = .seconds(10)) {
        self.attemptsPerTarget = attemptsPerTarget
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before retry number `retry` (1 for the first retry), or `nil` when the provider
    /// asked for longer than ``maxRetryAfter`` (move on instead).
    public func delay(retry: Int, retryAfter: Duration?, random: inout some RandomNumberGenerator) -> Duration? {
        if let retryAfter {
            return retryAfter <= self.maxRetryAfter ? retryAfter : nil
        }
        let exponent = min(max(retry - 1, 0), 16)
        let ceiling = min(self.baseDelay * (1 << exponent), self.maxDelay)
        // Full jitter between half and all of the ceiling.
        let milliseconds = max(1, Int(ceiling.milliseconds))
        return .milliseconds(Int.random(in: (milliseconds / 2)...milliseconds, using: &random))
    }

    /// Reads how long the provider wants us to wait: `retry-after-ms`, `retry-after` (seconds or
    /// an HTTP date is treated as unknown), or OpenAI's `x-ratelimit-reset-requests` /
    /// `x-ratelimit-reset-tokens` (`1s`, `6m0s`, `20ms`).
    /// - Parameter header: looks a header up by lowercased name.
    public static func retryAfter(_ header: (String) -> String?) -> Duration? {
        if let ms = header("retry-after-ms").flatMap({ Double($0.trimmingSpaces()) }), ms >= 0 {
            return .milliseconds(Int(ms))
        }
        if let seconds = header("retry-after").flatMap({ Double($0.trimmingSpaces()) }), seconds >= 0 {
            return .milliseconds(Int(seconds * 1000))
        }
        let resets = ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens", "x-ratelimit-reset"].compactMap { header($0).flatMap(Self.goDuration) }
        return resets.max()
    }

    /// Parses Go-style durations as OpenAI sends them: `1s`, `6m0s`, `1h2m3.5s`, `250ms`.
    static func goDuration(_ text: String) -> Duration? {
        var total = 0.0
        var number = ""
        var unit = ""
        var any = false
        func flush() -> Bool {
            guard let value = Double(number) else { return false }
            switch unit {
            case "h": total += value * 3_600_000
            case "m": total += value * 60_000
            case "s": total += value * 1000
            case "ms": total += value
            default: return false
            }
            any = true
            number = ""
            unit = ""
            return true
        }
        for character in text.trimmingSpaces() {
            if character.isNumber || character == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(character)
            } else if character.isLetter {
                unit.append(character)
            } else {
                return nil
            }
        }
        if !number.isEmpty || !unit.isEmpty { guard flush() else { return nil } }
        return any ? .milliseconds(Int(total)) : nil
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
