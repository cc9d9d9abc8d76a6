/// A Vertex AI provider's settings (`["vertex-gemini", {project, location, credentials}]` or
/// `vertex-claude`), with the environment's fallbacks already applied where the loader can.
public struct VertexConfiguration: Sendable, Equatable {
    /// Which models the provider serves on Vertex, and so which publisher path and body it uses.
    public enum Kind: String, Sendable, Equatable {
        /// `vertex-gemini`: Google's models, Gemini bodies.
        case gemini = "vertex-gemini"
        /// `vertex-claude`: Anthropic's models, Anthropic bodies.
        case claude = "vertex-claude"

        /// The location used when neither the options nor `GOOGLE_CLOUD_LOCATION` give one.
        public var defaultLocation: String { self == .gemini ? "us-central1" : "us-east5" }
        /// The publisher segment of the model path.
        public var publisher: String { self == .gemini ? "google" : "anthropic" }
    }

    public var kind: Kind
    /// The project from the options; when `nil`, the service account's `project_id`, then
    /// ``environmentProject``.
    public var project: String?
    /// `GOOGLE_CLOUD_PROJECT`, the last fallback for the project.
    public var environmentProject: String?
    /// The region (`us-central1`) or `global`.
    public var location: String
    /// The service-account JSON file (`credentials`, else `GOOGLE_APPLICATION_CREDENTIALS`).
    public var credentialsPath: String
    /// `api_base_url` when the config gives one: it replaces the regional host.
    public var baseOverride: String?

    public init(
        kind: Kind, project: String?, environmentProject: String?, location: String, credentialsPath: String, baseOverride: String? = nil
    ) {
        self.kind = kind
        self.project = project
        self.environmentProject = environmentProject
        self.location = location
        self.credentialsPath = credentialsPath
        self.baseOverride = baseOverride
    }

    /// The project to call: the options', else the service account's, else the environment's.
    public func resolvedProject(serviceAccountProject: String?) -> String? {
        for candidate in [self.project, serviceAccountProject, self.environmentProject] {
            if let candidate, !candidate.isEmpty { return candidate }
        }
        return nil
    }
}

/// Vertex AI request URLs.
public enum VertexEndpoint {
    /// The host for a location: `https://{location}-aiplatform.googleapis.com`, or
    /// `https://aiplatform.googleapis.com` for `global`.
    public static func defaultBase(location: String) -> String {
        location == "global" ? "https://aiplatform.googleapis.com" : "https://\(location)-aiplatform.googleapis.com"
    }

    /// The API root: the override (or the location's host) with `/v1` added unless it already
    /// ends in a version (`/v1`, `/v1beta1`).
    public static func apiRoot(_ vertex: VertexConfiguration) -> String {
        var base = vertex.baseOverride ?? Self.defaultBase(location: vertex.location)
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") || base.hasSuffix("/v1beta1") { return base }
        return base + "/v1"
    }

    /// `…/projects/{project}/locations/{location}/publishers/{publisher}/models`, the base a
    /// model name and method are added to.
    public static func modelsBase(_ vertex: VertexConfiguration, project: String) -> String {
        "\(Self.apiRoot(vertex))/projects/\(project)/locations/\(vertex.location)/publishers/\(vertex.kind.publisher)/models"
    }

    /// A Gemini model's URL: `…/models/{model}:streamGenerateContent?alt=sse` or `:generateContent`.
    public static func geminiURL(_ vertex: VertexConfiguration, project: String, model: String, stream: Bool) -> String {
        GeminiTarget.url(baseURL: Self.modelsBase(vertex, project: project), model: model, stream: stream)
    }

    /// A Claude model's URL: `…/models/{model}:streamRawPredict` or `:rawPredict`.
    public static func claudeURL(_ vertex: VertexConfiguration, project: String, model: String, stream: Bool) -> String {
        "\(Self.modelsBase(vertex, project: project))/\(model):\(stream ? "streamRawPredict" : "rawPredict")"
    }
}
