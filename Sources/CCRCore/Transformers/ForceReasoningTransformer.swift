/// `forcereasoning`: makes a model without a reasoning mode reason in the open. The request asks
/// the model to think inside `<reasoning_content>…</reasoning_content>` before it answers; the
/// answer's tagged part becomes a thinking block.
///
/// The stream stage renames the tags to `<think>`/`</think>` as the content streams (however they
/// are split across chunks), and ccr's OpenAI Chat adapter turns `<think>` text into thinking as it
/// does for any provider. Claude Code sends those thinking blocks back on later turns; the adapter
/// writes them into the assistant message as `<think>…</think>`, and this transformer renames them
/// to `<reasoning_content>` there too, so the model sees its earlier reasoning in the form it was
/// asked for (the original re-inserted up to ten of them).
public struct ForceReasoningTransformer: Transformer {
    public static let name = "forcereasoning"
    static let openTag = "<reasoning_content>"
    static let closeTag = "</reasoning_content>"

    /// The instruction added to the system message.
    static let instruction = """
        Before every answer, reason step by step about the request inside \(openTag)…\(closeTag) tags. \
        Write the tags exactly, once, at the very start of your reply. After the closing tag, give your answer \
        (or make your tool calls) without repeating the reasoning.
        """

    public init(options: JSONObject) {}

    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {
        request.editArray("messages") { messages in
            SystemMessage.append(Self.instruction, to: &messages)
            for index in messages.indices where messages[index]["role"] == "assistant" {
                messages[index].editObject { message in
                    guard let text = message["content"]?.stringValue, text.hasPrefix("<think>"), let end = text.range(of: "</think>") else { return }
                    let inner = text[text.index(text.startIndex, offsetBy: "<think>".count)..<end.lowerBound]
                    message["content"] = .string(Self.openTag + inner + Self.closeTag + text[end.upperBound...])
                }
            }
        }
    }

    public func transformResponse(_ response: inout JSONObject, context: TransformerContext) {
        response.editArray("choices") { choices in
            for index in choices.indices {
                choices[index].editObject { choice in
                    choice.editObject("message") { message in
                        guard let text = message["content"]?.stringValue else { return }
                        var renamer = TagRenamer()
                        message["content"] = .string(renamer.feed(text) + renamer.finish())
                    }
                }
            }
        }
    }

    public func makeStreamStage(context: TransformerContext) -> (any TransformerStreamStage)? {
        Stage()
    }

    /// Rewrites `<reasoning_content>` tags in streamed content as `<think>` tags.
    struct Stage: TransformerStreamStage {
        var renamer = TagRenamer()
        var template: JSONValue?

        mutating func transform(_ chunk: JSONValue, into output: inout [JSONValue]) {
            if self.template == nil { self.template = chunk }
            guard let index = OpenAIChatChunkEditing.choiceIndex(chunk),
                let text = chunk["choices"]?.arrayValue?[index]["delta"]?["content"]?.stringValue, !text.isEmpty
            else {
                output.append(chunk)
                return
            }
            var chunk = chunk
            let renamed = self.renamer.feed(text)
            OpenAIChatChunkEditing.editDelta(&chunk) { $0["content"] = .string(renamed) }
            output.append(chunk)
        }

        mutating func finish(into output: inout [JSONValue]) {
            let rest = self.renamer.finish()
            guard !rest.isEmpty, let template else { return }
            output.append(OpenAIChatChunkEditing.chunk(like: template, delta: ["content": .string(rest)]))
        }
    }

    /// Renames the tags in text that arrives in pieces, holding back only what may be part of a tag.
    struct TagRenamer: Sendable {
        private var splitter = ThinkTagSplitter(open: ForceReasoningTransformer.openTag, close: ForceReasoningTransformer.closeTag)
        private var inside = false

        /// The renamed text for one piece.
        mutating func feed(_ text: String) -> String {
            var out = ""
            var splitter = self.splitter
            splitter.feed(text) { self.append($0, to: &out) }
            self.splitter = splitter
            if self.inside && !splitter.inside {
                out += "</think>"
                self.inside = false
            }
            return out
        }

        /// What is held back, at the end (and a closing tag the model left out).
        mutating func finish() -> String {
            var out = ""
            var splitter = self.splitter
            splitter.flush { self.append($0, to: &out) }
            self.splitter = splitter
            if self.inside {
                out += "</think>"
                self.inside = false
            }
            return out
        }

        private mutating func append(_ piece: ThinkTagSplitter.Piece, to out: inout String) {
            switch piece {
            case .thinking(let text):
                if !self.inside {
                    out += "<think>"
                    self.inside = true
                }
                out += text
            case .text(let text):
                if self.inside {
                    out += "</think>"
                    self.inside = false
                }
                out += text
            }
        }
    }
}
