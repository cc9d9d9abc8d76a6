import ArgumentParser
import CCRCore
import CCRServer
import Foundation
import Logging

extension CCRCommand {
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the router in the background (returns once it answers), or in the foreground.")

        @Flag(name: .long, help: "Run in this terminal instead of in the background.")
        var foreground = false

        func run() async throws {
            try await CCRCommand.guarded {
                let context = CLIContext()
                let configuration = try context.loadConfiguration(quietWarnings: self.foreground)
                if self.foreground {
                    try await Self.runForeground(configuration: configuration, context: context)
                    return
                }
                let started = Date()
                let server = ServerProcess(context: context, configuration: configuration)
                if server.isHealthy() {
                    let pid = server.recordedPID().map { " (pid \($0))" } ?? ""
                    print("ccr is already running on http://127.0.0.1:\(configuration.port)\(pid)")
                    return
                }
                if server.portIsTaken() {
                    throw CLIError(
                        message: "ccr: port \(configuration.port) is already in use by another program. Stop it, or set PORT in \(context.home.configFile.path) (or SERVICE_PORT) to a free port.")
                }
                let pid = try server.startDaemon()
                let ms = Int(Date().timeIntervalSince(started) * 1000)
                print("ccr started on http://\(configuration.effectiveHost):\(configuration.port) (pid \(pid), ready in \(ms) ms)")
                if configuration.effectiveHost != configuration.host {
                    print("note: HOST \(configuration.host) needs APIKEY, so ccr listens on 127.0.0.1 only")
                }
                print("logs: \(context.home.logsDirectory.path)")
            }
        }

        static func runForeground(configuration: CCRConfiguration, context: CLIContext) async throws {
            try context.home.prepare()
            let logger = try LogSetup.bootstrap(configuration: configuration, home: context.home)
            do {
                try await CCRServerRunner.run(configuration: configuration, home: context.home, logger: logger)
            } catch let error as CCRServerRunner.StartError {
                logger.critical("\(error.description)")
                throw CLIError(message: "ccr: \(error.description)")
            }
        }
    }
}
