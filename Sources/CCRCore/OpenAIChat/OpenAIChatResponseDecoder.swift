/// Turns a non-streaming OpenAI Chat Completions response into an Anthropic message.
///
/// Block order follows Anthropic's: thinking first (with a ``ReasoningSignature``), then text,
/// then tool calls.
public enum OpenAIChatResponseDecoder {
    /// - Throws: ``AnthropicError`` when the body is an error or has no choice.
    public static func message(from response: JSONValue, messageID: String, model: String) throws(AnthropicError) -> JSONValue {
        if let error = response["error"], !error.isNull {
            throw OpenAIChatStreamConverter.error(from: error)
        }
        guard let choice = response["choices"]?.arrayValue?.first(where: { ($0["index"]?.intValue ?? 0) == 0 }) else {
            throw AnthropicError(status: 502, kind: .api, message: "provider answered without choices: \(String(response.jsonString().prefix(300)))")
        }
        let message = choice["message"] ?? .null
        var thinking = ""
        var dialect: ReasoningSignature.Dialect?
        var details: [JSONValue] = []
        if let list = message["reasoning_details"]?.arrayValue, !list.isEmpty {
            details = list
            thinking = list.compactMap { $0["text"]?.stringValue ?? $0["summary"]?.stringValue }.joined()
            dialect = .reasoningDetails
        } else if let text = message["reasoning_content"]?.stringValue, !text.isEmpty {
            thinking = text
            dialect = .reasoningContent
        } else if let text = message["reasoning"]?.stringValue, !text.isEmpty {
            thinking = text
            dialect = .reasoning
        }
        var text = ""
        switch message["content"] {
        case .string(let s)?:
            text = s
        case .array(let parts)?:
            for part in parts {
                if part["type"] == "text" { text += part["text"]?.stringValue ?? "" }
                if part["type"] == "thinking" {
                    let value = part["thinking"]
                    thinking += value?.stringValue ?? (value?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
                    dialect = dialect ?? .mistral
                }
            }
        default:
            break
        }
        var splitter = ThinkTagSplitter()
        var answer = ""
        var tagged = ""
        func take(_ piece: ThinkTagSplitter.Piece) {
            switch piece {
            case .text(let t): answer += t
            case .thinking(let t): tagged += t
            }
        }
        splitter.feed(text, take)
        splitter.flush(take)
        if !tagged.isEmpty {
            thinking += tagged
            dialect = dialect ?? .thinkTag
        }
        if let refusal = message["refusal"]?.stringValue, !refusal.isEmpty, answer.isEmpty { answer = refusal }
        var content: [JSONValue] = []
        if let dialect, !thinking.isEmpty || !details.isEmpty {
            content.append([
                "type": "thinking", "thinking": .string(thinking),
                "signature": .string(ReasoningSignature(dialect: dialect, details: details).encoded),
            ])
        }
        if !answer.isEmpty { content.append(["type": "text", "text": .string(answer)]) }
        let calls = message["tool_calls"]?.arrayValue ?? []
        for (position, call) in calls.enumerated() {
            let function = call["function"] ?? .null
            let input: JSONValue
            switch function["arguments"] {
            case .string(let raw)?:
                input = ToolInput.object(fromArguments: raw)
            case .object(let object)?:
                input = .object(object)
            default:
                input = .object([:])
            }
            let id = call["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? AnthropicStreamState.generatedToolID(messageID, position)
            content.append([
                "type": "tool_use", "id": .string(id), "name": .string(function["name"]?.stringValue ?? "unknown_tool"), "input": input,
            ])
        }
        let finish = choice["finish_reason"]?.stringValue
        let usage = OpenAIChatUsage.anthropic(response["usage"]) ?? AnthropicUsage(outputTokens: max(1, (answer.utf8.count + thinking.utf8.count) / 4))
        return [
            "id": .string(messageID), "type": "message", "role": "assistant",
            "model": .string(response["model"]?.stringValue ?? model),
            "content": .array(content),
            "stop_reason": .string(finish == "error" ? "end_turn" : OpenAIChatUsage.stopReason(finish, sawToolCalls: !calls.isEmpty)),
            "stop_sequence": nil,
            "usage": usage.json,
        ]
    }
}
