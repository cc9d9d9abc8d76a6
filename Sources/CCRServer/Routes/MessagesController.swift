import CCRCore
import Synchronization
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /v1/messages` (also `?beta=true`): route, convert, forward, relay.
struct MessagesController {
    let state: ServerState

    func addRoutes(to router: Router<CCRRequestContext>) {
        router.post("/v1/messages") { request, context in
            try await self.create(request: request, context: context)
        }
    }

    func create(request: Request, context: CCRRequestContext) async throws -> Response {
        self.state.served.add(1, ordering: .relaxed)
        let snapshot = self.state.snapshot
        let limit = snapshot.configuration.bodyLimitBytes
        let tooLarge = AnthropicError(
            status: 413, kind: .requestTooLarge,
            message: "request body is larger than the limit of \(limit / (1024 * 1024)) MiB; raise BODY_LIMIT_MB in config.json if this is expected")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        }
        let bytes = buffer.withUnsafeReadableBytes { Array($0) }
        let body: JSONValue
        do {
            body = try JSONParser.parse(bytes)
        } catch {
            throw AnthropicError.invalidRequest("request body is not valid JSON: \(error)")
        }
        guard case .object(let object) = body else {
            throw AnthropicError.invalidRequest("request body must be a JSON object, found \(body.kindDescription)")
        }
        let model = object["model"]
        if let model, model.stringValue == nil {
            throw AnthropicError.invalidRequest("'model' must be a string, found \(model.kindDescription)")
        }
        let decision = try snapshot.router.route(model: model?.stringValue)
        guard let provider = snapshot.configuration.provider(named: decision.target.provider) else {
            throw AnthropicError.invalidRequest("ccr: route \(decision.target) names no configured provider")
        }
        context.logger.info(
            "route",
            metadata: [
                "route": "\(decision.target)", "scenario": "\(decision.scenario.rawValue)", "reason": "\(decision.reason)",
                "client_model": "\(model?.stringValue ?? "")", "bytes": "\(bytes.count)",
            ])
        switch provider.wire {
        case .anthropic:
            return try await AnthropicPassthrough(state: self.state, provider: provider, decision: decision)
                .forward(body: bytes, request: request, context: context)
        case .openAIChat:
            return try await OpenAIChatRelay(state: self.state, provider: provider, decision: decision)
                .forward(body: object, bodyBytes: bytes.count, context: context)
        }
    }
}
