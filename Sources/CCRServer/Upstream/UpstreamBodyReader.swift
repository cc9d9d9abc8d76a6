import AsyncHTTPClient
import NIOCore

/// A provider's response body read first by the handler (up to the first content), then by the
/// response writer. One task uses it at a time.
final class UpstreamBodyReader: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator

    init(_ body: HTTPClientResponse.Body) {
        self.iterator = body.makeAsyncIterator()
    }

    func next() async throws -> ByteBuffer? {
        try await self.iterator.next()
    }
}
