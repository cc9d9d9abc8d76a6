/// Counts the input tokens of an Anthropic Messages request with ``CL100kTokenizer``: the same
/// estimate claude-code-router makes to pick a long-context model.
///
/// What is counted, each piece tokenized on its own and the counts summed:
/// - `system`: a string, or the `text` of each `text` block;
/// - every message, whatever its role (Claude Code also sends `"role": "system"` messages): string
///   content, or per block `text` → its text, `thinking` → its thinking, `tool_use` → its name and
///   the compact JSON of its `input`, `tool_result` → its string content or the `text` of each
///   `text` block in it; other blocks (images, documents, `redacted_thinking`, server tool blocks)
///   count nothing;
/// - `tools`: name, description and the compact JSON of `input_schema` (server tools, which have
///   none, count their name).
///
/// Compact JSON is ``JSONWriter``'s output. Pieces of at least ``TokenCountCache/minimumBytes``
/// are looked up in a ``TokenCountCache`` first, so the system prompt and tool schemas that come
/// back on every turn are tokenized once.
public struct RequestTokenCounter: Sendable {
    /// A counted piece of a request.
    public enum Piece: Sendable, Equatable {
        /// Text, counted as is.
        case text(String)
        /// A value, counted as its compact JSON.
        case json(JSONValue)
    }

    /// The tokenizer.
    public let tokenizer: CL100kTokenizer
    /// The memo of long pieces' counts, if any.
    public let cache: TokenCountCache?

    /// - Parameters:
    ///   - tokenizer: the tokenizer.
    ///   - cache: where long pieces' counts are kept; `nil` to tokenize everything every time.
    public init(tokenizer: CL100kTokenizer, cache: TokenCountCache? = TokenCountCache()) {
        self.tokenizer = tokenizer
        self.cache = cache
    }

    /// A counter over ``CL100kTokenizer/shared`` with a process-wide cache.
    public static var shared: RequestTokenCounter {
        get throws(TokenizerError) { try Self.sharedResult.get() }
    }

    private static let sharedResult = Result { () throws(TokenizerError) -> RequestTokenCounter in
        RequestTokenCounter(tokenizer: try CL100kTokenizer.shared, cache: TokenCountCache())
    }

    /// The number of input tokens of a request body; 0 for anything but an object.
    public func count(_ request: JSONValue) -> Int {
        guard case .object(let object) = request else { return 0 }
        return self.count(object)
    }

    /// The number of input tokens of a request body.
    public func count(_ request: JSONObject) -> Int {
        var total = 0
        Self.forEachPiece(of: request) { piece in
            switch piece {
            case .text(let text): total += self.count(text: text)
            case .json(let value): total += self.count(json: value)
            }
        }
        return total
    }

    /// The pieces counted for a request, in order.
    public static func pieces(of request: JSONObject) -> [Piece] {
        var pieces: [Piece] = []
        Self.forEachPiece(of: request) { pieces.append($0) }
        return pieces
    }

    /// Calls `body` with each piece counted for a request, in order.
    public static func forEachPiece(of request: JSONObject, _ body: (Piece) -> Void) {
        switch request["system"] {
        case .string(let text)?:
            body(.text(text))
        case .array(let blocks)?:
            for block in blocks where block["type"] == "text" {
                if let text = block["text"]?.stringValue { body(.text(text)) }
            }
        default:
            break
        }
        for message in request["messages"]?.arrayValue ?? [] {
            switch message["content"] {
            case .string(let text)?:
                body(.text(text))
            case .array(let blocks)?:
                for block in blocks { Self.forEachPiece(ofBlock: block, body) }
            default:
                break
            }
        }
        for tool in request["tools"]?.arrayValue ?? [] {
            guard case .object(let tool) = tool else { continue }
            if let name = tool["name"]?.stringValue { body(.text(name)) }
            if let description = tool["description"]?.stringValue { body(.text(description)) }
            if let schema = tool["input_schema"] { body(.json(schema)) }
        }
    }

    private static func forEachPiece(ofBlock block: JSONValue, _ body: (Piece) -> Void) {
        guard case .object(let block) = block, let type = block["type"]?.stringValue else { return }
        switch type {
        case "text":
            if let text = block["text"]?.stringValue { body(.text(text)) }
        case "thinking":
            if let thinking = block["thinking"]?.stringValue { body(.text(thinking)) }
        case "tool_use":
            if let name = block["name"]?.stringValue { body(.text(name)) }
            if let input = block["input"] { body(.json(input)) }
        case "tool_result":
            switch block["content"] {
            case .string(let text)?:
                body(.text(text))
            case .array(let inner)?:
                for item in inner where item["type"] == "text" {
                    if let text = item["text"]?.stringValue { body(.text(text)) }
                }
            default:
                break
            }
        default:
            break
        }
    }

    private func count(text: String) -> Int {
        guard let cache = self.cache, text.utf8.count >= cache.minimumBytes else { return self.tokenizer.count(text) }
        return cache.count(text) { self.tokenizer.count($0) }
    }

    private func count(json value: JSONValue) -> Int {
        var writer = JSONWriter(capacity: 1_024)
        writer.write(value)
        guard let cache = self.cache, writer.bytes.count >= cache.minimumBytes else {
            return writer.bytes.withUnsafeBufferPointer { self.tokenizer.count(utf8: $0) }
        }
        return cache.count(String(decoding: writer.bytes, as: UTF8.self)) { self.tokenizer.count($0) }
    }
}
