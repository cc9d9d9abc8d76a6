/// Encodes ``JSONValue``s as compact JSON, appending to a byte buffer.
///
/// Strings are written as UTF-8 with only the escapes JSON requires; numbers in their shortest
/// round-trip form; non-finite doubles (which JSON cannot express) as `null`.
public struct JSONWriter: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]

    public init(capacity: Int = 256) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
    }

    /// Appends one value.
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: self.appendLiteral("null")
        case .bool(let b): self.appendLiteral(b ? "true" : "false")
        case .int(let i): self.writeInt(i)
        case .double(let d): self.writeDouble(d)
        case .string(let s): self.writeString(s)
        case .array(let elements):
            self.bytes.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { self.bytes.append(UInt8(ascii: ",")) }
                first = false
                self.write(element)
            }
            self.bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            self.writeObject(object)
        }
    }

    /// Appends an object.
    public mutating func writeObject(_ object: JSONObject) {
        self.bytes.append(UInt8(ascii: "{"))
        var first = true
        for member in object.members {
            if !first { self.bytes.append(UInt8(ascii: ",")) }
            first = false
            self.writeString(member.key)
            self.bytes.append(UInt8(ascii: ":"))
            self.write(member.value)
        }
        self.bytes.append(UInt8(ascii: "}"))
    }

    /// Appends raw bytes that are already valid JSON.
    @inlinable public mutating func appendRaw(_ raw: some Sequence<UInt8>) {
        self.bytes.append(contentsOf: raw)
    }

    /// Appends ASCII text as is (punctuation, keys known to need no escaping).
    @inlinable public mutating func appendLiteral(_ literal: StaticString) {
        literal.withUTF8Buffer { self.bytes.append(contentsOf: $0) }
    }

    /// Appends an integer in decimal.
    public mutating func writeInt(_ value: Int) {
        if value >= 0 && value < 10 {
            self.bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        self.bytes.append(contentsOf: String(value).utf8)
    }

    /// Appends a double in its shortest round-trip form; integral values without a fraction.
    public mutating func writeDouble(_ value: Double) {
        guard value.isFinite else {
            self.appendLiteral("null")
            return
        }
        if value.rounded() == value && abs(value) < 1e15 {
            self.writeInt(Int(value))
            return
        }
        self.bytes.append(contentsOf: value.description.utf8)
    }

    /// Appends a quoted, escaped string.
    public mutating func writeString(_ string: String) {
        self.bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                    index += 1
                    continue
                }
                if runStart < index { self.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                self.bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): self.bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): self.bytes.append(UInt8(ascii: "\\"))
                case 0x0A: self.bytes.append(UInt8(ascii: "n"))
                case 0x0D: self.bytes.append(UInt8(ascii: "r"))
                case 0x09: self.bytes.append(UInt8(ascii: "t"))
                case 0x08: self.bytes.append(UInt8(ascii: "b"))
                case 0x0C: self.bytes.append(UInt8(ascii: "f"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    self.bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
                index += 1
                runStart = index
            }
            if runStart < utf8.count { self.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count])) }
        }
        self.bytes.append(UInt8(ascii: "\""))
    }
}

extension JSONValue {
    /// The compact JSON encoding of this value.
    public func encoded() -> [UInt8] {
        var writer = JSONWriter()
        writer.write(self)
        return writer.bytes
    }

    /// The compact JSON encoding as a string.
    public func jsonString() -> String {
        String(decoding: self.encoded(), as: UTF8.self)
    }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { self.jsonString() }
}
