import CCRCore
import Synchronization
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /health`, `GET /v1/models`, `GET /api/status`.
struct InfoController {
    let state: ServerState

    func addRoutes(to router: Router<CCRRequestContext>) {
        router.get("/health") { _, _ in
            self.json(["status": "ok", "version": .string(CCRVersion.string)])
        }
        router.get("/") { _, _ in
            self.json(["name": "ccr", "version": .string(CCRVersion.string)])
        }
        router.get("/v1/models") { _, _ in
            self.json(self.state.snapshot.router.modelList())
        }
        router.get("/api/status") { _, _ in
            self.json(self.status())
        }
    }

    func status() -> JSONValue {
        let configuration = self.state.snapshot.configuration
        let providers: [JSONValue] = configuration.providers.map { provider in
            [
                "name": .string(provider.name),
                "wire": .string(provider.wire.rawValue),
                "host": .string(provider.endpoint?.host ?? ""),
                "models": .array(provider.models.map(JSONValue.string)),
                "has_key": .bool(provider.apiKey != nil),
                "keys": .array(provider.keys.map { .string($0.fingerprint) }),
                "rotation": .string(provider.rotation.rawValue),
            ]
        }
        var router = JSONObject()
        router["default"] = configuration.router.defaultRoute.map { .string($0.description) } ?? .null
        return [
            "status": "running",
            "version": .string(CCRVersion.string),
            "pid": .int(Int(getpid())),
            "host": .string(configuration.effectiveHost),
            "port": .int(self.state.port),
            "uptime_seconds": .double((Date().timeIntervalSince(self.state.startedAt) * 10).rounded() / 10),
            "requests": [
                "served": .int(self.state.served.load(ordering: .relaxed)),
                "failed": .int(self.state.failed.load(ordering: .relaxed)),
                "in_flight": .int(self.state.inFlight.load(ordering: .relaxed)),
            ],
            "providers": .array(providers),
            "router": .object(router),
            "auth": .bool(configuration.apiKey != nil),
            "resilience": self.state.resilience.report(),
            "usage": self.usageReport(),
        ]
    }

    /// Whether requests are recorded, and how the writer keeps up.
    func usageReport() -> JSONValue {
        guard let usage = self.state.usage else { return ["enabled": false] }
        return [
            "enabled": true, "written": .int(usage.writtenCount), "dropped": .int(usage.droppedCount), "pending": .int(usage.pendingCount),
        ]
    }

    func json(_ value: JSONValue) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.encoded())))
    }
}
