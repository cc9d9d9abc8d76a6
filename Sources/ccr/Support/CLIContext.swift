import CCRCore
import CCRServer
import Foundation

/// What every command needs: the home folder, the environment and the loaded config.
struct CLIContext {
    let home: CCRHome
    let environment: [String: String]

    init() {
        self.environment = ProcessInfo.processInfo.environment
        self.home = CCRHome.fromEnvironment(self.environment)
    }

    /// Loads the config; prints every problem and fails when it cannot be used. On first run,
    /// writes the starter config and explains what to fill in.
    func loadConfiguration(quietWarnings: Bool = false) throws -> CCRConfiguration {
        do {
            switch try ConfigFile.load(home: self.home, environment: self.environment) {
            case .loaded(let configuration, let warnings):
                if !quietWarnings {
                    for warning in warnings { printError("ccr: \(warning)") }
                }
                return configuration
            case .createdStarter(let url):
                printError("""
                    ccr: no config found, so a starter config was written to \(url.path)
                         Add a provider (name, api_base_url, api_key as "$ENV_VAR", models) and set Router.default,
                         then run the command again. Reference: docs/configuration.md
                    """)
                let (configuration, _) = try ConfigLoader(environment: self.environment).load(text: Array(StarterConfig.text.utf8))
                return configuration
            }
        } catch {
            var lines = ["ccr: the config at \(error.file) cannot be used:"]
            lines += error.diagnostics.map { "  \($0)" }
            throw CLIError(message: lines.joined(separator: "\n"), code: 78)
        }
    }

    /// Headers that authenticate the CLI to the server.
    func authHeaders(_ configuration: CCRConfiguration) -> [String: String] {
        guard let key = configuration.apiKey else { return [:] }
        return ["Authorization": "Bearer \(key)"]
    }
}
