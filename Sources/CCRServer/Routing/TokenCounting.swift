import CCRCore

/// The token counter the server uses for routing, `count_tokens` and `message_start` estimates:
/// cl100k_base over the request (``RequestTokenCounter``), or a bytes/4 estimate when the
/// vocabulary cannot be found (a broken install), so routing never fails over a count.
public enum TokenCounting {
    /// The counter, loaded on first use.
    public static let counter: RequestTokenCounter? = try? RequestTokenCounter.shared

    public static let count: @Sendable (JSONObject) -> Int = { body in
        if let counter = TokenCounting.counter { return counter.count(body) }
        return RequestTokenEstimate.bytesOverFour(body)
    }
}
