/// A cheap stand-in for the token count when no tokenizer is wired in.
public enum RequestTokenEstimate {
    /// The encoded body's length over four.
    public static let bytesOverFour: @Sendable (JSONObject) -> Int = { body in
        JSONValue.object(body).encoded().count / 4
    }
}
