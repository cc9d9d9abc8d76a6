/// When a request counts as asking for deep reasoning (the `think` scenario).
///
/// Today's Claude Code sends `thinking: {"type": "adaptive"}` and `effort: "medium"` on every turn,
/// so "has a `thinking` field" (the original's test) fires on everything. ccr fires `think` only for
/// an explicit budget (`thinking.type == "enabled"` with `budget_tokens` ≥ ``minimumBudgetTokens``),
/// an effort in ``efforts`` (`output_config.effort`; `high` only on Claude model names, because
/// Claude Code sends `high` by default for names it does not know), or plan mode when
/// ``planMode`` is on.
/// Configured as `Router.thinkTrigger`.
public struct ThinkTrigger: Sendable, Equatable {
    /// The smallest `budget_tokens` that counts (default 1: any enabled budget).
    public var minimumBudgetTokens: Int
    /// Efforts that count (default `high`, `max`).
    public var efforts: Set<String>
    /// Plan mode counts (default on).
    public var planMode: Bool

    public init(minimumBudgetTokens: Int = 1, efforts: Set<String> = ["high", "max"], planMode: Bool = true) {
        self.minimumBudgetTokens = minimumBudgetTokens
        self.efforts = efforts
        self.planMode = planMode
    }
}
