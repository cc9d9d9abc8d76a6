import ArgumentParser
import CCRCore
import Foundation

extension CCRCommand {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show whether the router runs, and its live figures.")

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            try await CCRCommand.guarded {
                let context = CLIContext()
                let configuration = try context.loadConfiguration(quietWarnings: true)
                let answer = try? LocalHTTP.request(port: configuration.port, path: "/api/status", headers: context.authHeaders(configuration))
                guard let answer, answer.status == 200, let status = try? JSONParser.parse(Array(answer.body)) else {
                    if self.json {
                        print(JSONValue.object(["status": "stopped", "port": .int(configuration.port)]).jsonString())
                    } else {
                        print("ccr is not running (port \(configuration.port)). Start it with: ccr start")
                    }
                    throw ExitCode(3)
                }
                if self.json {
                    print(status.jsonString())
                    return
                }
                Self.printHuman(status)
            }
        }

        static func printHuman(_ status: JSONValue) {
            let host = status["host"]?.stringValue ?? "127.0.0.1"
            let port = status["port"]?.intValue ?? 0
            let uptime = Int(status["uptime_seconds"]?.doubleValue ?? 0)
            print("ccr \(status["version"]?.stringValue ?? "") is running on http://\(host):\(port) (pid \(status["pid"]?.intValue ?? 0), up \(Self.duration(uptime)))")
            let requests = status["requests"]
            print("requests: \(requests?["served"]?.intValue ?? 0) served, \(requests?["failed"]?.intValue ?? 0) failed, \(requests?["in_flight"]?.intValue ?? 0) streaming now")
            print("default route: \(status["router"]?["default"]?.stringValue ?? "(none)")")
            if let usage = status["usage"] {
                if usage["enabled"] == false {
                    print("usage record: off (Usage.enabled is false)")
                } else {
                    var line = "usage record: \(usage["written"]?.intValue ?? 0) written since start"
                    if let dropped = usage["dropped"]?.intValue, dropped > 0 { line += ", \(dropped) dropped (queue full)" }
                    print(line + "; see ccr usage")
                }
            }
            let providers = status["providers"]?.arrayValue ?? []
            print("providers (\(providers.count)):")
            for provider in providers {
                let models = (provider["models"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")
                print("  \(provider["name"]?.stringValue ?? "?")  [\(provider["wire"]?.stringValue ?? "")] \(provider["host"]?.stringValue ?? "")  models: \(models)")
            }
            let resilience = status["resilience"]
            let keys = resilience?["keys"]?.arrayValue ?? []
            if !keys.isEmpty {
                print("keys (by fingerprint; used so far):")
                for key in keys {
                    var line = "  \(key["provider"]?.stringValue ?? "?")  \(key["key"]?.stringValue ?? "?")  \(key["state"]?.stringValue ?? "?")"
                    if let resting = key["restingForSeconds"]?.intValue { line += " for \(resting)s" }
                    line += "  uses \(key["uses"]?.intValue ?? 0), failures \(key["failures"]?.intValue ?? 0)"
                    if let last = key["lastFailure"]?.stringValue { line += " (last: \(last))" }
                    print(line)
                }
            }
            let breakers = resilience?["breakers"]?.arrayValue ?? []
            if !breakers.isEmpty {
                print("circuits (last minute):")
                for breaker in breakers {
                    var line = "  \(breaker["target"]?.stringValue ?? "?")  \(breaker["state"]?.stringValue ?? "?")"
                    if let open = breaker["openForSeconds"]?.intValue { line += " for \(open)s" }
                    if let limited = breaker["rateLimitedForSeconds"]?.intValue { line += ", rate limited for \(limited)s" }
                    line += "  \(breaker["successes"]?.intValue ?? 0) ok / \(breaker["failures"]?.intValue ?? 0) failed"
                    print(line)
                }
            }
            for promotion in resilience?["promotions"]?.arrayValue ?? [] {
                print("promoted: \(promotion["target"]?.stringValue ?? "?") instead of \(promotion["for"]?.stringValue ?? "?") for \(promotion["forSeconds"]?.intValue ?? 0)s")
            }
        }

        static func duration(_ seconds: Int) -> String {
            if seconds < 60 { return "\(seconds)s" }
            if seconds < 3600 { return "\(seconds / 60)m \(seconds % 60)s" }
            return "\(seconds / 3600)h \((seconds % 3600) / 60)m"
        }
    }
}
