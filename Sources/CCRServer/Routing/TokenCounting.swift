import CCRCore

/// The token counter the server uses for routing, `count_tokens` and `message_start` estimates.
public enum TokenCounting {
    public static let count: @Sendable (JSONObject) -> Int = RequestTokenEstimate.bytesOverFour
}
