/// The built-in transformers by name.
public enum TransformerRegistry {
    /// Every built-in transformer type, keyed by its config name.
    public static let types: [String: any Transformer.Type] = {
        let all: [any Transformer.Type] = [
            MaxTokenTransformer.self, MaxCompletionTokensTransformer.self, SamplingTransformer.self, CleanCacheTransformer.self,
            StreamOptionsTransformer.self, CustomParamsTransformer.self, DeepSeekTransformer.self, OpenRouterTransformer.self,
            VercelTransformer.self, GroqTransformer.self, CerebrasTransformer.self, ReasoningTransformer.self,
            ForceReasoningTransformer.self, ExtraThinkTagTransformer.self, ToolUseTransformer.self, EnhanceToolTransformer.self,
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    }()

    /// The names of the built-in transformers this build runs (wire names excluded).
    public static var names: Set<String> { Set(Self.types.keys) }

    /// What is wrong with the options of `name`; empty for a name that is not a built-in transformer.
    public static func validate(name: String, options: JSONObject) -> [String] {
        Self.types[name]?.validate(options: options) ?? []
    }

    /// The transformer `name` built from `options`, or `nil` when `name` is not a built-in.
    public static func make(name: String, options: JSONObject) -> (any Transformer)? {
        Self.types[name].map { $0.init(options: options) }
    }
}
