import AsyncHTTPClient
import CCRCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Serves an Anthropic request from an OpenAI Responses provider (`api_base_url` is the full
/// `…/v1/responses` endpoint): converts the request, then converts the provider's event stream
/// (or response object) back as it arrives.
struct OpenAIResponsesRelay {
    let state: ServerState
    let provider: ProviderConfiguration
    let decision: RouteDecision
    var sessionID: String? = nil
    /// `message_start`'s input tokens, until the provider reports usage.
    var inputTokenEstimate = 1

    func forward(body: JSONObject, context: CCRRequestContext) async throws -> Response {
        let model = self.decision.target.model
        let options = self.provider.transformers(for: model).last { $0.name == "openai-responses" }?.options ?? [:]
        let target = OpenAIResponsesTarget.infer(baseURL: self.provider.baseURL, model: model, sessionID: self.sessionID, options: options)
        let encoded = try OpenAIResponsesRequestEncoder.encode(body, target: target)
        let headers = UpstreamRequestBuilder.openAIStyleHeaders(self.provider)
        let request = UpstreamRequestBuilder.request(url: self.provider.baseURL, clientHeaders: [:], extra: headers, body: encoded.encoded())
        let exchange = UpstreamExchange(state: self.state, provider: self.provider, decision: self.decision, context: context, sessionID: self.sessionID)
        return try await exchange.relay(
            request, wantsStream: body["stream"]?.boolValue == true,
            converter: { messageID in
                OpenAIResponsesStreamConverter(messageID: messageID, model: self.decision.target.model, inputTokenEstimate: self.inputTokenEstimate)
            },
            decode: { value, messageID in
                try OpenAIResponsesResponseDecoder.message(from: value, messageID: messageID, model: self.decision.target.model)
            })
    }
}
