import ArgumentParser
import CCRCore
import Foundation

extension CCRCommand {
    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop the background router (in-flight requests get a few seconds to finish).")

        func run() async throws {
            try await CCRCommand.guarded {
                let context = CLIContext()
                let configuration = try context.loadConfiguration(quietWarnings: true)
                let server = ServerProcess(context: context, configuration: configuration)
                guard let pid = server.recordedPID() else {
                    if server.isHealthy() {
                        throw CLIError(message: "ccr: a router answers on port \(configuration.port) but has no PID file under \(context.home.root.path); it was started from another CCR_HOME or by hand: stop it there")
                    }
                    print("ccr is not running")
                    return
                }
                let killed = server.stop(pid: pid)
                print(killed ? "ccr stopped (pid \(pid)); it did not finish in time and was killed" : "ccr stopped (pid \(pid))")
            }
        }
    }

    struct Restart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop, then start the background router.")

        func run() async throws {
            try await CCRCommand.guarded {
                let context = CLIContext()
                let configuration = try context.loadConfiguration()
                let server = ServerProcess(context: context, configuration: configuration)
                if let pid = server.recordedPID() {
                    server.stop(pid: pid)
                    print("ccr stopped (pid \(pid))")
                }
                let started = Date()
                let pid = try server.startDaemon()
                print("ccr started on http://\(configuration.effectiveHost):\(configuration.port) (pid \(pid), ready in \(Int(Date().timeIntervalSince(started) * 1000)) ms)")
            }
        }
    }
}
