import Hummingbird
import NIOCore

/// Runs a Hummingbird application on a free port for the duration of a test body.
public enum LiveServer {
    /// - Parameters:
    ///   - makeApplication: builds the application, given the `onServerRunning` callback to install.
    ///   - body: runs with the bound port; the server stops when it returns.
    public static func run<App: ApplicationProtocol, T: Sendable>(
        _ makeApplication: (@escaping @Sendable (any Channel) async -> Void) -> App,
        _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = makeApplication { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let result = try await body(port)
            group.cancelAll()
            return result
        }
    }
}
