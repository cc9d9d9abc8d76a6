import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /metrics`: the Prometheus text exposition of ``CCRMetrics``. Behind `APIKEY` like
/// `/api/*`: when a key is set, the scraper sends `Authorization: Bearer <APIKEY>`.
struct MetricsController {
    /// The content type of the Prometheus text format 0.0.4.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let state: ServerState

    func addRoutes(to router: Router<CCRRequestContext>) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: Self.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.render())))
        }
    }

    /// The exposition, with the gauges read from the server's state now.
    func render() -> [UInt8] {
        self.state.metrics.render(
            circuits: self.state.resilience.circuits(), streamsInFlight: self.state.inFlight.load(ordering: .relaxed),
            requestsReceived: self.state.served.load(ordering: .relaxed))
    }
}
