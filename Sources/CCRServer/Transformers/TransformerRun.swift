import CCRCore
import Logging

/// A provider's transformer chain applied to one request and its answer: built-in steps in
/// process, custom ones through their plugin processes.
struct TransformerRun: Sendable {
    let chain: TransformerChain
    let context: TransformerContext
    let provider: ProviderConfiguration
    let plugins: TransformerPlugins

    /// The request after the chain, and what plugins asked to change about sending it.
    struct PreparedRequest {
        var body: JSONObject
        /// Headers to set (a `nil` value removes the header).
        var headers: [(String, String?)] = []
        /// A URL to use instead of the provider's.
        var url: String?
    }

    init(provider: ProviderConfiguration, model: String, anthropicRequest: JSONObject, plugins: TransformerPlugins) {
        self.provider = provider
        self.plugins = plugins
        self.chain = TransformerChain(provider: provider, model: model, externalNames: plugins.names)
        self.context = TransformerContext(providerName: provider.name, baseURL: provider.baseURL, model: model, anthropicRequest: anthropicRequest)
    }

    /// Runs the request steps.
    /// - Throws: ``AnthropicError`` (502) when a plugin step fails: a request its transformer could
    ///   not prepare is not sent half-transformed.
    func request(_ encoded: JSONObject) async throws(AnthropicError) -> PreparedRequest {
        var prepared = PreparedRequest(body: encoded)
        if self.chain.isEmpty { return prepared }
        if !self.chain.hasExternalSteps {
            self.chain.transformRequest(&prepared.body, context: self.context)
            return prepared
        }
        var headers: [(String, String?)] = []
        var url: String?
        try await self.chain.transformRequest(&prepared.body, context: self.context) { (name, options, request) throws(AnthropicError) in
            guard let plugin = self.plugins.plugin(named: name) else {
                throw AnthropicError(status: 500, kind: .api, message: "ccr: transformer '\(name)' is not loaded")
            }
            switch await plugin.transformRequest(name: name, options: options, request: request, provider: self.provider, model: self.context.model) {
            case .success(let answer):
                headers += answer.headers
                if let changed = answer.url { url = changed }
                return answer.request ?? request
            case .failure(let failure):
                throw AnthropicError(status: 502, kind: .api, message: "ccr: custom transformer '\(name)' failed on the request: \(failure)")
            }
        }
        prepared.headers = headers
        prepared.url = url
        return prepared
    }

    /// Runs the answer steps on a non-streamed answer.
    func response(_ response: JSONValue) async throws(AnthropicError) -> JSONValue {
        guard !self.chain.isEmpty, case .object(var object) = response else { return response }
        if !self.chain.hasExternalSteps {
            self.chain.transformResponse(&object, context: self.context)
            return .object(object)
        }
        try await self.chain.transformResponse(&object, context: self.context) { (name, options, response) throws(AnthropicError) in
            guard let plugin = self.plugins.plugin(named: name) else {
                throw AnthropicError(status: 500, kind: .api, message: "ccr: transformer '\(name)' is not loaded")
            }
            switch await plugin.transformResponse(name: name, options: options, response: response, provider: self.provider, model: self.context.model) {
            case .success(let changed): return changed ?? response
            case .failure(let failure): throw AnthropicError(status: 502, kind: .api, message: "ccr: custom transformer '\(name)' failed on the answer: \(failure)")
            }
        }
        return .object(object)
    }

    /// The stream converter with the chain's stream stages in front.
    func streamConverter(_ converter: OpenAIChatStreamConverter) -> TransformedStreamConverter {
        TransformedStreamConverter(converter: converter, pipeline: self.chain.makeStreamPipeline(context: self.context))
    }

    /// Applies plugin header changes to the upstream headers.
    static func apply(_ changes: [(String, String?)], to headers: inout [(String, String)]) {
        for (name, value) in changes {
            headers.removeAll { $0.0.lowercased() == name }
            if let value { headers.append((name, value)) }
        }
    }
}
