import ArgumentParser
import CCRCore
import CCRServer
import Foundation

extension CCRCommand {
    struct Route: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where a request would be routed, and why.",
            discussion: """
                Reads an Anthropic Messages request body (or a recorded request with "body" and "headers") from FILE, or
                from standard input with - or no FILE, and routes it with the current config.json, as the server would.
                Examples:
                  ccr route --explain request.json
                  pbpaste | ccr route --explain --header 'anthropic-beta: context-1m-2025-08-07'
                """)

        @Flag(name: .long, help: "Print every rule tried and what it concluded.")
        var explain = false

        @Flag(name: .long, help: "Print the decision as JSON.")
        var json = false

        @Option(name: .long, help: "A request header, as 'Name: value' (repeatable).")
        var header: [String] = []

        @Option(name: .long, help: "The input tokens the provider reported for the session's previous turn.")
        var lastInputTokens: Int?

        @Argument(help: "The request file, or - for standard input.")
        var file: String = "-"

        func run() async throws {
            try await CCRCommand.guarded {
                let context = CLIContext()
                let configuration = try context.loadConfiguration(quietWarnings: true)
                let data: Data
                if self.file == "-" {
                    data = FileHandle.standardInput.readDataToEndOfFile()
                } else {
                    guard let read = FileManager.default.contents(atPath: (self.file as NSString).expandingTildeInPath) else {
                        throw CLIError(message: "ccr: cannot read \(self.file)", code: 66)
                    }
                    data = read
                }
                let value: JSONValue
                do {
                    value = try JSONParser.parse(Array(data))
                } catch {
                    throw CLIError(message: "ccr: the request is not valid JSON: \(error)", code: 65)
                }
                var headers: [String: String] = [:]
                var body = value.objectValue
                if let recorded = value["body"]?.objectValue {
                    body = recorded
                    for member in value["headers"]?.objectValue?.members ?? [] { headers[member.key.lowercased()] = member.value.stringValue }
                }
                guard let body else { throw CLIError(message: "ccr: the request must be a JSON object (a Messages body)", code: 65) }
                for line in self.header {
                    guard let colon = line.firstIndex(of: ":") else { throw CLIError(message: "ccr: --header '\(line)' is not 'Name: value'", code: 64) }
                    headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let router = RequestRouter(configuration: configuration, countTokens: TokenCounting.count)
                let session = SessionID.of(headers: headers, body: body)
                let overrides = ProjectRouterOverrides(home: context.home, environment: context.environment, logger: .init(label: "ccr-route"))
                let table = overrides.table(session: session, configuration: configuration)
                let plugin = try await CustomRouterHost.start(configuration: configuration, home: context.home, logger: .init(label: "ccr-route"))
                let routed: RoutedRequest
                do {
                    routed = try await router.route(
                        body: body, headers: headers, sessionID: session, table: table, lastSessionInputTokens: self.lastInputTokens, plugin: plugin?.routing)
                } catch let error as AnthropicError {
                    await plugin?.shutdown()
                    throw CLIError(message: error.message.hasPrefix("ccr:") ? error.message : "ccr: \(error.message)", code: 65)
                }
                await plugin?.shutdown()
                let decision = routed.decision
                let tokens = decision.tokenCount ?? router.countTokens(body)
                if self.json {
                    var object: JSONObject = [
                        "route": .string(decision.target.description), "provider": .string(decision.target.provider),
                        "model": .string(decision.target.model), "scenario": .string(decision.scenario.rawValue),
                        "reason": .string(decision.reason), "tokens": .int(tokens), "bodyChanged": .bool(routed.bodyChanged),
                        "trace": .array(decision.trace.map { .string($0) }),
                    ]
                    object["family"] = decision.family.map { .string($0.rawValue) } ?? .null
                    object["session"] = session.map { .string($0) } ?? .null
                    print(String(decoding: JSONValue.object(object).encoded(), as: UTF8.self))
                    return
                }
                print("route:    \(decision.headerValue)")
                print("reason:   \(decision.reason)")
                print("model:    \(routed.facts.model.isEmpty ? "(none)" : routed.facts.model)\(decision.family.map { " (family \($0.rawValue))" } ?? "")")
                print("tokens:   \(tokens) (cl100k_base)")
                if let session { print("session:  \(session)") }
                if routed.bodyChanged { print("body:     rewritten before forwarding") }
                if self.explain {
                    print("rules, in order:")
                    for line in decision.trace { print("  \(line)") }
                }
            }
        }
    }
}
