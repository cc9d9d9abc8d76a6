/// Why a request went where it went: the rule that chose its target.
///
/// The slot scenarios (``default``, ``background``, ``think``, ``longContext``, ``webSearch``,
/// ``image``, ``subagent``) are also the keys of `Router` and of each `Router.families` table;
/// ``explicit``, ``rule`` and ``plugin`` name the other ways a target is chosen.
public enum RouteScenario: String, Sendable, Hashable, CaseIterable {
    /// `provider,model` in the request's `model` (Claude Code's `/model provider,model`).
    case explicit
    /// A subagent: the `<CCR-SUBAGENT-MODEL>` tag, or `cc_is_subagent=true` in the billing block.
    case subagent
    /// The prompt is over `longContextThreshold` tokens (or the session's last real input was),
    /// or the request asks for the 1M context (`[1m]`, the `context-1m` beta).
    case longContext
    /// A Claude Haiku model: Claude Code's cheap side work.
    case background
    /// A `web_search*` server tool is offered.
    case webSearch
    /// The request asks for deep reasoning (see ``ThinkTrigger``).
    case think
    /// The last user message carries an image.
    case image
    /// A declarative `Router.rules` entry.
    case rule
    /// The `CUSTOM_ROUTER_PATH` plugin.
    case plugin
    /// `Router.default` (or the family's `default`).
    case `default`

    /// The scenarios that are `Router` keys, in the order the router tries them after the
    /// explicit and tag rules.
    public static let slotOrder: [RouteScenario] = [.longContext, .background, .subagent, .webSearch, .think, .image]

    /// The `Router` keys that hold a target.
    public static let slots: [RouteScenario] = [.default, .background, .think, .longContext, .webSearch, .image, .subagent]
}
