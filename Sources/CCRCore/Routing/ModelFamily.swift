/// The Claude model tiers Claude Code asks for: `claude-…-opus…`, `sonnet`, `haiku`, `fable`.
///
/// `Router.families.<family>` holds a route table per tier, so the main agent (opus or sonnet) and
/// the side calls and subagents (haiku) can go to different models.
public enum ModelFamily: String, Sendable, Hashable, CaseIterable {
    case opus, sonnet, haiku, fable

    /// The family a requested model belongs to, and whether it asks for the 1M context with the
    /// `[1m]` suffix. `nil` for names that are not Claude models (`claude-…` or `ccr-…` containing
    /// a family name).
    public static func of(model: String) -> (family: ModelFamily, extendedContext: Bool)? {
        var name = model.lowercased()
        var extended = false
        if name.hasSuffix("[1m]") {
            extended = true
            name.removeLast(4)
        }
        guard name.hasPrefix("claude") || name.hasPrefix("ccr-") || name.hasPrefix("anthropic/claude") else { return nil }
        for family in ModelFamily.allCases where name.contains(family.rawValue) {
            return (family, extended)
        }
        return nil
    }
}
