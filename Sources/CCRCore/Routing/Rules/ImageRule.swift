/// `image`: the last user message carries an image (directly or in a tool result), and the
/// request is not already for the image model.
public struct ImageRule: RoutingRule {
    public init() {}

    public func evaluate(_ context: inout RoutingContext) throws(AnthropicError) -> RuleOutcome {
        guard context.facts.lastUserMessageHasImage else { return .pass("image: no image in the last user message") }
        return context.slotOutcome(.image, because: "the last user message has an image")
    }
}
