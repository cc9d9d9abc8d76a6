/// One entry of `Providers`.
public struct ProviderConfiguration: Sendable, Equatable {
    /// The name used in routes (`deepseek` in `deepseek,deepseek-chat`).
    public var name: String
    /// The full endpoint URL (`https://api.deepseek.com/chat/completions`).
    public var baseURL: String {
        didSet { self.endpoint = URLParts(self.baseURL) }
    }
    /// ``baseURL`` parsed once (validation guarantees it parses for a loaded config).
    public private(set) var endpoint: URLParts?
    /// The provider's (first) key; `nil` for providers that need none.
    public var apiKey: String?
    /// Every key (`api_keys`, or `api_key` alone), taking turns by ``rotation``.
    public var keys: [ProviderKey] = []
    /// `rotation_strategy` (default round robin).
    public var rotation: RotationStrategy = .roundRobin
    /// The model names this provider serves.
    public var models: [String]
    /// The provider-level transformer chain (`transformer.use`).
    public var transformers: [TransformerReference]
    /// Model-level chains (`transformer["model"].use`).
    public var modelTransformers: [String: [TransformerReference]]
    /// Which wire protocol this provider speaks, derived from the transformers and the URL.
    public var wire: WireProtocol
    /// Vertex AI settings, for a provider whose chain has `vertex-gemini` or `vertex-claude`
    /// (it then authenticates with a service account instead of a key).
    public var vertex: VertexConfiguration?

    public init(
        name: String,
        baseURL: String,
        apiKey: String?,
        models: [String],
        transformers: [TransformerReference] = [],
        modelTransformers: [String: [TransformerReference]] = [:],
        wire: WireProtocol
    ) {
        self.name = name
        self.baseURL = baseURL
        self.endpoint = URLParts(baseURL)
        self.apiKey = apiKey
        self.keys = apiKey.map { [ProviderKey(key: $0)] } ?? []
        self.models = models
        self.transformers = transformers
        self.modelTransformers = modelTransformers
        self.wire = wire
    }

    /// The canonical spelling of a model this provider serves, compared case-insensitively.
    public func model(named name: String) -> String? {
        let lowered = name.lowercased()
        return self.models.first { $0.lowercased() == lowered }
    }

    /// The transformers that apply to a model: provider-level first, then model-level.
    public func transformers(for model: String) -> [TransformerReference] {
        self.transformers + (self.modelTransformers[model] ?? [])
    }
}
