/// `enhancetool`: repairs the tool call arguments models get wrong (``ToolArgumentsRepair``: JSON5,
/// single quotes, trailing commas, unquoted keys, code fences, text cut off mid-way), so Claude
/// Code receives JSON it can use.
///
/// In a stream only the arguments wait: each call's id and name go on at once (Claude Code shows
/// the call starting), its arguments are collected until the call ends (the next call, text, the
/// finish reason or the end of the stream) and then sent in one piece, repaired. Text and thinking
/// are never held back. (The original held back every tool call chunk.)
public struct EnhanceToolTransformer: Transformer {
    public static let name = "enhancetool"

    public init(options: JSONObject) {}

    public func transformResponse(_ response: inout JSONObject, context: TransformerContext) {
        response.editArray("choices") { choices in
            for index in choices.indices {
                choices[index].editObject { choice in
                    choice.editObject("message") { message in
                        message.editArray("tool_calls") { calls in
                            for call in calls.indices {
                                guard let text = calls[call]["function"]?["arguments"]?.stringValue else { continue }
                                calls[call].editObject { $0.editObject("function") { $0["arguments"] = .string(ToolArgumentsRepair.repair(text)) } }
                            }
                        }
                    }
                }
            }
        }
    }

    public func makeStreamStage(context: TransformerContext) -> (any TransformerStreamStage)? {
        Stage()
    }

    /// Holds the arguments of the tool call being received.
    struct Stage: TransformerStreamStage {
        var held: (key: Int, arguments: String)?
        var template: JSONValue?

        mutating func transform(_ chunk: JSONValue, into output: inout [JSONValue]) {
            if self.template == nil { self.template = chunk }
            if let error = chunk["error"], !error.isNull {
                self.release(into: &output)
                output.append(chunk)
                return
            }
            let calls = OpenAIChatChunkEditing.toolCalls(chunk)
            guard !calls.isEmpty else {
                if OpenAIChatChunkEditing.hasContent(chunk) || OpenAIChatChunkEditing.finishReason(chunk) != nil { self.release(into: &output) }
                output.append(chunk)
                return
            }
            // The chunk without its tool calls and finish reason; they follow, in that order.
            var rest = chunk
            let finish = OpenAIChatChunkEditing.finishReason(chunk)
            OpenAIChatChunkEditing.editChoice(&rest) { choice in
                choice.removeValue(forKey: "finish_reason")
                choice.editObject("delta") { $0.removeValue(forKey: "tool_calls") }
            }
            if OpenAIChatChunkEditing.hasContent(rest) {
                self.release(into: &output)
                output.append(rest)
            } else if let usage = rest["usage"], !usage.isNull {
                output.append(rest)
            }
            for (position, call) in calls.enumerated() {
                let key = OpenAIChatChunkEditing.key(of: call, position: position)
                if let held = self.held, held.key != key { self.release(into: &output) }
                let fragment = OpenAIChatChunkEditing.arguments(of: call)
                var start = call
                start.editObject { object in
                    object["index"] = .int(key)
                    object.editObject("function") { $0.removeValue(forKey: "arguments") }
                }
                if start["id"] != nil || start["function"]?["name"] != nil {
                    output.append(Self.toolChunk(like: chunk, call: start))
                }
                self.held = (key, (self.held?.arguments ?? "") + fragment)
            }
            if let finish {
                self.release(into: &output)
                output.append(OpenAIChatChunkEditing.chunk(like: chunk, delta: [:], finishReason: finish))
            }
        }

        mutating func finish(into output: inout [JSONValue]) {
            self.release(into: &output)
        }

        /// Sends the held call's arguments, repaired.
        private mutating func release(into output: inout [JSONValue]) {
            guard let held = self.held, let template = self.template else { return }
            self.held = nil
            let call: JSONValue = ["index": .int(held.key), "function": ["arguments": .string(ToolArgumentsRepair.repair(held.arguments))]]
            output.append(Self.toolChunk(like: template, call: call))
        }

        static func toolChunk(like template: JSONValue, call: JSONValue) -> JSONValue {
            OpenAIChatChunkEditing.chunk(like: template, delta: ["tool_calls": [call]])
        }
    }
}
