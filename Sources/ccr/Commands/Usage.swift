import ArgumentParser
import CCRCore
import CCRServer
import Foundation

extension CCRCommand {
    struct Usage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what requests did and cost (tokens, time to first token, price), from ccr's usage record.",
            discussion: """
                By default: today's totals by model, then the latest requests. Reads the running router, or \
                data/usage.sqlite directly when it is stopped.
                Times: today, yesterday, all, 30m, 24h, 7d, 2026-11-30, 2026-11-30T14:00:00Z.
                Examples: ccr usage --since 7d --by day · ccr usage --session <id> · ccr usage --export csv --since all > usage.csv
                """)

        @Option(name: .long, help: "From when (default: today, in this machine's time zone).")
        var since = "today"

        @Option(name: .long, help: "Up to when (default: now).")
        var until: String?

        @Option(name: .long, help: "Group by model, provider, scenario, day, session or project.")
        var by = "model"

        @Option(name: .long, help: "Only this provider.")
        var provider: String?

        @Option(name: .long, help: "Only this model (model or provider,model).")
        var model: String?

        @Option(name: .long, help: "Only this scenario (default, background, think, longContext, …).")
        var scenario: String?

        @Option(name: .long, help: "Only ok, error, client_closed, failed_midstream, or an HTTP status.")
        var status: String?

        @Option(name: .long, help: "Only this Claude Code session id.")
        var session: String?

        @Option(name: .long, help: "How many of the latest requests to list (0: none).")
        var recent = 10

        @Flag(name: .long, help: "Print the summary and the latest requests as JSON.")
        var json = false

        @Option(name: .long, help: "Print every selected record as jsonl (claude-code-router-next's usage.jsonl fields) or csv.")
        var export: ExportFormat?

        enum ExportFormat: String, ExpressibleByArgument {
            case jsonl, csv
        }

        func validate() throws {
            guard UsageSummary.Dimension(rawValue: self.by) != nil else {
                throw ValidationError("--by must be one of \(UsageSummary.Dimension.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard self.recent >= 0 else { throw ValidationError("--recent must be 0 or more") }
        }

        func run() async throws {
            try await CCRCommand.guarded {
                let context = CLIContext()
                let configuration = try context.loadConfiguration(quietWarnings: true)
                let filter = try self.filter()
                let source = try UsageSource.open(context: context, configuration: configuration)
                if let export = self.export {
                    try await source.export(filter, format: export.rawValue)
                    return
                }
                let dimension = UsageSummary.Dimension(rawValue: self.by) ?? .model
                let summary = try await source.summary(filter, by: dimension)
                let records = self.recent > 0 ? try await source.latest(filter, count: self.recent) : []
                if self.json {
                    print(JSONValue.object(["summary": summary.json, "recent": .array(records)]).jsonString())
                    return
                }
                UsageTable.print(summary: summary, by: dimension, recent: records, source: source.description)
            }
        }

        /// The options as a filter (times read as the server would read them, but `today` and
        /// `yesterday` in this machine's time zone).
        func filter() throws -> UsageFilter {
            var parameters = ["since": Self.localDay(self.since) ?? self.since]
            parameters["to"] = self.until
            parameters["provider"] = self.provider
            parameters["model"] = self.model
            parameters["scenario"] = self.scenario
            parameters["status"] = self.status
            parameters["session"] = self.session
            do {
                return try UsageFilter.parse(parameters, now: Int64(Date().timeIntervalSince1970 * 1_000))
            } catch {
                throw CLIError(message: "ccr: \(error.description)", code: 64)
            }
        }

        /// The start of today or yesterday here, as milliseconds since 1970 (text), for those two words.
        static func localDay(_ text: String) -> String? {
            let calendar = Calendar.current
            let today = calendar.startOfDay(for: Date())
            switch text.lowercased() {
            case "today": return String(Int64(today.timeIntervalSince1970 * 1_000))
            case "yesterday": return calendar.date(byAdding: .day, value: -1, to: today).map { String(Int64($0.timeIntervalSince1970 * 1_000)) }
            default: return nil
            }
        }
    }
}
