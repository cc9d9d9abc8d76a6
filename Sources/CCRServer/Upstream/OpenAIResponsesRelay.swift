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
    var inputTokenEstimate: Int? = nil

    func forward(body: JSONObject, bodyBytes: Int, context: CCRRequestContext) async throws -> Response {
        let model = self.decision.target.model
        let options = self.provider.transformers(for: model).last { $0.name == "openai-responses" }?.options ?? [:]
        let target = OpenAIResponsesTarget.infer(baseURL: self.provider.baseURL, model: model, sessionID: self.sessionID, options: options)
        let encoded = try OpenAIResponsesRequestEncoder.encode(body, target: target)
        let headers = UpstreamRequestBuilder.openAIStyleHeaders(self.provider)
        let request = UpstreamRequestBuilder.request(url: self.provider.baseURL, clientHeaders: [:], extra: headers, body: encoded.encoded())
        var exchange = UpstreamExchange(state: self.state, provider: self.provider, decision: self.decision, context: context)
        exchange.sessionID = self.sessionID
        let response = try await exchange.send(request)
        if response.status.code >= 400 {
            return try await exchange.errorResponse(from: response)
        }
        return try await exchange.convertedAnswer(
            response, wantsStream: body["stream"]?.boolValue == true,
            converter: { messageID in
                OpenAIResponsesStreamConverter(messageID: messageID, model: self.decision.target.model, inputTokenEstimate: max(1, self.inputTokenEstimate ?? bodyBytes / 4))
            },
            decode: { value, messageID in
                try OpenAIResponsesResponseDecoder.message(from: value, messageID: messageID, model: self.decision.target.model)
            })
    }
}
