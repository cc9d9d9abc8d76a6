/// Builds the complete Anthropic message that an Anthropic event stream describes.
///
/// Used where a client wants one JSON message but the provider streamed anyway, and to read the
/// outcome (usage, stop reason) of a stream that was relayed.
public struct AnthropicMessageAccumulator: Sendable {
    private var message: JSONObject = [:]
    private var blocks: [JSONObject] = []
    private var partialJSON: [Int: String] = [:]
    private var decoder = SSEDecoder()
    /// The error event the stream ended with, if any.
    public private(set) var error: JSONValue?

    public init() {}

    /// Feeds raw SSE bytes.
    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        var decoder = self.decoder
        decoder.feed(bytes) { self.consume($0) }
        self.decoder = decoder
    }

    mutating func consume(_ event: SSEEvent) {
        guard let data = try? JSONParser.parse(event.data) else { return }
        switch data["type"]?.stringValue {
        case "message_start":
            self.message = data["message"]?.objectValue ?? [:]
        case "content_block_start":
            guard let index = data["index"]?.intValue, index == self.blocks.count, let block = data["content_block"]?.objectValue else { return }
            self.blocks.append(block)
        case "content_block_delta":
            guard let index = data["index"]?.intValue, index < self.blocks.count, let delta = data["delta"] else { return }
            switch delta["type"]?.stringValue {
            case "text_delta":
                self.blocks[index]["text"] = .string((self.blocks[index]["text"]?.stringValue ?? "") + (delta["text"]?.stringValue ?? ""))
            case "thinking_delta":
                self.blocks[index]["thinking"] = .string((self.blocks[index]["thinking"]?.stringValue ?? "") + (delta["thinking"]?.stringValue ?? ""))
            case "signature_delta":
                self.blocks[index]["signature"] = .string((self.blocks[index]["signature"]?.stringValue ?? "") + (delta["signature"]?.stringValue ?? ""))
            case "input_json_delta":
                self.partialJSON[index, default: ""] += delta["partial_json"]?.stringValue ?? ""
            default:
                break
            }
        case "content_block_stop":
            guard let index = data["index"]?.intValue, index < self.blocks.count else { return }
            if let raw = self.partialJSON.removeValue(forKey: index) {
                self.blocks[index]["input"] = ToolInput.object(fromArguments: raw)
            }
        case "message_delta":
            if let delta = data["delta"]?.objectValue {
                for member in delta.members { self.message[member.key] = member.value }
            }
            if let usage = data["usage"]?.objectValue {
                var merged = self.message["usage"]?.objectValue ?? [:]
                for member in usage.members { merged[member.key] = member.value }
                self.message["usage"] = .object(merged)
            }
        case "error":
            self.error = data["error"]
        default:
            break
        }
    }

    /// The message so far.
    public var result: JSONValue {
        var message = self.message
        message["content"] = .array(self.blocks.map(JSONValue.object))
        return .object(message)
    }

    /// The usage reported so far (from `message_start`, updated by `message_delta`).
    public var usage: JSONValue? { self.message["usage"] }
}
