/// Reads an Anthropic answer as it passes to the client, without changing it: the token usage
/// (`message_start` and `message_delta` events of a stream, or a message's `usage`), the model it
/// names, the first content delta, an `error` event; and, when asked, the open block
/// (``AnthropicStreamTracker``). A stream's bytes are decoded once for all of these.
///
/// Later usage reports win field by field (a converted stream's `message_start` carries an
/// estimate, its `message_delta` the provider's figures).
public struct AnthropicUsageObserver: Sendable {
    private var decoder = SSEDecoder()
    private var body: [UInt8] = []
    private let isEventStream: Bool
    /// Bodies of non-streamed answers are kept up to this size to read their usage.
    static let bodyLimit = 8 << 20
    public private(set) var usage: AnthropicUsage?
    /// The `model` the answer names (the provider's own name for what ran).
    public private(set) var model: String?
    /// Whether a content delta (text, thinking, tool input) has passed: the first token.
    public private(set) var sawContent = false
    /// The message of an `error` event in the stream, if one passed.
    public private(set) var errorMessage: String?
    /// The blocks of the stream, when tracked.
    public private(set) var blocks: AnthropicStreamTracker?

    /// - Parameter tracksBlocks: follow the stream's blocks too (``blocks``).
    public init(isEventStream: Bool, tracksBlocks: Bool = false) {
        self.isEventStream = isEventStream
        self.blocks = isEventStream && tracksBlocks ? AnthropicStreamTracker() : nil
    }

    /// Feeds bytes sent to the client.
    public mutating func feed(_ buffer: UnsafeRawBufferPointer) {
        if self.isEventStream {
            var seen: [JSONValue] = []
            var content = false
            var model: String?
            var failure: String?
            var blocks = self.blocks
            self.decoder.feed(buffer: buffer) { event in
                blocks?.note(event)
                if event.event == "content_block_delta" {
                    content = true
                    return
                }
                if event.event == "error" {
                    let value = try? JSONParser.parse(event.data)
                    failure = value?["error"]?["message"]?.stringValue ?? String(decoding: event.data.prefix(300), as: UTF8.self)
                    return
                }
                guard event.event == "message_start" || event.event == "message_delta",
                    let value = try? JSONParser.parse(event.data)
                else { return }
                if let named = value["message"]?["model"]?.stringValue { model = named }
                seen.append(value["message"]?["usage"] ?? value["usage"] ?? .null)
            }
            self.blocks = blocks
            for usage in seen { self.merge(usage) }
            if content { self.sawContent = true }
            if let model { self.model = model }
            if let failure, self.errorMessage == nil { self.errorMessage = failure }
        } else if self.body.count + buffer.count <= Self.bodyLimit {
            self.body.append(contentsOf: buffer)
        }
    }

    /// The usage seen, after the last bytes.
    public mutating func finish() -> AnthropicUsage? {
        if !self.isEventStream, !self.body.isEmpty, let value = try? JSONParser.parse(self.body) {
            self.merge(value["usage"] ?? .null)
            self.model = value["model"]?.stringValue
            self.body = []
        }
        return self.usage
    }

    /// The usage of a whole message.
    public static func usage(ofMessage message: JSONValue) -> AnthropicUsage? {
        var observer = AnthropicUsageObserver(isEventStream: false)
        observer.merge(message["usage"] ?? .null)
        return observer.usage
    }

    mutating func merge(_ usage: JSONValue) {
        guard case .object = usage else { return }
        var merged = self.usage ?? AnthropicUsage()
        if let n = usage["input_tokens"]?.intValue, n > 0 { merged.inputTokens = n }
        if let n = usage["output_tokens"]?.intValue, n > 0 { merged.outputTokens = n }
        if let n = usage["cache_read_input_tokens"]?.intValue, n > 0 { merged.cacheReadInputTokens = n }
        if let n = usage["cache_creation_input_tokens"]?.intValue, n > 0 { merged.cacheCreationInputTokens = n }
        self.usage = merged
    }
}

extension AnthropicUsage {
    /// Everything the prompt took: fresh input plus cache reads and writes.
    public var totalInputTokens: Int {
        self.inputTokens + self.cacheReadInputTokens + self.cacheCreationInputTokens
    }
}
