/// Follows an Anthropic event stream on its way to the client, to end it properly when the
/// provider fails mid-stream: which block is open, whether `message_start` went out. It is fed the
/// events ``AnthropicUsageObserver`` decodes, so the bytes are decoded once.
public struct AnthropicStreamTracker: Sendable {
    public private(set) var started = false
    public private(set) var openBlock: Int?
    public private(set) var finished = false

    public init() {}

    /// Notes one event sent to the client.
    public mutating func note(_ event: SSEEvent) {
        switch event.event {
        case "message_start": self.started = true
        case "content_block_start":
            self.openBlock = (try? JSONParser.parse(event.data))?["index"]?.intValue ?? self.openBlock
        case "content_block_stop": self.openBlock = nil
        case "message_stop": self.finished = true
        default: break
        }
    }

    /// The events that end the stream after a failure: the open block stopped, then `error`.
    public func closingEvents(for error: AnthropicError) -> [UInt8] {
        var bytes: [UInt8] = []
        if let index = self.openBlock {
            bytes += Array("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":\(index)}\n\n".utf8)
        }
        return bytes + error.sseEvent
    }
}
