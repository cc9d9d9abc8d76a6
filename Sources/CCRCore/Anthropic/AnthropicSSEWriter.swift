/// Writes Anthropic Messages stream events (`event: …\ndata: {…}\n\n`) into a byte buffer.
///
/// The event templates are literal bytes; only the variable parts go through ``JSONWriter``, so a
/// text delta costs one string escape and a few appends.
public struct AnthropicSSEWriter: Sendable {
    public var writer = JSONWriter(capacity: 512)

    public init() {}

    /// The bytes written since the last ``take()``, emptying the buffer.
    public mutating func take() -> [UInt8] {
        defer { self.writer.bytes.removeAll(keepingCapacity: true) }
        return self.writer.bytes
    }

    public var isEmpty: Bool { self.writer.bytes.isEmpty }

    public mutating func messageStart(id: String, model: String, inputTokens: Int) {
        self.writer.appendLiteral("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":")
        self.writer.writeString(id)
        self.writer.appendLiteral(",\"type\":\"message\",\"role\":\"assistant\",\"model\":")
        self.writer.writeString(model)
        self.writer.appendLiteral(",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":")
        self.writer.writeInt(inputTokens)
        self.writer.appendLiteral(",\"output_tokens\":0}}}\n\n")
    }

    public mutating func ping() {
        self.writer.appendLiteral("event: ping\ndata: {\"type\":\"ping\"}\n\n")
    }

    public mutating func startText(index: Int) {
        self.startPrefix(index)
        self.writer.appendLiteral("{\"type\":\"text\",\"text\":\"\"}}\n\n")
    }

    public mutating func startThinking(index: Int) {
        self.startPrefix(index)
        self.writer.appendLiteral("{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n")
    }

    public mutating func startToolUse(index: Int, id: String, name: String) {
        self.startPrefix(index)
        self.writer.appendLiteral("{\"type\":\"tool_use\",\"id\":")
        self.writer.writeString(id)
        self.writer.appendLiteral(",\"name\":")
        self.writer.writeString(name)
        self.writer.appendLiteral(",\"input\":{}}}\n\n")
    }

    private mutating func startPrefix(_ index: Int) {
        self.writer.appendLiteral("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":")
        self.writer.writeInt(index)
        self.writer.appendLiteral(",\"content_block\":")
    }

    private mutating func deltaPrefix(_ index: Int) {
        self.writer.appendLiteral("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":")
        self.writer.writeInt(index)
    }

    public mutating func textDelta(index: Int, _ text: String) {
        self.deltaPrefix(index)
        self.writer.appendLiteral(",\"delta\":{\"type\":\"text_delta\",\"text\":")
        self.writer.writeString(text)
        self.writer.appendLiteral("}}\n\n")
    }

    public mutating func thinkingDelta(index: Int, _ text: String) {
        self.deltaPrefix(index)
        self.writer.appendLiteral(",\"delta\":{\"type\":\"thinking_delta\",\"thinking\":")
        self.writer.writeString(text)
        self.writer.appendLiteral("}}\n\n")
    }

    public mutating func signatureDelta(index: Int, _ signature: String) {
        self.deltaPrefix(index)
        self.writer.appendLiteral(",\"delta\":{\"type\":\"signature_delta\",\"signature\":")
        self.writer.writeString(signature)
        self.writer.appendLiteral("}}\n\n")
    }

    public mutating func inputJSONDelta(index: Int, _ partial: String) {
        self.deltaPrefix(index)
        self.writer.appendLiteral(",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":")
        self.writer.writeString(partial)
        self.writer.appendLiteral("}}\n\n")
    }

    public mutating func stopBlock(index: Int) {
        self.writer.appendLiteral("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":")
        self.writer.writeInt(index)
        self.writer.appendLiteral("}\n\n")
    }

    public mutating func messageDelta(stopReason: String, usage: AnthropicUsage) {
        self.writer.appendLiteral("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":")
        self.writer.writeString(stopReason)
        self.writer.appendLiteral(",\"stop_sequence\":null},\"usage\":")
        self.writer.write(usage.json)
        self.writer.appendLiteral("}\n\n")
    }

    public mutating func messageStop() {
        self.writer.appendLiteral("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
    }

    public mutating func error(_ error: AnthropicError) {
        self.writer.appendRaw(error.sseEvent)
    }
}

/// Token counts in Anthropic's terms: `input_tokens` excludes cache reads and writes.
public struct AnthropicUsage: Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var cacheReadInputTokens: Int
    public var cacheCreationInputTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cacheReadInputTokens: Int = 0, cacheCreationInputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadInputTokens = cacheReadInputTokens
        self.cacheCreationInputTokens = cacheCreationInputTokens
    }

    public var json: JSONValue {
        [
            "input_tokens": .int(self.inputTokens), "output_tokens": .int(self.outputTokens),
            "cache_read_input_tokens": .int(self.cacheReadInputTokens),
            "cache_creation_input_tokens": .int(self.cacheCreationInputTokens),
        ]
    }
}
