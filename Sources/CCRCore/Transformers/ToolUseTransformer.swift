/// `tooluse`: makes models that drift out of tool use stay in it. When the request offers tools, the
/// model must call one (`tool_choice: "required"`), and an extra tool, `ExitTool`, lets it answer
/// in plain words instead; a call to `ExitTool` comes back to Claude Code as that text.
///
/// Differences from the original: the reminder about `ExitTool` is added only when there are
/// tools (the original added it to every request, pointing models at a tool they did not have),
/// it goes into the leading system message rather than a system message at the end (which some
/// endpoints refuse), and a `tool_choice` Claude Code set to `none` or to a named tool is kept.
public struct ToolUseTransformer: Transformer {
    public static let name = "tooluse"
    static let exitToolName = "ExitTool"

    static let reminder = """
        <system-reminder>Tool mode is active: answer every turn with a tool call. When no other tool fits — the task \
        is finished, you need to ask the user something, or you only need to reply — call \(exitToolName) with your \
        whole reply to the user in its "response" argument. Call \(exitToolName) alone, never together with another \
        tool.</system-reminder>
        """

    static let exitTool: JSONValue = [
        "type": "function",
        "function": [
            "name": .string(exitToolName),
            "description": "Ends tool mode and replies to the user in plain text. Use it only when no other tool fits.",
            "parameters": [
                "type": "object",
                "properties": ["response": ["type": "string", "description": "The whole reply to the user."]],
                "required": ["response"],
            ],
        ],
    ]

    public init(options: JSONObject) {}

    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {
        guard let tools = request["tools"]?.arrayValue, !tools.isEmpty else { return }
        if tools.contains(where: { $0["function"]?["name"]?.stringValue == Self.exitToolName }) { return }
        request.editArray("tools") { $0.append(Self.exitTool) }
        switch request["tool_choice"] {
        case nil, .string("auto")?: request["tool_choice"] = "required"
        default: break
        }
        request.editArray("messages") { SystemMessage.append(Self.reminder, to: &$0) }
    }

    public func transformResponse(_ response: inout JSONObject, context: TransformerContext) {
        response.editArray("choices") { choices in
            for index in choices.indices {
                choices[index].editObject { choice in
                    var replaced = false
                    var othersRemain = false
                    choice.editObject("message") { message in
                        guard let calls = message["tool_calls"]?.arrayValue else { return }
                        var texts: [String] = []
                        var kept: [JSONValue] = []
                        for call in calls {
                            if call["function"]?["name"]?.stringValue == Self.exitToolName {
                                texts.append(Self.reply(fromArguments: OpenAIChatChunkEditing.arguments(of: call)))
                            } else {
                                kept.append(call)
                            }
                        }
                        guard !texts.isEmpty else { return }
                        replaced = true
                        othersRemain = !kept.isEmpty
                        let existing = message["content"]?.stringValue ?? ""
                        message["content"] = .string(([existing] + texts).filter { !$0.isEmpty }.joined(separator: "\n\n"))
                        if kept.isEmpty { message.removeValue(forKey: "tool_calls") } else { message["tool_calls"] = .array(kept) }
                    }
                    if replaced && !othersRemain && choice["finish_reason"]?.stringValue == "tool_calls" { choice["finish_reason"] = "stop" }
                }
            }
        }
    }

    public func makeStreamStage(context: TransformerContext) -> (any TransformerStreamStage)? {
        Stage()
    }

    /// The text of an `ExitTool` call: its `response` argument (repaired if need be), or the raw
    /// arguments when there is none.
    static func reply(fromArguments arguments: String) -> String {
        if let object = ToolArgumentsRepair.parse(arguments) {
            if let text = object["response"]?.stringValue { return text }
            if let value = object["response"] { return value.jsonString() }
        }
        return arguments
    }

    /// Holds `ExitTool` calls' arguments and sends them on as text when the call ends.
    struct Stage: TransformerStreamStage {
        /// Stream keys of `ExitTool` calls.
        var exitKeys: Set<Int> = []
        /// The `ExitTool` call being received, and its arguments so far.
        var held: (key: Int, arguments: String)?
        var sawOtherTool = false
        var template: JSONValue?

        mutating func transform(_ chunk: JSONValue, into output: inout [JSONValue]) {
            if self.template == nil { self.template = chunk }
            let calls = OpenAIChatChunkEditing.toolCalls(chunk)
            var chunk = chunk
            if calls.isEmpty {
                if self.held != nil && (OpenAIChatChunkEditing.hasContent(chunk) || OpenAIChatChunkEditing.finishReason(chunk) != nil) {
                    self.release(into: &output)
                }
            } else {
                var kept: [JSONValue] = []
                for (position, call) in calls.enumerated() {
                    let key = OpenAIChatChunkEditing.key(of: call, position: position)
                    if call["function"]?["name"]?.stringValue == ToolUseTransformer.exitToolName { self.exitKeys.insert(key) }
                    if self.exitKeys.contains(key) {
                        if let held = self.held, held.key != key { self.release(into: &output) }
                        self.held = (key, (self.held?.arguments ?? "") + OpenAIChatChunkEditing.arguments(of: call))
                    } else {
                        if self.held != nil { self.release(into: &output) }
                        self.sawOtherTool = true
                        kept.append(call)
                    }
                }
                if kept.count != calls.count {
                    OpenAIChatChunkEditing.editDelta(&chunk) { delta in
                        if kept.isEmpty { delta.removeValue(forKey: "tool_calls") } else { delta["tool_calls"] = .array(kept) }
                    }
                }
                if self.held != nil, OpenAIChatChunkEditing.finishReason(chunk) != nil { self.release(into: &output) }
            }
            if !self.exitKeys.isEmpty && !self.sawOtherTool && OpenAIChatChunkEditing.finishReason(chunk) == "tool_calls" {
                OpenAIChatChunkEditing.editChoice(&chunk) { $0["finish_reason"] = "stop" }
            }
            output.append(chunk)
        }

        mutating func finish(into output: inout [JSONValue]) {
            self.release(into: &output)
        }

        /// Sends the held `ExitTool` call on as text.
        private mutating func release(into output: inout [JSONValue]) {
            guard let held = self.held, let template = self.template else { return }
            self.held = nil
            let text = ToolUseTransformer.reply(fromArguments: held.arguments)
            guard !text.isEmpty else { return }
            output.append(OpenAIChatChunkEditing.chunk(like: template, delta: ["content": .string(text)]))
        }
    }
}
