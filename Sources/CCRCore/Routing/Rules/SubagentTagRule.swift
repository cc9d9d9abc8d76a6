/// `<CCR-SUBAGENT-MODEL>provider,model</CCR-SUBAGENT-MODEL>` in any system block or in the first
/// user message chooses the target; the tag is removed before the request is forwarded.
///
/// The original looked only at the start of `system[1]`, which today's Claude Code no longer uses
/// for agent prompts, so its tag was missed; and it ran `longContext` first, which left the tag in
/// the prompt. Here the tag wins over every rule but an explicit model.
public struct SubagentTagRule: RoutingRule {
    static let open = "<CCR-SUBAGENT-MODEL>"
    static let close = "</CCR-SUBAGENT-MODEL>"

    public init() {}

    public func evaluate(_ context: inout RoutingContext) throws(AnthropicError) -> RuleOutcome {
        guard let (spelled, place) = Self.strip(&context.body) else {
            return .pass("subagent tag: no <CCR-SUBAGENT-MODEL> tag")
        }
        context.bodyChanged = true
        let target = try context.resolve(spelled, what: "<CCR-SUBAGENT-MODEL> tag in \(place)")
        return .route(target, .subagent, reason: "<CCR-SUBAGENT-MODEL>\(spelled)</CCR-SUBAGENT-MODEL> in \(place) (tag removed)")
    }

    /// Removes the first tag found and returns its content and where it was.
    static func strip(_ body: inout JSONObject) -> (String, String)? {
        if let system = body["system"] {
            if var text = system.stringValue, let found = Self.cut(&text) {
                body["system"] = .string(text)
                return (found, "system")
            }
            if var blocks = system.arrayValue {
                for index in blocks.indices {
                    guard var text = blocks[index]["text"]?.stringValue, let found = Self.cut(&text) else { continue }
                    blocks[index] = Self.replacingText(blocks[index], with: text)
                    body["system"] = .array(blocks)
                    return (found, "system[\(index)]")
                }
            }
        }
        guard var messages = body["messages"]?.arrayValue,
            let first = messages.firstIndex(where: { $0["role"]?.stringValue == "user" })
        else { return nil }
        let message = messages[first]
        if var text = message["content"]?.stringValue, let found = Self.cut(&text) {
            messages[first] = Self.replacing(message, key: "content", with: .string(text))
            body["messages"] = .array(messages)
            return (found, "the first user message")
        }
        guard var blocks = message["content"]?.arrayValue else { return nil }
        for index in blocks.indices where blocks[index]["type"]?.stringValue == "text" {
            guard var text = blocks[index]["text"]?.stringValue, let found = Self.cut(&text) else { continue }
            blocks[index] = Self.replacingText(blocks[index], with: text)
            messages[first] = Self.replacing(message, key: "content", with: .array(blocks))
            body["messages"] = .array(messages)
            return (found, "the first user message")
        }
        return nil
    }

    /// Cuts the first complete tag out of the text and returns its trimmed content.
    static func cut(_ text: inout String) -> String? {
        guard text.containsBytes(Self.open), let open = text.firstRange(of: Self.open),
            let close = text[open.upperBound...].firstRange(of: Self.close)
        else { return nil }
        let content = text[open.upperBound..<close.lowerBound].trimmingSpaces()
        text.removeSubrange(open.lowerBound..<close.upperBound)
        return content
    }

    static func replacingText(_ block: JSONValue, with text: String) -> JSONValue {
        Self.replacing(block, key: "text", with: .string(text))
    }

    static func replacing(_ value: JSONValue, key: String, with new: JSONValue) -> JSONValue {
        guard var object = value.objectValue else { return value }
        object[key] = new
        return .object(object)
    }
}
