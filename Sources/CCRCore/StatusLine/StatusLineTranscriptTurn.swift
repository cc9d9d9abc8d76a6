/// The last assistant turn of a Claude Code transcript (a JSONL file): the model that answered
/// and its token usage. The original's source for the status line; ccr's fallback when the
/// server has no record of the session.
public struct StatusLineTranscriptTurn: Sendable, Equatable {
    /// `message.model` of the entry.
    public var model: String
    /// `input_tokens` + `cache_read_input_tokens` + `cache_creation_input_tokens`.
    public var inputTokens: Int?
    public var outputTokens: Int?

    public init(model: String, inputTokens: Int? = nil, outputTokens: Int? = nil) {
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    /// Finds the last `type: "assistant"` entry with a real model (not Claude Code's
    /// `<synthetic>` messages), walking the lines backwards.
    /// - Parameters:
    ///   - tail: the end of the file (or all of it).
    ///   - startsMidLine: `true` when `tail` does not begin at the start of the file, so its
    ///     first line is a fragment and skipped.
    public static func last(inTail tail: some Collection<UInt8>, startsMidLine: Bool) -> StatusLineTranscriptTurn? {
        let bytes = Array(tail)
        let marker = Array("\"assistant\"".utf8)
        var end = bytes.count
        while end > 0 {
            var start = end
            while start > 0 && bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
            let isFragment = start == 0 && startsMidLine
            if !isFragment, Self.contains(marker, in: bytes[start..<end]), let entry = try? JSONParser.parse(bytes[start..<end]),
                let turn = Self(entry: entry)
            {
                return turn
            }
            end = start > 0 ? start - 1 : 0
        }
        return nil
    }

    /// A plain byte search, so that lines without an assistant entry are never parsed.
    private static func contains(_ pattern: [UInt8], in line: ArraySlice<UInt8>) -> Bool {
        guard let first = pattern.first, line.count >= pattern.count else { return false }
        var index = line.startIndex
        while index <= line.endIndex - pattern.count {
            if line[index] == first && line[index..<index + pattern.count].elementsEqual(pattern) { return true }
            index += 1
        }
        return false
    }

    /// Reads one transcript entry; `nil` unless it is an assistant message with a model.
    public init?(entry: JSONValue) {
        guard entry["type"]?.stringValue == "assistant", let message = entry["message"],
            let model = message["model"]?.stringValue, !model.isEmpty, model != "<synthetic>"
        else { return nil }
        let usage = message["usage"]
        let input = ["input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"].compactMap { usage?[$0]?.intValue }
        self.init(model: model, inputTokens: input.isEmpty ? nil : input.reduce(0, +), outputTokens: usage?["output_tokens"]?.intValue)
    }
}
