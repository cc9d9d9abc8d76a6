import AsyncHTTPClient
import CCRCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Serves an Anthropic request from Gemini (`api_base_url` is the base ending in `/models/`, e.g.
/// `https://generativelanguage.googleapis.com/v1beta/models/`): converts the request, calls
/// `<base><model>:streamGenerateContent?alt=sse` (or `:generateContent` for a client that does
/// not stream) with `x-goog-api-key`, then converts Gemini's stream (or answer) back as it arrives.
struct GeminiRelay {
    let state: ServerState
    let provider: ProviderConfiguration
    let decision: RouteDecision
    var sessionID: String? = nil
    /// `message_start`'s input tokens, when the first chunk has no usage.
    var inputTokenEstimate = 1
    /// For Vertex AI: the models base (`…/publishers/google/models`) and the access token, used
    /// instead of `api_base_url` and the key.
    var vertex: VertexCall? = nil

    func forward(body: JSONObject, context: CCRRequestContext) async throws -> Response {
        let target = GeminiTarget.infer(model: self.decision.target.model)
        let encoded = try GeminiRequestEncoder.encode(body, target: target)
        let wantsStream = body["stream"]?.boolValue == true
        let url = GeminiTarget.url(baseURL: self.vertex?.url ?? self.provider.baseURL, model: target.model, stream: wantsStream)
        var headers: [(String, String)] = [("accept", wantsStream ? "text/event-stream" : "application/json")]
        if let vertex = self.vertex {
            headers.append(("authorization", "Bearer \(vertex.token)"))
        } else if let key = self.provider.apiKey {
            headers.append(("x-goog-api-key", key))
        }
        let request = UpstreamRequestBuilder.request(url: url, clientHeaders: [:], extra: headers, body: encoded.encoded())
        let exchange = UpstreamExchange(state: self.state, provider: self.provider, decision: self.decision, context: context, sessionID: self.sessionID)
        return try await exchange.relay(
            request, wantsStream: wantsStream,
            // Gemini puts the retry delay of a 429 in the body (`RetryInfo`), not in a header.
            retryAfterInBody: { body in (try? JSONParser.parse(body)).flatMap(GeminiError.retryAfterSeconds) },
            converter: { messageID in
                GeminiStreamConverter(messageID: messageID, model: self.decision.target.model, inputTokenEstimate: self.inputTokenEstimate)
            },
            decode: { value, messageID in
                try GeminiResponseDecoder.message(from: value, messageID: messageID, model: self.decision.target.model)
            },
            assembled: GeminiResponseDecoder.thinkingFirst)
    }
}
