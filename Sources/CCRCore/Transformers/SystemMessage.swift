/// Adding text to the system message of an OpenAI Chat request.
enum SystemMessage {
    /// Appends `text` to the leading system message (as a new paragraph, or a new text part), or
    /// inserts a system message when there is none. Kept in the one leading message because some
    /// endpoints refuse system messages elsewhere.
    static func append(_ text: String, to messages: inout [JSONValue]) {
        guard let first = messages.first, first["role"] == "system" else {
            messages.insert(["role": "system", "content": .string(text)], at: 0)
            return
        }
        messages[0].editObject { message in
            switch message["content"] {
            case .string(let existing)?:
                message["content"] = .string(existing.isEmpty ? text : existing + "\n\n" + text)
            case .array?:
                message.editArray("content") { $0.append(["type": "text", "text": .string(text)]) }
            default:
                message["content"] = .string(text)
            }
        }
    }
}
