import CCRCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// `POST /v1/messages` (also `?beta=true`): route, convert, forward, relay; and
/// `POST /v1/messages/count_tokens`, answered here.
struct MessagesController {
    let state: ServerState

    func addRoutes(to router: Router<CCRRequestContext>) {
        router.post("/v1/messages") { request, context in
            try await self.create(request: request, context: context)
        }
        router.post("/v1/messages/count_tokens") { request, context in
            try await self.countTokens(request: request, context: context)
        }
    }

    /// Reads and parses the body, within the configured size limit.
    func readBody(_ request: inout Request, limit: Int) async throws -> (bytes: [UInt8], object: JSONObject) {
        let tooLarge = AnthropicError(
            status: 413, kind: .requestTooLarge,
            message: "request body is larger than the limit of \(limit / (1024 * 1024)) MiB; raise BODY_LIMIT_MB in config.json if this is expected")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
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
        if let model = object["model"], model.stringValue == nil {
            throw AnthropicError.invalidRequest("'model' must be a string, found \(model.kindDescription)")
        }
        return (bytes, object)
    }

    /// The request's headers as a dictionary with lowercased names (later values win).
    static func headerMap(_ fields: HTTPFields) -> [String: String] {
        var map: [String: String] = [:]
        map.reserveCapacity(fields.count)
        for field in fields { map[field.name.canonicalName] = field.value }
        return map
    }

    func create(request: Request, context: CCRRequestContext) async throws -> Response {
        self.state.served.add(1, ordering: .relaxed)
        let arrived = ContinuousClock.now
        let arrivedAt = UsageClock.nowMilliseconds()
        let snapshot = self.state.snapshot
        var request = request
        var context = context
        var clientModel = ""
        var session: String?
        do {
            let (bytes, object) = try await self.readBody(&request, limit: snapshot.configuration.bodyLimitBytes)
            clientModel = object["model"]?.stringValue ?? ""
            let headers = Self.headerMap(request.headers)
            session = SessionID.of(headers: headers, body: object)
            let table = self.state.overrides?.table(session: session, configuration: snapshot.configuration)
            let routed = try await snapshot.router.route(
                body: object, headers: headers, sessionID: session, table: table, lastSessionInputTokens: session.flatMap(self.state.sessions.lastInputTokens),
                plugin: snapshot.configuration.customRouterPath == nil ? nil : self.state.customRouting)
            guard snapshot.configuration.provider(named: routed.decision.target.provider) != nil else {
                throw AnthropicError.invalidRequest("ccr: route \(routed.decision.target) names no configured provider")
            }
            let ticket = self.ticket(
                decision: routed.decision, clientModel: clientModel, session: session, stream: object["stream"]?.boolValue == true,
                userAgent: headers["user-agent"], arrived: arrived, arrivedAt: arrivedAt, prices: snapshot.configuration.prices, requestID: context.requestID)
            context.usageTicket = ticket
            return try await self.run(routed, bytes: bytes, session: session, request: request, context: context, snapshot: snapshot, table: table)
        } catch let error where context.usageTicket == nil {
            // Rejected before it was routed: recorded with what is known.
            if let error = error as? AnthropicError {
                let decision = RouteDecision(target: RouteTarget(provider: "", model: ""), scenario: .default, reason: "rejected before routing")
                self.ticket(
                    decision: decision, clientModel: clientModel, session: session, stream: false, userAgent: request.headers[.userAgent],
                    arrived: arrived, arrivedAt: arrivedAt, prices: snapshot.configuration.prices, requestID: context.requestID
                ).close(status: error.status, outcome: .error, error: error.message)
            }
            throw error
        }
    }

    /// Opens the usage record of a routed request.
    func ticket(
        decision: RouteDecision, clientModel: String, session: String?, stream: Bool, userAgent: String?, arrived: ContinuousClock.Instant,
        arrivedAt: Int64, prices: PriceTable, requestID: String
    ) -> UsageTicket {
        let state = self.state
        let record = UsageRecord(
            id: requestID, startedAtMilliseconds: arrivedAt, session: session, project: session.flatMap { state.overrides?.project(of: $0) },
            clientModel: clientModel, scenario: decision.scenario, reason: decision.reason, route: decision.target, target: decision.target, status: 200,
            outcome: .ok, stream: stream, durationMilliseconds: 0, clientType: Self.clientType(userAgent: userAgent))
        let redactor = state.snapshot.redactor
        return UsageTicket(record: record, started: arrived, prices: prices) { record in
            var record = record
            // Error texts can quote what a provider echoed back; keys never reach the store.
            record.errorMessage = record.errorMessage.map(redactor.redact)
            for index in record.attempts.indices where record.attempts[index].failure != nil {
                record.attempts[index].note = redactor.redact(record.attempts[index].note)
            }
            state.metrics.record(record)
            if state.usage?.enqueue(record) == false { state.metrics.usageDropped() }
        }
    }

    /// `claude-code` for Claude Code's own user agent (`claude-cli/…`), else `api`.
    static func clientType(userAgent: String?) -> String {
        guard let agent = userAgent?.lowercased() else { return "api" }
        return agent.hasPrefix("claude-cli") || agent.contains("claude-code") ? "claude-code" : "api"
    }

    /// Runs the attempts of a routed request and answers.
    private func run(
        _ routed: RoutedRequest, bytes: [UInt8], session: String?, request: Request, context: CCRRequestContext, snapshot: ServerState.Snapshot,
        table: (RouterTable, String)?
    ) async throws -> Response {
        let decision = routed.decision
        var metadata: Logger.Metadata = [
            "route": "\(decision.target)", "scenario": "\(decision.scenario.rawValue)", "reason": "\(decision.reason)",
            "client_model": "\(routed.facts.model)", "bytes": "\(bytes.count)",
        ]
        if let tokens = decision.tokenCount { metadata["tokens"] = "\(tokens)" }
        if let session { metadata["session"] = "\(session)" }
        context.logger.info("route", metadata: metadata)
        let runner = AttemptRunner(
            store: self.state.resilience, configuration: snapshot.configuration, table: table?.0 ?? snapshot.configuration.router, logger: context.logger)
        let state = self.state
        let received = request
        let ticket = context.usageTicket
        var probeContext = context
        probeContext.usageTicket = nil
        let response: Response
        let attempts: [AttemptRecord]
        do {
            let probeContextCopy = probeContext
            let probe: AttemptRunner.Probe = { target, provider in
                // {"max_tokens": 1, "messages": [{"role": "user", "content": "ping"}]}, not streamed.
                let body: JSONObject = [
                    "model": .string(target.model), "max_tokens": 1, "stream": false,
                    "messages": [["role": "user", "content": "ping"]],
                ]
                var probeDecision = decision
                probeDecision.target = target
                let minimal = RoutedRequest(decision: probeDecision, body: body, bodyChanged: true, facts: routed.facts)
                let answer = try? await Self.forward(
                    state: state, provider: provider, decision: probeDecision, routed: minimal, bytes: JSONValue.object(body).encoded(), session: nil,
                    request: received, context: probeContextCopy)
                return answer.map { $0.status.code < 400 } ?? false
            }
            (response, attempts) = try await runner.run(decision, probe: probe) { _, provider, decision in
                try await Self.forward(
                    state: state, provider: provider, decision: decision, routed: routed, bytes: bytes, session: session, request: received, context: context)
            }
        } catch let error as AttemptRunner.Failure {
            self.state.journal.append(.init(requestID: context.requestID, decision: decision, attempts: error.attempts, status: error.error.status))
            self.state.failed.add(1, ordering: .relaxed)
            ticket?.noteAttempts(error.attempts)
            ticket?.close(status: error.error.status, outcome: .error, error: error.error.message)
            throw error.error
        } catch {
            ticket?.close(status: 499, outcome: .clientClosed, error: "\(error)")
            throw error
        }
        self.state.journal.append(.init(requestID: context.requestID, decision: decision, attempts: attempts, status: Int(response.status.code)))
        ticket?.noteAttempts(attempts)
        if response.body.contentLength != nil {
            // A whole answer (JSON or an error): done now. A streamed body closes the ticket itself.
            let code = Int(response.status.code)
            ticket?.close(status: code, outcome: code < 400 ? .ok : .error)
        }
        var answered = response
        answered.headers[HTTPField.Name("x-ccr-attempts")!] = String(attempts.count { $0.wasSent })
        return answered
    }

    /// One attempt: the request in the provider's wire format, the answer relayed.
    static func forward(
        state: ServerState, provider: ProviderConfiguration, decision: RouteDecision, routed: RoutedRequest, bytes: [UInt8], session: String?,
        request: Request, context: CCRRequestContext
    ) async throws -> Response {
        // A converted stream's `message_start` carries this until the provider reports usage.
        let estimate = max(1, decision.tokenCount ?? bytes.count / 4)
        switch provider.wire {
        case .anthropic:
            var passthrough = AnthropicPassthrough(state: state, provider: provider, decision: decision)
            passthrough.sessionID = session
            if let vertex = provider.vertex {
                // Vertex AI: the model is in the URL and the version in the body.
                let access = try await state.vertexAuth.access(provider: provider, vertex: vertex, upstream: state.upstream, logger: context.logger)
                var body = routed.body
                _ = body.removeValue(forKey: "model")
                body["anthropic_version"] = "vertex-2023-10-16"
                let stream = routed.body["stream"]?.boolValue == true
                passthrough.vertex = VertexCall(
                    url: VertexEndpoint.claudeURL(vertex, project: access.project, model: decision.target.model, stream: stream), token: access.token)
                return try await passthrough.forward(body: JSONValue.object(body).encoded(), request: request, context: context)
            }
            let body = routed.bodyChanged ? JSONValue.object(routed.body).encoded() : bytes
            return try await passthrough.forward(body: body, request: request, context: context)
        case .openAIChat:
            var relay = OpenAIChatRelay(state: state, provider: provider, decision: decision)
            relay.sessionID = session
            relay.inputTokenEstimate = estimate
            return try await relay.forward(body: routed.body, context: context)
        case .openAIResponses:
            var relay = OpenAIResponsesRelay(state: state, provider: provider, decision: decision)
            relay.sessionID = session
            relay.inputTokenEstimate = estimate
            return try await relay.forward(body: routed.body, context: context)
        case .gemini:
            var relay = GeminiRelay(state: state, provider: provider, decision: decision)
            relay.sessionID = session
            if let vertex = provider.vertex {
                let access = try await state.vertexAuth.access(provider: provider, vertex: vertex, upstream: state.upstream, logger: context.logger)
                relay.vertex = VertexCall(url: VertexEndpoint.modelsBase(vertex, project: access.project), token: access.token)
            }
            relay.inputTokenEstimate = estimate
            return try await relay.forward(body: routed.body, context: context)
        }
    }

    /// `{"input_tokens": n}` by cl100k over the request's text, tool use and results, thinking,
    /// system and tools, without asking any provider (Claude Code's `/context` calls it often).
    func countTokens(request: Request, context: CCRRequestContext) async throws -> Response {
        let snapshot = self.state.snapshot
        var request = request
        let (_, object) = try await self.readBody(&request, limit: snapshot.configuration.bodyLimitBytes)
        let count = snapshot.router.countTokens(object)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let answer: JSONValue = ["input_tokens": .int(count)]
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.encoded())))
    }
}
