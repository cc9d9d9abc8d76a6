/// Replaces tool call ids that are bare numbers (`"0"`, `1`), which some OpenRouter, Vercel and
/// Groq backends send, by `call_<answer>_<number>`.
///
/// Claude Code pairs tool results with calls by id across the whole conversation, so the id must
/// be unique: the answer's own id (or, without one, a random tag) goes in between, where the
/// original used a random UUID.
struct NumericToolIDs: TransformerStreamStage {
    /// Distinguishes this answer's ids from other answers'.
    private var tag: String?

    init() {}

    mutating func transform(_ chunk: JSONValue, into output: inout [JSONValue]) {
        var chunk = chunk
        let calls = OpenAIChatChunkEditing.toolCalls(chunk)
        if calls.contains(where: { Self.isNumeric($0["id"]) }) {
            let tag = self.tag ?? Self.tag(forAnswerID: chunk["id"]?.stringValue)
            self.tag = tag
            OpenAIChatChunkEditing.editDelta(&chunk) { delta in
                delta.editArray("tool_calls") { Self.rewrite(&$0, tag: tag) }
            }
        }
        output.append(chunk)
    }

    /// Rewrites the ids of a non-streamed answer's tool calls.
    static func rewrite(message response: inout JSONObject) {
        let tag = Self.tag(forAnswerID: response["id"]?.stringValue)
        response.editArray("choices") { choices in
            for index in choices.indices {
                choices[index].editObject { choice in
                    choice.editObject("message") { message in
                        message.editArray("tool_calls") { Self.rewrite(&$0, tag: tag) }
                    }
                }
            }
        }
    }

    static func rewrite(_ calls: inout [JSONValue], tag: String) {
        for index in calls.indices {
            guard let id = calls[index]["id"], Self.isNumeric(id) else { continue }
            let number = id.intValue.map(String.init) ?? id.stringValue ?? "0"
            calls[index].editObject { $0["id"] = .string("call_\(tag)_\(number)") }
        }
    }

    static func isNumeric(_ id: JSONValue?) -> Bool {
        switch id {
        case .int?: return true
        case .string(let text)?: return !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber }
        default: return false
        }
    }

    /// The last 12 letters and digits of the answer's id, or a random tag.
    static func tag(forAnswerID id: String?) -> String {
        let cleaned = String((id ?? "").filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.suffix(12))
        if !cleaned.isEmpty { return cleaned }
        return String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }
}
