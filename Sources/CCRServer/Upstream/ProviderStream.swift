import AsyncAlgorithms
import AsyncHTTPClient
import CCRCore
import NIOCore

/// A provider's response body (OpenAI Chat or Responses, by its converter) being converted to
/// Anthropic events: read first by the handler (up to the first content), then by the response
/// writer. One task uses it at a time.
final class ProviderStream<Converter: ProviderStreamConverter>: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var decoder = SSEDecoder()
    private var converter: Converter
    private var jsonBody: [UInt8] = []
    private let isSSE: Bool
    private let providerName: String

    init(iterator: HTTPClientResponse.Body.AsyncIterator, isSSE: Bool, converter: Converter, providerName: String) {
        self.iterator = iterator
        self.isSSE = isSSE
        self.converter = converter
        self.providerName = providerName
    }

    /// What one read from the provider produced.
    struct Step {
        /// Anthropic event bytes ready for the client.
        var bytes: [UInt8]
        var progress: OpenAIChatStreamConverter.Progress
        /// No more reads are needed (finished, failed, or the provider's body ended).
        var isLast: Bool { self.progress != .streaming }
    }

    /// Reads one chunk from the provider and converts it. A read failure ends the stream with an
    /// error (or, before any content, an error for the caller to answer with).
    func step() async throws -> Step {
        let chunk: ByteBuffer?
        do {
            chunk = try await self.iterator.next()
        } catch let error as CancellationError {
            throw error
        } catch {
            let failure = AnthropicError(status: 502, kind: .api, message: "ccr: provider '\(self.providerName)' failed while answering: \(UpstreamFailure.describe(error))")
            let progress = self.converter.fail(failure)
            return Step(bytes: self.converter.takeOutput(), progress: progress)
        }
        var progress = self.convert(chunk)
        if chunk == nil && progress == .streaming { progress = .finished }
        return Step(bytes: self.converter.takeOutput(), progress: progress)
    }

    /// Reads until the converter has started the Anthropic message (or the stream ended).
    func readUntilStarted(watch: ConnectionWatch) async throws -> Step {
        // One watch for the whole wait, not a task group per chunk.
        try await watch.cancellingOnClose {
            var bytes: [UInt8] = []
            while true {
                let step = try await self.step()
                if case .failedBeforeContent = step.progress { return step }
                bytes += step.bytes
                if step.isLast || self.converter.hasStarted { return Step(bytes: bytes, progress: step.progress) }
            }
        }
    }

    /// Reads the rest (for a client that asked for one JSON message).
    func readToEnd() async throws -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            let step = try await self.step()
            bytes += step.bytes
            if step.isLast { return bytes }
        }
    }

    /// What the reader hands the writer in ``pump(pingInterval:write:)``.
    private enum Piece: Sendable {
        case data([UInt8], last: Bool)
        case tick
    }

    /// Converts the rest of the stream, handing each piece to `write` as it is ready; while the
    /// provider is silent, a `ping` every `pingInterval`.
    func pump(pingInterval: Duration, write: ([UInt8]) async throws -> Void) async throws {
        let channel = AsyncChannel<Piece>()
        let stream = self
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { channel.finish() }
                while true {
                    guard let step = try? await stream.step() else { return }  // cancelled
                    if !step.bytes.isEmpty || step.isLast { await channel.send(.data(step.bytes, last: step.isLast)) }
                    if step.isLast { return }
                }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: pingInterval)
                    await channel.send(.tick)
                }
            }
            var lastWrite = ContinuousClock.now
            var ping = AnthropicSSEWriter()
            ping.ping()
            let pingBytes = ping.take()
            for await piece in channel {
                switch piece {
                case .data(let bytes, let last):
                    if !bytes.isEmpty { try await write(bytes) }
                    lastWrite = .now
                    if last {
                        group.cancelAll()
                        return
                    }
                case .tick:
                    if ContinuousClock.now - lastWrite >= pingInterval {
                        try await write(pingBytes)
                        lastWrite = .now
                    }
                }
            }
            group.cancelAll()
        }
    }

    /// Converts one upstream chunk (`nil`: the body ended).
    private func convert(_ chunk: ByteBuffer?) -> OpenAIChatStreamConverter.Progress {
        guard let chunk else {
            if !self.isSSE { return self.convertJSONBody() }
            if let last = self.decoder.finish() {
                let progress = self.converter.consume(last)
                if progress != .streaming { return progress }
            }
            return self.converter.finish()
        }
        if !self.isSSE {
            chunk.withUnsafeReadableBytes { self.jsonBody.append(contentsOf: $0) }
            return .streaming
        }
        var progress = OpenAIChatStreamConverter.Progress.streaming
        var decoder = self.decoder
        chunk.withUnsafeReadableBytes { bytes in
            decoder.feed(buffer: bytes) { event in
                if progress == .streaming { progress = self.converter.consume(event) }
            }
        }
        self.decoder = decoder
        return progress
    }

    /// A provider that answered a stream request with one JSON body (some do).
    private func convertJSONBody() -> OpenAIChatStreamConverter.Progress {
        guard let value = try? JSONParser.parse(self.jsonBody) else {
            return self.converter.fail(AnthropicError(status: 502, kind: .api, message: "provider answer is neither SSE nor JSON: \(String(decoding: self.jsonBody.prefix(200), as: UTF8.self))"))
        }
        let progress = self.converter.consume(chunk: value)
        if progress != .streaming { return progress }
        return self.converter.finish(sawDone: true)
    }
}
