/// The transformers that apply to one provider and model, in the order they run.
///
/// Requests pass the provider-level chain (`transformer.use`) and then the model-level chain
/// (`transformer["model"].use`), each in written order. Answers pass the provider-level chain
/// reversed and then the model-level chain reversed: the original's order (ccr-behaviour §3.1),
/// kept so that chains written for it behave the same.
///
/// Names that select a wire protocol (`Anthropic`, `OpenAI`, `gemini`…) are the wire adapter's
/// business and are left out. Names served by plugin processes (custom transformers) become
/// ``Step/external(name:options:)`` steps, which the server runs; a plugin with a built-in's name
/// replaces the built-in, as in the original.
public struct TransformerChain: Sendable {
    /// One stage of the chain.
    public enum Step: Sendable {
        /// A built-in transformer.
        case builtIn(name: String, transformer: any Transformer)
        /// A custom transformer, run by the server in a plugin process.
        case external(name: String, options: JSONObject)

        /// The name as written in the config.
        public var name: String {
            switch self {
            case .builtIn(let name, _), .external(let name, _): return name
            }
        }
    }

    /// The steps for the request, in order.
    public let requestSteps: [Step]
    /// The steps for the answer, in order.
    public let responseSteps: [Step]

    /// - Parameters:
    ///   - provider: The provider-level references.
    ///   - model: The model-level references.
    ///   - externalNames: Names served by plugin processes.
    public init(provider: [TransformerReference], model: [TransformerReference], externalNames: Set<String> = []) {
        let providerSteps = provider.compactMap { Self.step(for: $0, externalNames: externalNames) }
        let modelSteps = model.compactMap { Self.step(for: $0, externalNames: externalNames) }
        self.requestSteps = providerSteps + modelSteps
        self.responseSteps = providerSteps.reversed() + modelSteps.reversed()
    }

    /// The chain of `provider` for `model`.
    public init(provider: ProviderConfiguration, model: String, externalNames: Set<String> = []) {
        self.init(provider: provider.transformers, model: provider.modelTransformers[model] ?? [], externalNames: externalNames)
    }

    /// No step at all.
    public var isEmpty: Bool { self.requestSteps.isEmpty }

    /// Whether any step runs in a plugin process.
    public var hasExternalSteps: Bool {
        self.requestSteps.contains { if case .external = $0 { return true } else { return false } }
    }

    static func step(for reference: TransformerReference, externalNames: Set<String>) -> Step? {
        if TransformerCatalog.wireNames[reference.name] != nil { return nil }
        if externalNames.contains(reference.name) { return .external(name: reference.name, options: reference.options) }
        if let transformer = TransformerRegistry.make(name: reference.name, options: reference.options) {
            return .builtIn(name: reference.name, transformer: transformer)
        }
        // A built-in name without a transformer type selects a wire; anything else is a plugin's.
        if TransformerCatalog.builtInNames.contains(reference.name) { return nil }
        return .external(name: reference.name, options: reference.options)
    }

    // MARK: - Request

    /// Runs the built-in steps on the request (external steps are skipped).
    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {
        for case .builtIn(_, let transformer) in self.requestSteps {
            transformer.transformRequest(&request, context: context)
        }
    }

    /// Runs every step on the request in order; `external` runs a plugin step and returns the
    /// request it produced.
    public func transformRequest<Failure: Error>(
        _ request: inout JSONObject,
        context: TransformerContext,
        external: (_ name: String, _ options: JSONObject, _ request: JSONObject) async throws(Failure) -> JSONObject
    ) async throws(Failure) {
        try await Self.run(self.requestSteps, on: &request, builtIn: { $0.transformRequest(&$1, context: context) }, external: external)
    }

    // MARK: - Response

    /// Runs the built-in steps on a non-streamed answer (external steps are skipped).
    public func transformResponse(_ response: inout JSONObject, context: TransformerContext) {
        for case .builtIn(_, let transformer) in self.responseSteps {
            transformer.transformResponse(&response, context: context)
        }
    }

    /// Runs every step on a non-streamed answer in order; `external` runs a plugin step.
    public func transformResponse<Failure: Error>(
        _ response: inout JSONObject,
        context: TransformerContext,
        external: (_ name: String, _ options: JSONObject, _ response: JSONObject) async throws(Failure) -> JSONObject
    ) async throws(Failure) {
        try await Self.run(self.responseSteps, on: &response, builtIn: { $0.transformResponse(&$1, context: context) }, external: external)
    }

    /// Runs `steps` on `value` in order: built-in steps through `builtIn`, plugin steps through
    /// `external`, which returns the value the plugin produced.
    private static func run<Failure: Error>(
        _ steps: [Step],
        on value: inout JSONObject,
        builtIn: (any Transformer, inout JSONObject) -> Void,
        external: (_ name: String, _ options: JSONObject, _ value: JSONObject) async throws(Failure) -> JSONObject
    ) async throws(Failure) {
        for step in steps {
            switch step {
            case .builtIn(_, let transformer):
                builtIn(transformer, &value)
            case .external(let name, let options):
                value = try await external(name, options, value)
            }
        }
    }

    /// The stream stages of the built-in steps, in answer order. Plugin steps do not see streamed
    /// chunks (docs/plugins.md).
    public func makeStreamPipeline(context: TransformerContext) -> TransformerStreamPipeline {
        var stages: [any TransformerStreamStage] = []
        for case .builtIn(_, let transformer) in self.responseSteps {
            if let stage = transformer.makeStreamStage(context: context) { stages.append(stage) }
        }
        return TransformerStreamPipeline(stages: stages)
    }
}
