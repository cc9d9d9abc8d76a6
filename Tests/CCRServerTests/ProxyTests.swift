import CCRCore
import CCRServer
import CCRTestSupport
import Foundation
import Testing

@Suite("Outbound proxy", .serialized, .timeLimit(.minutes(1)))
struct ProxyTests {
    /// Starts scripts/testing/connect_proxy.py; returns its port and log file.
    static func startProxy() async throws -> (pid_t, Int, URL) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-proxy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("proxy.log")
        let portFile = directory.appendingPathComponent("port")
        let arguments = ["/usr/bin/env", "python3", root.appendingPathComponent("scripts/testing/connect_proxy.py").path, "--log", log.path, "--port-file", portFile.path]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/usr/bin/env", nil, nil, &argv, environ) == 0 else { throw CancellationError() }
        for _ in 0..<500 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) { return (pid, port, log) }
            try await Task.sleep(for: .milliseconds(10))
        }
        Self.stop(pid)
        throw CancellationError()
    }

    static func stop(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    @Test func providersAreReachedThroughTheConfiguredProxyUnlessNoProxySaysOtherwise() async throws {
        let (proxy, proxyPort, log) = try await Self.startProxy()
        defer { Self.stop(proxy) }
        let mock = MockUpstream { _, _ in .json(body: MockUpstream.anthropicTextMessage("via proxy")) }
        try await mock.run { upstream in
            let mockPort = URLParts(upstream)!.port
            // A host name that does not resolve: only the proxy (which tunnels to loopback) can reach it.
            let provider = #""Providers": [{"name": "far", "api_base_url": "http://upstream.invalid:\#(mockPort)/v1/messages", "api_key": "k-123456", "models": ["m"], "transformer": {"use": ["Anthropic"]}}], "Router": {"default": "far,m"}"#
            let proxied = try RouterHarness.configuration(#"{"PROXY_URL": "http://user:pw@127.0.0.1:\#(proxyPort)", \#(provider)}"#)
            try await RouterHarness.run(proxied) { base in
                let (response, body) = try await RouterHarness.post(base + "/v1/messages", json: #"{"model":"x","messages":[]}"#)
                #expect(response.status.code == 200)
                #expect(String(decoding: body, as: UTF8.self).contains("via proxy"))
            }
            let bypassed = try RouterHarness.configuration(#"{"PROXY_URL": "http://127.0.0.1:\#(proxyPort)", "NO_PROXY": ".invalid", \#(provider)}"#)
            try await RouterHarness.run(bypassed) { base in
                let (response, _) = try await RouterHarness.post(base + "/v1/messages", json: #"{"model":"x","messages":[]}"#)
                #expect(response.status.code == 502)  // direct: the name does not resolve
            }
        }
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("CONNECT upstream.invalid:") == true)
        #expect(lines.first?.contains("Basic dXNlcjpwdw==") == true)
    }
}
