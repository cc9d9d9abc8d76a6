/// `REWRITE_SYSTEM_PROMPT`: replaces Claude Code's main system prompt with the file's text.
///
/// The original replaced `system[1]` up to its last `<env>` when that block contained `<env>`;
/// today's Claude Code has the billing block first and no `<env>` in the prompt, so that never
/// fired. Here: the first system block with `<env>` keeps what follows its last `<env>` (as the
/// original did); without one, the longest text block (the main prompt; the billing block and the
/// short agent line stay) is replaced whole.
public struct SystemPromptRewrite: Sendable {
    public var replacement: String

    public init(replacement: String) {
        self.replacement = replacement
    }

    /// - Returns: whether the body changed.
    public func apply(to body: inout JSONObject) -> Bool {
        if let text = body["system"]?.stringValue {
            body["system"] = .string(self.rewritten(text))
            return true
        }
        guard var blocks = body["system"]?.arrayValue, !blocks.isEmpty else { return false }
        let texts = blocks.map { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }
        let index =
            texts.firstIndex { $0?.containsBytes("<env>") ?? false }
            ?? texts.indices.filter { texts[$0].map { !$0.hasPrefix("x-anthropic-billing-header:") } ?? false }
            .max { (texts[$0]?.utf8.count ?? 0) < (texts[$1]?.utf8.count ?? 0) }
        guard let index, let text = texts[index], var block = blocks[index].objectValue else { return false }
        block["text"] = .string(self.rewritten(text))
        blocks[index] = .object(block)
        body["system"] = .array(blocks)
        return true
    }

    func rewritten(_ text: String) -> String {
        guard let last = text.ranges(of: "<env>").last else { return self.replacement }
        return self.replacement + "<env>" + text[last.upperBound...]
    }
}
