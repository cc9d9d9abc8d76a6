/// `streamoptions`: in the original, asked streaming providers for usage
/// (`stream_options.include_usage`). ccr always asks for it when streaming, so this transformer
/// does nothing; it exists so that chains written for the original load unchanged.
public struct StreamOptionsTransformer: Transformer {
    public static let name = "streamoptions"

    public init(options: JSONObject) {}
}
