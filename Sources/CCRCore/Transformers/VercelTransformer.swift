/// `vercel {…}`: the Vercel AI Gateway, which takes the same adaptations as OpenRouter (see
/// ``OpenRouterTransformer``): options merged into the body, cache breakpoints for Claude models
/// and none for others, base64 image URLs completed, numeric tool call ids replaced.
public struct VercelTransformer: OpenRouterCompatibleTransformer {
    public static let name = "vercel"
    /// Merged into every request.
    public let parameters: JSONObject

    public init(options: JSONObject) {
        self.parameters = options
    }
}
