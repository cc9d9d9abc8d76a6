import CCRCore
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// Runs the server in this process until SIGTERM/SIGINT: binds, writes the PID file, serves,
/// drains in-flight streams for a bounded time, cleans up.
public enum CCRServerRunner {
    /// Why the server could not run.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// How long SIGTERM waits for in-flight requests before closing them.
    public static let drainDuration: Duration = .seconds(5)

    public static func run(configuration: CCRConfiguration, home: CCRHome, logger: Logger) async throws {
        let host = configuration.effectiveHost
        let port = configuration.port
        if host != configuration.host {
            logger.warning("HOST \(configuration.host) needs APIKEY; listening on 127.0.0.1 only. Set APIKEY in config.json to serve other hosts.")
        }
        let vertexProblems = VertexAuth.check(configuration)
        if !vertexProblems.isEmpty {
            throw StartError(description: vertexProblems.joined(separator: "\n"))
        }
        Self.raiseFileLimit(logger: logger)
        MemoryTrimmer.limitArenas()
        let upstream = UpstreamClient(settings: .init(configuration: configuration))
        let customRouter = try await CustomRouterHost.start(configuration: configuration, home: home, logger: logger)
        let transformerPlugins: TransformerPlugins
        do {
            transformerPlugins = try await TransformerPlugins.start(configuration: configuration, home: home.root.path, logger: logger)
        } catch {
            await customRouter?.shutdown()
            await upstream.shutdown()
            throw StartError(description: error.description)
        }
        let usage = Self.openUsage(configuration: configuration, home: home, logger: logger)
        let state = ServerState(
            configuration: configuration, upstream: upstream, port: port,
            overrides: ProjectRouterOverrides(home: home, environment: ProcessInfo.processInfo.environment, logger: logger),
            customRouting: customRouter?.routing, transformerPlugins: transformerPlugins, usage: usage)
        // The tokenizer's vocabulary is loaded on first use (~20 ms, ~7 MiB); here only check that
        // it can be found, so that a broken install is said at start.
        do {
            _ = try CL100kVocabularyFile.locate(explicitPath: nil, environment: ProcessInfo.processInfo.environment)
        } catch {
            logger.warning("token counting will fall back to an estimate: \(error)")
        }
        let pidFile = home.pidFile
        let app = CCRApplication.make(state: state, host: host, port: port, logger: logger) { channel in
            try? "\(getpid())\n".write(to: pidFile, atomically: true, encoding: .utf8)
            let bound = channel.localAddress?.port ?? port
            logger.notice("ccr \(CCRVersion.string) listening on http://\(host):\(bound) (pid \(getpid()))")
        }
        // Services stop in reverse order: the usage recorder last, after the server has drained.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let usage { services.append(.init(service: usage)) }
        services += [.init(service: app), .init(service: MemoryTrimmer(state: state, interval: .seconds(2)))]
        var serviceConfiguration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        serviceConfiguration.maximumGracefulShutdownDuration = Self.drainDuration
        let group = ServiceGroup(configuration: serviceConfiguration)
        defer { Self.removePIDFile(pidFile) }
        do {
            try await group.run()
        } catch {
            await upstream.shutdown()
            await customRouter?.shutdown()
            await transformerPlugins.shutdown()
            if let io = error as? IOError, io.errnoCode == EADDRINUSE {
                throw StartError(description: "port \(port) on \(host) is already in use by another process. Stop it, or set PORT in \(home.configFile.path) (or SERVICE_PORT) to a free port.")
            }
            if "\(error)".contains("Address already in use") {
                throw StartError(description: "port \(port) on \(host) is already in use by another process. Stop it, or set PORT in \(home.configFile.path) (or SERVICE_PORT) to a free port.")
            }
            throw StartError(description: "cannot serve on \(host):\(port): \(error)")
        }
        logger.debug("server stopped; closing upstream connections")
        await upstream.shutdown()
        await customRouter?.shutdown()
        await transformerPlugins.shutdown()
        logger.debug("upstream connections closed")
    }

    /// The writer of `data/usage.sqlite`, unless `Usage.enabled` is false. The database opens on
    /// first use; a folder ccr cannot write is said now, and ccr serves without recording (usage
    /// must not stop Claude Code).
    static func openUsage(configuration: CCRConfiguration, home: CCRHome, logger: Logger) -> UsageRecorder? {
        guard configuration.usage.enabled else { return nil }
        let path = UsageStore.path(in: home)
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            logger.error("usage records are off: cannot create \(directory): \(error)")
            return nil
        }
        guard access(directory, W_OK) == 0 else {
            logger.error("usage records are off: \(directory) is not writable")
            return nil
        }
        return UsageRecorder(path: path, settings: configuration.usage, logger: logger)
    }

    /// Each stream holds two sockets (client and provider): raise the soft limit on open files to
    /// the hard one, so hundreds of concurrent streams do not run out at 1,024.
    static func raiseFileLimit(logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        let previous = limit.rlim_cur
        limit.rlim_cur = limit.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            logger.debug("open-file limit raised from \(previous) to \(limit.rlim_cur)")
        }
    }

    static func removePIDFile(_ url: URL) {
        // Only remove it if it is ours (a second instance that failed to bind must not).
        if let text = try? String(contentsOf: url, encoding: .utf8), Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) == Int(getpid()) {
            try? FileManager.default.removeItem(at: url)
        }
    }
}
