extension AnthropicSSEWriter {
    /// Starts a `server_tool_use` block (a tool the provider ran itself, such as web search);
    /// its input follows as `input_json_delta`s, like a client tool's.
    public mutating func startServerToolUse(index: Int, id: String, name: String) {
        self.writer.appendLiteral("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":")
        self.writer.writeInt(index)
        self.writer.appendLiteral(",\"content_block\":{\"type\":\"server_tool_use\",\"id\":")
        self.writer.writeString(id)
        self.writer.appendLiteral(",\"name\":")
        self.writer.writeString(name)
        self.writer.appendLiteral(",\"input\":{}}}\n\n")
    }

    /// Starts a block that is complete in its `content_block_start` (the `*_tool_result` blocks of
    /// server tools); it is stopped next, with no deltas.
    public mutating func startCompleteBlock(index: Int, _ block: JSONValue) {
        self.writer.appendLiteral("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":")
        self.writer.writeInt(index)
        self.writer.appendLiteral(",\"content_block\":")
        self.writer.write(block)
        self.writer.appendLiteral("}\n\n")
    }
}
