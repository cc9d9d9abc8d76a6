import AsyncHTTPClient
import CCRCore
import CCRTestSupport
import NIOCore
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("FaultyUpstream", .timeLimit(.minutes(1)))
struct FaultyUpstreamTests {
    typealias Fault = FaultyUpstream.Fault

    /// Runs `body` with a client of its own (so no pooled connection outlives its mock), shut down afterwards.
    static func withClient<T: Sendable>(readTimeout: TimeAmount = .seconds(30), _ body: (HTTPClient) async throws -> T) async throws -> T {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: readTimeout)
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let result: T
        do {
            result = try await body(client)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return result
    }

    static func request(_ url: String, body: String = #"{"model":"m","messages":[],"stream":true}"#) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "x-api-key", value: "sk-test")
        request.body = .bytes(ByteBuffer(string: body))
        return request
    }

    /// The response and its whole body.
    static func post(_ client: HTTPClient, _ url: String, timeout: TimeAmount = .seconds(10)) async throws -> (HTTPClientResponse, [UInt8]) {
        let response = try await client.execute(Self.request(url), timeout: timeout)
        let body = try await response.body.collect(upTo: 16 << 20)
        return (response, Array(body.readableBytesView))
    }

    /// The body bytes that arrived before the body ended or failed, and the failure.
    static func drain(_ response: HTTPClientResponse) async -> (bytes: [UInt8], error: (any Error)?) {
        var bytes: [UInt8] = []
        do {
            for try await chunk in response.body { bytes += chunk.readableBytesView }
            return (bytes, nil)
        } catch {
            return (bytes, error)
        }
    }

    static func failure(_ operation: () async throws -> Void) async -> (any Error)? {
        do {
            try await operation()
            return nil
        } catch {
            return error
        }
    }

    static func isReset(_ error: (any Error)?) -> Bool {
        (error as? IOError)?.errnoCode == ECONNRESET
    }

    static func json(_ bytes: [UInt8]) -> JSONValue? { try? JSONParser.parse(bytes) }

    /// The events of an SSE body (split at blank lines).
    static func events(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n\n").map(String.init)
    }

    static let someEvents: [[UInt8]] = Array(FaultyUpstream.anthropicTextEvents("one two three").prefix(3))

    // MARK: - Status faults

    @Test func statusFaultsCarryTheirHeadersAndAnAnthropicErrorBody() async throws {
        let faults: [Fault] = [
            .rateLimited(retryAfter: 7, shouldRetry: true), .overloaded(), .serverError(500, shouldRetry: false),
            .serverError(502), .serverError(503, retryAfter: 2), .status(418, headers: [("x-custom", "yes")], body: Array("teapot".utf8)),
        ]
        let upstream = FaultyUpstream { _, index in faults[index] }
        try await upstream.run { base in
            try await Self.withClient { client in
                let (limited, limitedBody) = try await Self.post(client, base + "/v1/messages")
                #expect(limited.status.code == 429)
                #expect(limited.headers.first(name: "retry-after") == "7")
                #expect(limited.headers.first(name: "x-should-retry") == "true")
                #expect(limited.headers.first(name: "x-ratelimit-remaining-requests") == "0")
                #expect(limited.headers.first(name: "x-ratelimit-limit-requests") == "50")
                #expect(limited.headers.first(name: "x-ratelimit-reset-requests") == "7s")
                #expect(limited.headers.first(name: "anthropic-ratelimit-requests-remaining") == "0")
                #expect(limited.headers.first(name: "content-type") == "application/json")
                #expect(Self.json(limitedBody)?["type"]?.stringValue == "error")
                #expect(Self.json(limitedBody)?["error"]?["type"]?.stringValue == "rate_limit_error")

                let (overloaded, overloadedBody) = try await Self.post(client, base + "/v1/messages")
                #expect(overloaded.status.code == 529)
                #expect(overloaded.headers.first(name: "x-should-retry") == "true")
                #expect(Self.json(overloadedBody)?["error"]?["type"]?.stringValue == "overloaded_error")

                let (internalError, internalBody) = try await Self.post(client, base + "/v1/messages")
                #expect(internalError.status.code == 500)
                #expect(internalError.headers.first(name: "x-should-retry") == "false")
                #expect(Self.json(internalBody)?["error"]?["type"]?.stringValue == "api_error")

                let (badGateway, _) = try await Self.post(client, base + "/v1/messages")
                #expect(badGateway.status.code == 502)
                #expect(badGateway.headers.first(name: "retry-after") == nil)

                let (unavailable, unavailableBody) = try await Self.post(client, base + "/v1/messages")
                #expect(unavailable.status.code == 503)
                #expect(unavailable.headers.first(name: "retry-after") == "2")
                #expect(Self.json(unavailableBody)?["error"]?["message"]?.stringValue?.isEmpty == false)

                let (custom, customBody) = try await Self.post(client, base + "/v1/messages")
                #expect(custom.status.code == 418)
                #expect(custom.headers.first(name: "x-custom") == "yes")
                #expect(customBody == Array("teapot".utf8))
            }
        }
        #expect(upstream.faultKinds == [.status(429), .status(529), .status(500), .status(502), .status(503), .status(418)])
        // All on one keep-alive connection.
        #expect(upstream.connections.count == 1)
        #expect(upstream.connections.first?.requests == [0, 1, 2, 3, 4, 5])
    }

    // MARK: - Hangs

    @Test func hangBeforeHeadLeavesTheClientWaitingUntilItGivesUp() async throws {
        let upstream = FaultyUpstream { _, _ in .hangBeforeHead }
        try await upstream.run { base in
            try await Self.withClient { client in
                let start = ContinuousClock.now
                let error = await Self.failure { _ = try await client.execute(Self.request(base + "/v1/messages"), timeout: .milliseconds(300)) }
                #expect(error as? HTTPClientError == .deadlineExceeded)
                #expect(ContinuousClock.now - start >= .milliseconds(290))
                #expect(await upstream.waitForEndedConnections(1))
            }
            try await Self.withClient(readTimeout: .milliseconds(300)) { client in
                let start = ContinuousClock.now
                let error = await Self.failure { _ = try await client.execute(Self.request(base + "/v1/messages"), timeout: .seconds(10)) }
                #expect(error as? HTTPClientError == .readTimeout)
                #expect(ContinuousClock.now - start >= .milliseconds(290))
                #expect(await upstream.waitForEndedConnections(2))
            }
        }
        #expect(upstream.requests.count == 2)
        #expect(upstream.connections.map(\.end) == [.clientClosed, .clientClosed])
    }

    @Test func hangMidStreamSendsTheEventsThenStalls() async throws {
        let upstream = FaultyUpstream { _, _ in .hangMidStream(events: Self.someEvents) }
        try await upstream.run { base in
            // A deadline covers only the wait for the head; a stalled body is caught by the read timeout.
            try await Self.withClient(readTimeout: .milliseconds(400)) { client in
                let start = ContinuousClock.now
                let response = try await client.execute(Self.request(base + "/v1/messages"), timeout: .seconds(10))
                #expect(response.status.code == 200)
                #expect(response.headers.first(name: "content-type") == "text/event-stream")
                let (bytes, error) = await Self.drain(response)
                #expect(bytes == Self.someEvents.flatMap { $0 })
                #expect(error as? HTTPClientError == .readTimeout)
                #expect(ContinuousClock.now - start >= .milliseconds(390))
                #expect(await upstream.waitForEndedConnections(1))
            }
        }
        #expect(upstream.connections.map(\.end) == [.clientClosed])
    }

    // MARK: - Resets and clean closes

    @Test func resetBeforeHeadIsAConnectionResetNotACleanClose() async throws {
        let upstream = FaultyUpstream { _, index in index == 0 ? .resetBeforeHead : .closeBeforeHead }
        try await upstream.run { base in
            try await Self.withClient { client in
                let reset = await Self.failure { _ = try await Self.post(client, base + "/v1/messages") }
                let closed = await Self.failure { _ = try await Self.post(client, base + "/v1/messages") }
                #expect(Self.isReset(reset), "\(String(describing: reset))")
                #expect(!Self.isReset(closed))
                #expect(closed as? HTTPClientError == .remoteConnectionClosed, "\(String(describing: closed))")
                #expect(await upstream.waitForEndedConnections(2))
            }
        }
        #expect(upstream.requests.count == 2)
        #expect(upstream.connections.map(\.end) == [.serverReset, .serverClosed])
    }

    @Test func resetMidStreamDeliversTheEventsThenResets() async throws {
        let upstream = FaultyUpstream { _, index in index == 0 ? .resetMidStream(events: Self.someEvents) : .closeMidStream(events: Self.someEvents) }
        try await upstream.run { base in
            try await Self.withClient { client in
                let first = try await client.execute(Self.request(base + "/v1/messages"), timeout: .seconds(10))
                #expect(first.status.code == 200)
                let (resetBytes, reset) = await Self.drain(first)
                #expect(resetBytes == Self.someEvents.flatMap { $0 })
                #expect(Self.isReset(reset), "\(String(describing: reset))")

                let second = try await client.execute(Self.request(base + "/v1/messages"), timeout: .seconds(10))
                #expect(second.status.code == 200)
                let (closedBytes, closed) = await Self.drain(second)
                #expect(closedBytes == Self.someEvents.flatMap { $0 })
                #expect(closed != nil)
                #expect(!Self.isReset(closed), "\(String(describing: closed))")
                #expect(await upstream.waitForEndedConnections(2))
            }
        }
        #expect(upstream.connections.map(\.end) == [.serverReset, .serverClosed])
    }

    // MARK: - Malformed and empty answers

    @Test func malformedSSEHasDataLinesThatAreNotJSON() async throws {
        let upstream = FaultyUpstream { _, _ in .malformedSSE }
        try await upstream.run { base in
            try await Self.withClient { client in
                let (response, bytes) = try await Self.post(client, base + "/v1/messages")
                #expect(response.status.code == 200)
                #expect(response.headers.first(name: "content-type") == "text/event-stream")
                #expect(bytes == Fault.malformedSSEEvents.flatMap { $0 })
                let events = Self.events(bytes)
                let dataLines = events.flatMap { $0.split(separator: "\n").filter { $0.hasPrefix("data: ") } }
                #expect(!dataLines.isEmpty)
                #expect(dataLines.allSatisfy { (try? JSONParser.parse(String($0.dropFirst(6)))) == nil })
                #expect(events.contains { event in !event.split(separator: "\n").contains { $0.hasPrefix("data:") } })
                #expect(throws: AnthropicStreamValidator.Violation.self) { try AnthropicStreamValidator.validate(bytes) }
            }
        }
    }

    @Test func emptyOKHasNoBodyAsAStreamOrAsJSON() async throws {
        let upstream = FaultyUpstream { _, index in .emptyOK(stream: index == 0) }
        try await upstream.run { base in
            try await Self.withClient { client in
                let (stream, streamBody) = try await Self.post(client, base + "/v1/messages")
                #expect(stream.status.code == 200)
                #expect(stream.headers.first(name: "content-type") == "text/event-stream")
                #expect(streamBody.isEmpty)
                let (json, jsonBody) = try await Self.post(client, base + "/v1/messages")
                #expect(json.status.code == 200)
                #expect(json.headers.first(name: "content-type") == "application/json")
                #expect(json.headers.first(name: "content-length") == "0")
                #expect(jsonBody.isEmpty)
            }
        }
        #expect(upstream.faultKinds == [.emptyOK(stream: true), .emptyOK(stream: false)])
    }

    // MARK: - Timing

    @Test func slowSendsTheFirstByteLateAndThenOneEventPerGap() async throws {
        let events = Self.someEvents
        let upstream = FaultyUpstream { _, _ in .slow(firstByteAfter: .milliseconds(300), events: events, gap: .milliseconds(150)) }
        try await upstream.run { base in
            try await Self.withClient { client in
                let start = ContinuousClock.now
                let response = try await client.execute(Self.request(base + "/v1/messages"), timeout: .seconds(10))
                let head = ContinuousClock.now - start
                #expect(response.status.code == 200)
                // When each event was complete.
                var arrivals: [Duration] = []
                var bytes: [UInt8] = []
                var boundaries = events.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1.count) }[...]
                for try await chunk in response.body {
                    bytes += chunk.readableBytesView
                    while let boundary = boundaries.first, bytes.count >= boundary {
                        arrivals.append(ContinuousClock.now - start)
                        boundaries.removeFirst()
                    }
                }
                let total = ContinuousClock.now - start
                #expect(bytes == events.flatMap { $0 })
                #expect(head >= .milliseconds(290) && head < .milliseconds(700), "head after \(head)")
                // Event k cannot leave before 300 ms + k × 150 ms (the mock waits a full gap after each write);
                // the upper bounds leave room for a busy machine.
                #expect(arrivals.count == 3)
                for (k, arrival) in arrivals.enumerated() {
                    let due = Duration.milliseconds(300 + 150 * k)
                    #expect(arrival >= due - .milliseconds(5) && arrival < due + .milliseconds(450), "event \(k) after \(arrival)")
                }
                #expect(total >= .milliseconds(590) && total < .milliseconds(1400), "total \(total)")
            }
        }
    }

    // MARK: - Healthy answers

    @Test func healthyAnswersAreCompleteInBothDialectsAndRequestsAreRecorded() async throws {
        let answers: [FaultyUpstream.Answer] = [
            .anthropicStream("hello there world"), .anthropicMessage("hello"), .openAIChatStream("hi from openai"), .openAIChatCompletion("done"),
        ]
        let upstream = FaultyUpstream { _, index in .healthy(answers[index]) }
        try await upstream.run { base in
            try await Self.withClient { client in
                let (anthropic, anthropicBody) = try await Self.post(client, base + "/v1/messages?beta=true")
                #expect(anthropic.headers.first(name: "content-type") == "text/event-stream")
                #expect(try AnthropicStreamValidator.validate(anthropicBody).text == "hello there world")

                let (message, messageBody) = try await Self.post(client, base + "/v1/messages")
                #expect(message.headers.first(name: "content-type") == "application/json")
                #expect(try AnthropicStreamValidator.validateMessage(#require(Self.json(messageBody))).text == "hello")

                let (openAI, openAIBody) = try await Self.post(client, base + "/v1/chat/completions")
                #expect(openAI.status.code == 200)
                let events = Self.events(openAIBody)
                #expect(events.last == "data: [DONE]")
                let chunks = events.dropLast().compactMap { Self.json(Array($0.dropFirst(6).utf8)) }
                #expect(chunks.count == events.count - 1)
                let text = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
                #expect(text == "hi from openai")
                #expect(chunks.contains { $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == "stop" })
                #expect(chunks.last?["usage"]?["completion_tokens"]?.intValue == 5)

                let (_, completionBody) = try await Self.post(client, base + "/v1/chat/completions")
                #expect(Self.json(completionBody)?["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue == "done")
            }
        }
        let requests = upstream.requests
        #expect(requests.map(\.index) == [0, 1, 2, 3])
        #expect(requests.map(\.path) == ["/v1/messages", "/v1/messages", "/v1/chat/completions", "/v1/chat/completions"])
        #expect(requests.first?.query == "beta=true")
        #expect(requests.first?.method == "POST")
        #expect(requests.first?.headers[.init("x-api-key")!] == "sk-test")
        #expect(requests.first?.body == Array(#"{"model":"m","messages":[],"stream":true}"#.utf8))
        #expect(upstream.connections.count == 1)
        #expect(upstream.connections.first?.requests == [0, 1, 2, 3])
        #expect(upstream.connections.first?.end == .serverStopped || upstream.connections.first?.end == .clientClosed)
    }

    // MARK: - Mixes and load

    @Test func weightedMixGivesAboutThirtyPercentServerErrorsReproducibly() async throws {
        let mix = FaultyUpstream.Mix([(probability: 0.3, fault: .serverError(500))], otherwise: .healthy(.anthropicMessage("ok")), seed: 42)
        let upstream = FaultyUpstream(mix: mix)
        let errors = try await upstream.run { base in
            try await Self.withClient { client in
                var errors = 0
                for _ in 0..<300 {
                    let (response, _) = try await Self.post(client, base + "/v1/messages")
                    if response.status.code == 500 { errors += 1 }
                }
                return errors
            }
        }
        #expect((60...120).contains(errors), "\(errors) of 300")
        #expect(upstream.faultCounts[.status(500)] == errors)
        #expect(upstream.faultKinds == (0..<300).map { mix.fault(for: $0).kind })
        let reseeded = FaultyUpstream.Mix([(probability: 0.3, fault: .serverError(500))], otherwise: .healthy(.anthropicMessage("ok")), seed: 43)
        #expect((0..<300).map { reseeded.fault(for: $0).kind } != upstream.faultKinds)
    }

    @Test(.enabled(if: SlowTests.enabled, Comment(rawValue: SlowTests.reason))) func twoHundredConcurrentHealthyStreamsComplete() async throws {
        let answer = FaultyUpstream.Answer.anthropicStream("a complete answer, streamed")
        let upstream = FaultyUpstream { _, _ in .healthy(answer) }
        let completed = try await upstream.run { base in
            try await Self.withClient { client in
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for _ in 0..<200 {
                        group.addTask {
                            let (response, body) = try await Self.post(client, base + "/v1/messages", timeout: .seconds(30))
                            return response.status.code == 200 && (try? AnthropicStreamValidator.validate(body).text) == "a complete answer, streamed"
                        }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
            }
        }
        #expect(completed == 200)
        #expect(upstream.requestCount == 200)
        #expect(upstream.faultCounts == [.healthy: 200])
    }

    @Test(.enabled(if: SlowTests.enabled, Comment(rawValue: SlowTests.reason))) func holdsTwoHundredStreamingConnectionsOpenAtOnce() async throws {
        let events = FaultyUpstream.anthropicTextEvents("held open, then answered")
        let upstream = FaultyUpstream { _, _ in .slow(firstByteAfter: .milliseconds(500), events: events, gap: .milliseconds(10)) }
        let completed = try await upstream.run { base in
            try await Self.withClient { client in
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for _ in 0..<200 {
                        group.addTask {
                            let (response, body) = try await Self.post(client, base + "/v1/messages", timeout: .seconds(30))
                            return response.status.code == 200 && (try? AnthropicStreamValidator.validate(body).text) == "held open, then answered"
                        }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
            }
        }
        #expect(completed == 200)
        #expect(upstream.peakOpenConnections == 200)
    }

    // MARK: - Long-lived use

    @Test func startAndStopForALongLivedHarness() async throws {
        let upstream = FaultyUpstream { _, index in index == 0 ? .healthy(.anthropicMessage("up")) : .hangBeforeHead }
        let (url, stop) = try await upstream.start()
        await #expect(throws: FaultyUpstream.StartError.self) { _ = try await upstream.start() }
        try await Self.withClient { client in
            let (response, _) = try await Self.post(client, url + "/v1/messages")
            #expect(response.status.code == 200)
            async let hung: (any Error)? = Self.failure { _ = try await Self.post(client, url + "/v1/messages") }
            while upstream.requestCount < 2 { try await Task.sleep(for: .milliseconds(5)) }
            await stop()
            #expect(await hung != nil)
        }
        #expect(upstream.openConnections == 0)
        #expect(upstream.connections.map(\.end) == [.serverStopped])
    }
}
