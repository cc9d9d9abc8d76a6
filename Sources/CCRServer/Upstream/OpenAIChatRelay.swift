import AsyncHTTPClient
import CCRCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Serves an Anthropic request from an OpenAI Chat Completions provider: converts the request,
/// then converts the provider's stream (or message) back as it arrives.
struct OpenAIChatRelay {
    let state: ServerState
    let provider: ProviderConfiguration
    let decision: RouteDecision
    var sessionID: String? = nil
    /// `message_start`'s input tokens, until the provider reports usage.
    var inputTokenEstimate = 1

    func forward(body: JSONObject, context: CCRRequestContext) async throws -> Response {
        let target = OpenAIChatTarget.infer(baseURL: self.provider.baseURL, model: self.decision.target.model)
        let encoded = try OpenAIChatRequestEncoder.encode(body, target: target)
        let transformers = TransformerRun(provider: self.provider, model: self.decision.target.model, anthropicRequest: body, plugins: self.state.transformerPlugins)
        let prepared = try await transformers.request(encoded.objectValue ?? [:])
        var headers = UpstreamRequestBuilder.openAIStyleHeaders(self.provider)
        TransformerRun.apply(prepared.headers, to: &headers)
        let request = UpstreamRequestBuilder.request(
            url: prepared.url ?? self.provider.baseURL, clientHeaders: [:], extra: headers, body: JSONValue.object(prepared.body).encoded())
        let exchange = UpstreamExchange(state: self.state, provider: self.provider, decision: self.decision, context: context, sessionID: self.sessionID)
        return try await exchange.relay(
            request, wantsStream: body["stream"]?.boolValue == true,
            converter: { messageID in
                transformers.streamConverter(
                    OpenAIChatStreamConverter(messageID: messageID, model: self.decision.target.model, inputTokenEstimate: self.inputTokenEstimate))
            },
            decode: { value, messageID in
                try OpenAIChatResponseDecoder.message(from: try await transformers.response(value), messageID: messageID, model: self.decision.target.model)
            })
    }
}
