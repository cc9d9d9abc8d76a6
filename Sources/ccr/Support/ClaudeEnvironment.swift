import CCRCore
import Foundation

/// The environment Claude Code needs to talk to ccr (SPEC §S2), shared by `ccr code` and
/// `ccr activate`.
enum ClaudeEnvironment {
    /// Variables to set, in a stable order.
    static func variables(for configuration: CCRConfiguration, current: [String: String]) -> [(String, String)] {
        var noProxy = ["127.0.0.1", "localhost"]
        for existing in (current["NO_PROXY"] ?? "").split(separator: ",").map(String.init) where !noProxy.contains(existing) && !existing.isEmpty {
            noProxy.append(existing)
        }
        var variables: [(String, String)] = [
            ("ANTHROPIC_BASE_URL", "http://127.0.0.1:\(configuration.port)"),
            ("ANTHROPIC_AUTH_TOKEN", configuration.apiKey ?? "ccr"),
            ("ANTHROPIC_API_KEY", ""),
            ("NO_PROXY", noProxy.joined(separator: ",")),
            ("DISABLE_TELEMETRY", "true"),
            ("DISABLE_COST_WARNINGS", "true"),
            ("API_TIMEOUT_MS", String(configuration.apiTimeoutMilliseconds)),
            ("CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY", "1"),
        ]
        if configuration.nonInteractiveMode {
            variables += [("CI", "true"), ("FORCE_COLOR", "0"), ("NODE_NO_READLINE", "1"), ("TERM", "dumb")]
        }
        return variables
    }

    /// Variables to remove, so Claude Code does not go to Bedrock or Vertex instead.
    static let unset = ["CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX"]
}
