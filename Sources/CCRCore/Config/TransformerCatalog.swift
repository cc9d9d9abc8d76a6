/// The transformer names a config may use, and which of them this build implements.
public enum TransformerCatalog {
    /// Every built-in name of the original (ccr-behaviour §3.6), case-sensitive as there.
    public static let builtInNames: [String] = [
        "Anthropic", "OpenAI", "deepseek", "gemini", "vertex-gemini", "vertex-claude", "openrouter", "groq",
        "cerebras", "maxtoken", "maxcompletiontokens", "sampling", "reasoning", "forcereasoning", "extrathinktag",
        "tooluse", "enhancetool", "cleancache", "streamoptions", "customparams", "openai-responses", "vercel",
    ]

    /// The names this build can run: the wire names below, and the built-in transformers
    /// (``TransformerRegistry``).
    public static let implementedNames: Set<String> = Set(["Anthropic", "OpenAI", "openai-responses", "gemini", "vertex-gemini", "vertex-claude"]).union(TransformerRegistry.names)

    /// Names that only choose the wire protocol and do nothing else.
    /// (`vertex-gemini` and `vertex-claude` speak Gemini and Anthropic bodies to Vertex AI.)
    public static let wireNames: [String: WireProtocol] = [
        "Anthropic": .anthropic, "OpenAI": .openAIChat, "openai-responses": .openAIResponses, "gemini": .gemini,
        "vertex-gemini": .gemini, "vertex-claude": .anthropic,
    ]
}
