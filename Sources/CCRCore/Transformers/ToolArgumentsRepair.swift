/// Turns the arguments text a model wrote for a tool call into a JSON object's text, repairing what
/// models get wrong: JSON5 syntax (single quotes, trailing commas, unquoted keys, comments), a
/// Markdown code fence around the JSON, a JSON object encoded a second time as a string, and text
/// cut off mid-way (open strings, arrays and objects are closed; a dangling key is dropped).
///
/// Text that is already a JSON object is returned unchanged, byte for byte. What cannot be read at
/// all becomes `{"raw": "<the text>"}`, as ``ToolInput`` does for non-streamed answers, so nothing
/// the model wrote is lost.
public enum ToolArgumentsRepair {
    /// The arguments as JSON object text.
    public static func repair(_ text: String) -> String {
        if let value = Self.object(text) {
            return value.text ?? value.object.jsonString()
        }
        return JSONValue.object(["raw": .string(text)]).jsonString()
    }

    /// The arguments as a JSON object, or `nil` when they cannot be read.
    public static func parse(_ text: String) -> JSONObject? {
        Self.object(text).flatMap { $0.object.objectValue }
    }

    /// The parsed object, and the original text when that was valid as it stands.
    private static func object(_ text: String, depth: Int = 0) -> (object: JSONValue, text: String?)? {
        var trimmed = text.trimmingSpaces()
        if trimmed.isEmpty { return (.object([:]), nil) }
        if let value = try? JSONParser.parse(trimmed) {
            switch value {
            case .object: return (value, trimmed == text ? text : trimmed)
            case .string(let inner) where depth == 0: return Self.object(inner, depth: 1).map { ($0.object, nil) }
            default: return nil
            }
        }
        trimmed = Self.withoutCodeFence(trimmed)
        if let value = try? JSONParser.parse(trimmed, syntax: .json5), case .object = value {
            return (value, nil)
        }
        let closed = Self.closingTruncated(trimmed)
        if let value = try? JSONParser.parse(closed, syntax: .json5), case .object = value {
            return (value, nil)
        }
        return nil
    }

    /// The text inside a ```` ```json … ``` ```` fence, or the text itself.
    static func withoutCodeFence(_ text: String) -> String {
        guard text.hasPrefix("```") else { return text }
        var body = text.drop(while: { $0 != "\n" })
        if body.hasSuffix("```") { body = body.dropLast(3) }
        return String(body).trimmingSpaces()
    }

    /// Completes JSON (or JSON5) text that was cut off: closes an open string, drops what cannot
    /// be completed (a trailing comma, a key without its value, half a number), completes a
    /// half-written `true`/`false`/`null`, and closes every open array and object.
    static func closingTruncated(_ text: String) -> String {
        var out = Array(text.utf8)
        var stack: [UInt8] = []
        var quote: UInt8? = nil
        var escaped = false
        /// Where the last string began, and whether it stands where a key would.
        var lastStringStart = 0
        var lastStringIsKey = false
        var index = 0
        while index < out.count {
            let byte = out[index]
            if let open = quote {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == open {
                    quote = nil
                }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                quote = byte
                lastStringStart = index
                lastStringIsKey = stack.last == UInt8(ascii: "{") && Self.previousSignificant(out, before: index).map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: ",") } ?? false
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                stack.append(byte)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !stack.isEmpty { stack.removeLast() }
            default:
                break
            }
            index += 1
        }
        if quote != nil {
            if escaped { out.removeLast() }
            if lastStringIsKey {
                // A key cut off: drop it.
                out.removeSubrange(lastStringStart...)
            } else {
                out.append(quote ?? UInt8(ascii: "\""))
            }
        }
        Self.dropIncompleteTail(&out, insideObject: stack.last == UInt8(ascii: "{"))
        for open in stack.reversed() {
            out.append(open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func previousSignificant(_ bytes: [UInt8], before index: Int) -> UInt8? {
        var position = index - 1
        while position >= 0 {
            if !Self.isSpace(bytes[position]) { return bytes[position] }
            position -= 1
        }
        return nil
    }

    /// Removes the unfinished end of the text: a comma, a `key:` with no value, a key alone, half a
    /// number; completes a half-written literal.
    private static func dropIncompleteTail(_ out: inout [UInt8], insideObject: Bool) {
        while true {
            while let last = out.last, Self.isSpace(last) { out.removeLast() }
            guard let last = out.last else { return }
            if last == UInt8(ascii: ",") {
                out.removeLast()
                continue
            }
            if last == UInt8(ascii: ":") {
                out.removeLast()
                Self.dropKey(&out)
                continue
            }
            if insideObject, last == UInt8(ascii: "\"") || last == UInt8(ascii: "'"), Self.endsWithBareKey(out) {
                Self.dropKey(&out)
                continue
            }
            // A bare word or number at the end.
            var start = out.count
            while start > 0, Self.isWordByte(out[start - 1]) { start -= 1 }
            if start < out.count {
                let word = String(decoding: out[start...], as: UTF8.self)
                if let literal = ["true", "false", "null"].first(where: { $0.hasPrefix(word) && $0 != word }) {
                    out.replaceSubrange(start..., with: Array(literal.utf8))
                    return
                }
                if word.first.map({ $0.isNumber || $0 == "-" }) == true {
                    while let end = out.last, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "-"), UInt8(ascii: "+")].contains(end) {
                        out.removeLast()
                    }
                    if out.count == start { continue }
                    return
                }
                if insideObject, Self.previousSignificant(out, before: start).map({ $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: ",") }) == true {
                    // An unquoted key cut off.
                    out.removeSubrange(start...)
                    continue
                }
            }
            return
        }
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "$")
    }

    /// Whether the text ends with a quoted string that stands where a key would (after `{` or `,`).
    private static func endsWithBareKey(_ out: [UInt8]) -> Bool {
        guard let start = Self.startOfTrailingString(out) else { return false }
        return Self.previousSignificant(out, before: start).map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: ",") } ?? false
    }

    /// Removes the key at the end of the text (quoted or bare), and a comma before it.
    private static func dropKey(_ out: inout [UInt8]) {
        while let last = out.last, Self.isSpace(last) { out.removeLast() }
        if let last = out.last, last == UInt8(ascii: "\"") || last == UInt8(ascii: "'"), let start = Self.startOfTrailingString(out) {
            out.removeSubrange(start...)
        } else {
            while let last = out.last, Self.isWordByte(last) { out.removeLast() }
        }
    }

    /// Where the quoted string that ends the text begins.
    private static func startOfTrailingString(_ out: [UInt8]) -> Int? {
        guard let quote = out.last, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { return nil }
        var position = out.count - 2
        while position >= 0 {
            if out[position] == quote {
                var backslashes = 0
                var before = position - 1
                while before >= 0, out[before] == UInt8(ascii: "\\") {
                    backslashes += 1
                    before -= 1
                }
                if backslashes % 2 == 0 { return position }
            }
            position -= 1
        }
        return nil
    }
}
