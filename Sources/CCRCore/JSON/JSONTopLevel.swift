/// Finds the members of a JSON document's top-level object without decoding their values.
///
/// This is what lets an Anthropic-compatible passthrough change `model` and send every other
/// byte exactly as the client wrote it.
public enum JSONTopLevel {
    /// The byte range of one member's value.
    public struct MemberSpan: Sendable, Equatable {
        public var key: String
        public var valueRange: Range<Int>
    }

    /// The spans of every top-level member, in order; `nil` if the document is not an object or
    /// is not well-formed at the top level.
    public static func members(of bytes: [UInt8]) -> [MemberSpan]? {
        bytes.withUnsafeBufferPointer { buffer in
            var cursor = SkipCursor(buffer: buffer)
            return cursor.topLevelMembers()
        }
    }

    /// A copy of `bytes` with the top-level string member `key` set to `value` (replaced in place
    /// when present, inserted first otherwise). `nil` if the document is not an object.
    public static func replacingString(_ key: String, with value: String, in bytes: [UInt8]) -> [UInt8]? {
        guard let members = Self.members(of: bytes) else { return nil }
        var writer = JSONWriter(capacity: 0)
        writer.writeString(value)
        if let span = members.first(where: { $0.key == key }) {
            var out = [UInt8]()
            out.reserveCapacity(bytes.count + writer.bytes.count)
            out.append(contentsOf: bytes[0..<span.valueRange.lowerBound])
            out.append(contentsOf: writer.bytes)
            out.append(contentsOf: bytes[span.valueRange.upperBound...])
            return out
        }
        guard let open = bytes.firstIndex(of: UInt8(ascii: "{")) else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + writer.bytes.count + key.utf8.count + 4)
        out.append(contentsOf: bytes[0...open])
        var keyWriter = JSONWriter(capacity: 0)
        keyWriter.writeString(key)
        out.append(contentsOf: keyWriter.bytes)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: writer.bytes)
        if !members.isEmpty { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: bytes[(open + 1)...])
        return out
    }
}

/// Walks JSON structurally, skipping over values.
private struct SkipCursor {
    let buffer: UnsafeBufferPointer<UInt8>
    var index = 0

    mutating func skipWhitespace() {
        while self.index < self.buffer.count {
            switch self.buffer[self.index] {
            case 0x20, 0x0A, 0x0D, 0x09: self.index += 1
            default: return
            }
        }
    }

    mutating func topLevelMembers() -> [JSONTopLevel.MemberSpan]? {
        self.skipWhitespace()
        guard self.index < self.buffer.count, self.buffer[self.index] == UInt8(ascii: "{") else { return nil }
        self.index += 1
        var spans: [JSONTopLevel.MemberSpan] = []
        self.skipWhitespace()
        if self.index < self.buffer.count && self.buffer[self.index] == UInt8(ascii: "}") { return spans }
        while true {
            self.skipWhitespace()
            guard self.index < self.buffer.count, self.buffer[self.index] == UInt8(ascii: "\"") else { return nil }
            let keyStart = self.index
            guard self.skipString() else { return nil }
            guard let keyValue = try? JSONParser.parse(UnsafeBufferPointer(rebasing: self.buffer[keyStart..<self.index])),
                let key = keyValue.stringValue
            else { return nil }
            self.skipWhitespace()
            guard self.index < self.buffer.count, self.buffer[self.index] == UInt8(ascii: ":") else { return nil }
            self.index += 1
            self.skipWhitespace()
            let valueStart = self.index
            guard self.skipValue() else { return nil }
            spans.append(.init(key: key, valueRange: valueStart..<self.index))
            self.skipWhitespace()
            guard self.index < self.buffer.count else { return nil }
            if self.buffer[self.index] == UInt8(ascii: ",") {
                self.index += 1
                continue
            }
            if self.buffer[self.index] == UInt8(ascii: "}") { return spans }
            return nil
        }
    }

    mutating func skipString() -> Bool {
        self.index += 1
        while self.index < self.buffer.count {
            let byte = self.buffer[self.index]
            if byte == UInt8(ascii: "\\") {
                self.index += 2
                continue
            }
            self.index += 1
            if byte == UInt8(ascii: "\"") { return true }
        }
        return false
    }

    mutating func skipValue() -> Bool {
        guard self.index < self.buffer.count else { return false }
        switch self.buffer[self.index] {
        case UInt8(ascii: "\""):
            return self.skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while self.index < self.buffer.count {
                let byte = self.buffer[self.index]
                if byte == UInt8(ascii: "\"") {
                    guard self.skipString() else { return false }
                    continue
                }
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
                if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 {
                        self.index += 1
                        return true
                    }
                }
                self.index += 1
            }
            return false
        default:
            let start = self.index
            while self.index < self.buffer.count {
                switch self.buffer[self.index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09:
                    return self.index > start
                default:
                    self.index += 1
                }
            }
            return self.index > start
        }
    }
}
