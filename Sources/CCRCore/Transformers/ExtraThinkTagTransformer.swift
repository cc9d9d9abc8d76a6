/// `extrathinktag`: in the original, moved `<think>…</think>` text out of the answer into
/// thinking. ccr's OpenAI Chat adapter always does that (however the tags are split across
/// chunks), so this transformer does nothing; it exists so that chains written for the original
/// load unchanged.
public struct ExtraThinkTagTransformer: Transformer {
    public static let name = "extrathinktag"

    public init(options: JSONObject) {}
}
