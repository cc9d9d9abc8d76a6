/// Reading and rewriting the parts of OpenAI Chat stream chunks (and `chat.completion` messages)
/// that stream stages touch. Only the choice with index 0 is considered, as the converter does.
enum OpenAIChatChunkEditing {
    /// The position of choice 0 in `choices`.
    static func choiceIndex(_ chunk: JSONValue) -> Int? {
        chunk["choices"]?.arrayValue?.firstIndex { ($0["index"]?.intValue ?? 0) == 0 }
    }

    /// Choice 0's `delta.tool_calls`.
    static func toolCalls(_ chunk: JSONValue) -> [JSONValue] {
        guard let index = Self.choiceIndex(chunk) else { return [] }
        return chunk["choices"]?.arrayValue?[index]["delta"]?["tool_calls"]?.arrayValue ?? []
    }

    /// Choice 0's `finish_reason`, when it has one.
    static func finishReason(_ chunk: JSONValue) -> String? {
        guard let index = Self.choiceIndex(chunk), let reason = chunk["choices"]?.arrayValue?[index]["finish_reason"]?.stringValue else {
            return nil
        }
        return reason.isEmpty ? nil : reason
    }

    /// Whether choice 0's delta carries anything the converter would turn into a text or thinking
    /// block (content, refusal, reasoning in any field).
    static func hasContent(_ chunk: JSONValue) -> Bool {
        guard let index = Self.choiceIndex(chunk), let delta = chunk["choices"]?.arrayValue?[index]["delta"]?.objectValue else { return false }
        for key in ["content", "reasoning_content", "reasoning", "refusal"] {
            switch delta[key] {
            case .string(let text)? where !text.isEmpty: return true
            case .array(let parts)? where !parts.isEmpty: return true
            default: continue
            }
        }
        if let details = delta["reasoning_details"]?.arrayValue, !details.isEmpty { return true }
        return false
    }

    /// Edits choice 0 of a chunk (does nothing when it has none).
    static func editChoice(_ chunk: inout JSONValue, _ body: (inout JSONObject) -> Void) {
        chunk.editObject { object in
            object.editArray("choices") { choices in
                guard let index = choices.firstIndex(where: { ($0["index"]?.intValue ?? 0) == 0 }) else { return }
                choices[index].editObject(body)
            }
        }
    }

    /// Edits choice 0's delta.
    static func editDelta(_ chunk: inout JSONValue, _ body: (inout JSONObject) -> Void) {
        Self.editChoice(&chunk) { choice in
            if choice["delta"] == nil { choice["delta"] = .object([:]) }
            choice.editObject("delta", body)
        }
    }

    /// A new chunk with the identity (`id`, `object`, `created`, `model`) of `template` and this delta.
    static func chunk(like template: JSONValue, delta: JSONObject, finishReason: String? = nil) -> JSONValue {
        var object = JSONObject()
        for key in ["id", "object", "created", "model"] {
            if let value = template[key] { object[key] = value }
        }
        var choice: JSONObject = ["index": 0, "delta": .object(delta)]
        if let finishReason { choice["finish_reason"] = .string(finishReason) }
        object["choices"] = [.object(choice)]
        return .object(object)
    }

    /// The arguments text of a tool call entry (an object is encoded; absent is empty).
    static func arguments(of call: JSONValue) -> String {
        switch call["function"]?["arguments"] {
        case .string(let text)?: return text
        case .object(let object)?: return JSONValue.object(object).jsonString()
        default: return ""
        }
    }

    /// The call's key in the stream: its `index`, or its position in the list.
    static func key(of call: JSONValue, position: Int) -> Int {
        call["index"]?.intValue ?? position
    }
}
