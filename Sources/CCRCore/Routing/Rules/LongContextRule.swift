/// `longContext`: the prompt is over the threshold (the family's, else
/// `Router.longContextThreshold`), or the provider reported more than that for the session's
/// previous turn and this prompt is over 20,000 tokens (cl100k undercounts other vendors'
/// tokenizers), or the request asks for the 1M context (`[1m]`, `context-1m` beta).
public struct LongContextRule: RoutingRule {
    /// Below this count the session's last usage is not trusted (the original's value).
    public static let sessionFloor = 20_000

    public init() {}

    public func evaluate(_ context: inout RoutingContext) throws(AnthropicError) -> RuleOutcome {
        if context.facts.extendedContext {
            if let family = context.facts.family, let target = context.table.families[family]?.extendedContext {
                return .route(target, .longContext, reason: "asks for the 1M context → Router.families.\(family.rawValue).extendedContext")
            }
            if context.target(for: .longContext) != nil {
                return context.slotOutcome(.longContext, because: "asks for the 1M context")
            }
        }
        guard context.target(for: .longContext) != nil else {
            return .pass("longContext: no longContext route is configured")
        }
        let threshold = context.familyRoutes?.longContextThreshold ?? context.table.longContextThreshold
        let tokens = context.tokenCount()
        if tokens > threshold {
            return context.slotOutcome(.longContext, because: "\(tokens) tokens > threshold \(threshold)")
        }
        if let last = context.lastSessionInputTokens, last > threshold, tokens > Self.sessionFloor {
            return context.slotOutcome(
                .longContext, because: "the session's last turn used \(last) input tokens > \(threshold) and this one has \(tokens) > \(Self.sessionFloor)")
        }
        let session = context.lastSessionInputTokens.map { ", session's last input \($0)" } ?? ""
        return .pass("longContext: \(tokens) tokens ≤ threshold \(threshold)\(session)")
    }
}
