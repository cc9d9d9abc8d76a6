/// Parses JSON (strict, RFC 8259) or JSON5 bytes into a ``JSONValue``.
///
/// One parser serves the request path (strict, fast, no bookkeeping) and the config file
/// (JSON5: comments, trailing commas, single quotes, unquoted keys, hex, `Infinity`; with the
/// source position of every value recorded by JSON path, so validation can say `line:column`).
public struct JSONParser {
    /// Which grammar to accept.
    public enum Syntax: Sendable {
        case json
        case json5
    }

    /// Parses a document.
    /// - Parameters:
    ///   - bytes: UTF-8 text.
    ///   - syntax: `.json` for wire bodies, `.json5` for config files.
    /// - Returns: the value.
    /// - Throws: ``JSONParseError`` with the position of the first problem.
    public static func parse(_ bytes: some Collection<UInt8>, syntax: Syntax = .json) throws(JSONParseError) -> JSONValue {
        try Self.run(bytes, syntax: syntax, positions: false).0
    }

    /// Parses a string.
    public static func parse(_ text: String, syntax: Syntax = .json) throws(JSONParseError) -> JSONValue {
        try Self.parse(Array(text.utf8), syntax: syntax)
    }

    /// Parses a document and records where each value starts, keyed by JSON path
    /// (`Providers[1].api_key`; the root is `$`).
    public static func parseWithPositions(
        _ bytes: some Collection<UInt8>,
        syntax: Syntax = .json5
    ) throws(JSONParseError) -> (JSONValue, JSONSourceMap) {
        let (value, map) = try Self.run(bytes, syntax: syntax, positions: true)
        return (value, map ?? JSONSourceMap(offsets: [:], text: []))
    }

    private static func run(
        _ bytes: some Collection<UInt8>,
        syntax: Syntax,
        positions: Bool
    ) throws(JSONParseError) -> (JSONValue, JSONSourceMap?) {
        let array = Array(bytes)
        let result: Result<(JSONValue, [String: Int]), JSONParseError> = array.withUnsafeBufferPointer { buffer in
            var parser = Scanner(buffer: buffer, json5: syntax == .json5, recordPositions: positions)
            do throws(JSONParseError) {
                let value = try parser.parseDocument()
                return .success((value, parser.offsets))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let (value, offsets)):
            return (value, positions ? JSONSourceMap(offsets: offsets, text: array) : nil)
        case .failure(let error):
            throw error.located(in: array)
        }
    }
}

/// Where values start in a parsed document, for messages that point at the source.
public struct JSONSourceMap: Sendable {
    let offsets: [String: Int]
    let text: [UInt8]

    /// The 1-based line and column where the value at `path` starts, or `nil` when the path does
    /// not exist in the source (a default, or a key that was never written).
    public func location(of path: String) -> JSONSourceLocation? {
        guard let offset = self.offsets[path] else { return nil }
        return JSONSourceLocation(offset: offset, in: self.text)
    }
}

/// A 1-based line and column in a source text.
public struct JSONSourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    init(offset: Int, in text: [UInt8]) {
        var line = 1
        var column = 1
        var index = 0
        let end = min(offset, text.count)
        while index < end {
            let byte = text[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // count characters, not UTF-8 continuation bytes
                column += 1
            }
            index += 1
        }
        self.line = line
        self.column = column
    }

    public var description: String { "\(self.line):\(self.column)" }
}

/// A syntax error with the place it was found.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public var message: String
    /// Byte offset of the problem.
    public var offset: Int
    /// Line and column of the problem (filled in once the text is known).
    public var location: JSONSourceLocation?

    public init(message: String, offset: Int, location: JSONSourceLocation? = nil) {
        self.message = message
        self.offset = offset
        self.location = location
    }

    func located(in text: [UInt8]) -> JSONParseError {
        var copy = self
        copy.location = JSONSourceLocation(offset: self.offset, in: text)
        return copy
    }

    public var description: String {
        if let location { return "\(self.message) at \(location)" }
        return "\(self.message) at byte \(self.offset)"
    }
}

// MARK: - The scanner

private struct Scanner {
    let buffer: UnsafeBufferPointer<UInt8>
    let json5: Bool
    let recordPositions: Bool
    var index = 0
    var depth = 0
    var offsets: [String: Int] = [:]

    static let maximumDepth = 512

    init(buffer: UnsafeBufferPointer<UInt8>, json5: Bool, recordPositions: Bool) {
        self.buffer = buffer
        self.json5 = json5
        self.recordPositions = recordPositions
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        // A UTF-8 byte order mark is tolerated (editors on Windows write one).
        if self.buffer.count >= 3, self.buffer[0] == 0xEF, self.buffer[1] == 0xBB, self.buffer[2] == 0xBF {
            self.index = 3
        }
        try self.skipWhitespace()
        guard self.index < self.buffer.count else { throw self.error("empty document") }
        let value = try self.parseValue(path: "$")
        try self.skipWhitespace()
        if self.index < self.buffer.count {
            throw self.error("unexpected '\(self.printable(self.buffer[self.index]))' after the end of the document")
        }
        return value
    }

    func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(message: message, offset: offset ?? self.index)
    }

    func printable(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return String(UnicodeScalar(byte)) }
        return "\\u{\(String(byte, radix: 16))}"
    }

    @inline(__always) func peek() -> UInt8? {
        self.index < self.buffer.count ? self.buffer[self.index] : nil
    }

    mutating func skipWhitespace() throws(JSONParseError) {
        while self.index < self.buffer.count {
            let byte = self.buffer[self.index]
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09:
                self.index += 1
            case UInt8(ascii: "/") where self.json5:
                guard self.index + 1 < self.buffer.count else { throw self.error("unexpected '/'") }
                let next = self.buffer[self.index + 1]
                if next == UInt8(ascii: "/") {
                    self.index += 2
                    while self.index < self.buffer.count && self.buffer[self.index] != 0x0A { self.index += 1 }
                } else if next == UInt8(ascii: "*") {
                    let start = self.index
                    self.index += 2
                    while true {
                        guard self.index + 1 < self.buffer.count else {
                            throw self.error("unterminated /* comment", at: start)
                        }
                        if self.buffer[self.index] == UInt8(ascii: "*") && self.buffer[self.index + 1] == UInt8(ascii: "/") {
                            self.index += 2
                            break
                        }
                        self.index += 1
                    }
                } else {
                    throw self.error("unexpected '/'")
                }
            case 0x0B where self.json5, 0x0C where self.json5:
                self.index += 1
            case 0xC2 where self.json5 && self.index + 1 < self.buffer.count && self.buffer[self.index + 1] == 0xA0:
                self.index += 2  // no-break space
            default:
                return
            }
        }
    }

    mutating func parseValue(path: @autoclosure () -> String) throws(JSONParseError) -> JSONValue {
        guard let byte = self.peek() else { throw self.error("unexpected end of input, expected a value") }
        if self.recordPositions { self.offsets[path()] = self.index }
        switch byte {
        case UInt8(ascii: "{"):
            // Paths are only built when positions are recorded (config files), never on the request path.
            return try self.parseObject(path: self.recordPositions ? path() : "")
        case UInt8(ascii: "["):
            return try self.parseArray(path: self.recordPositions ? path() : "")
        case UInt8(ascii: "\""):
            return .string(try self.parseString(quote: byte))
        case UInt8(ascii: "'") where self.json5:
            return .string(try self.parseString(quote: byte))
        case UInt8(ascii: "t"):
            try self.expectKeyword("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try self.expectKeyword("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try self.expectKeyword("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try self.parseNumber()
        case UInt8(ascii: "+") where self.json5, UInt8(ascii: ".") where self.json5, UInt8(ascii: "I") where self.json5,
            UInt8(ascii: "N") where self.json5:
            return try self.parseNumber()
        default:
            throw self.error("unexpected '\(self.printable(byte))', expected a value")
        }
    }

    mutating func expectKeyword(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        let start = word.utf8Start
        guard self.index + count <= self.buffer.count else { throw self.error("invalid literal") }
        for offset in 0..<count where self.buffer[self.index + offset] != start[offset] {
            throw self.error("invalid literal, expected '\(word)'")
        }
        self.index += count
    }

    mutating func enter() throws(JSONParseError) {
        self.depth += 1
        if self.depth > Self.maximumDepth { throw self.error("nesting deeper than \(Self.maximumDepth) levels") }
    }

    mutating func parseObject(path: String) throws(JSONParseError) -> JSONValue {
        try self.enter()
        defer { self.depth -= 1 }
        self.index += 1  // {
        var members: [JSONObject.Member] = []
        try self.skipWhitespace()
        if self.peek() == UInt8(ascii: "}") {
            self.index += 1
            return .object(JSONObject(members))
        }
        while true {
            try self.skipWhitespace()
            guard let byte = self.peek() else { throw self.error("unterminated object, expected a key or '}'") }
            let key: String
            if byte == UInt8(ascii: "\"") || (self.json5 && byte == UInt8(ascii: "'")) {
                key = try self.parseString(quote: byte)
            } else if self.json5 && byte == UInt8(ascii: "}") && !members.isEmpty {
                self.index += 1  // trailing comma
                return .object(JSONObject(members))
            } else if self.json5 && Self.isIdentifierStart(byte) {
                key = self.parseIdentifier()
            } else {
                throw self.error("expected a quoted key, found '\(self.printable(byte))'")
            }
            try self.skipWhitespace()
            guard self.peek() == UInt8(ascii: ":") else { throw self.error("expected ':' after the key \"\(key)\"") }
            self.index += 1
            try self.skipWhitespace()
            let value = try self.parseValue(path: JSONPath.key(path, key))
            if let existing = members.firstIndex(where: { $0.key == key }) {
                members[existing].value = value  // last one wins, as in JavaScript
            } else {
                members.append(JSONObject.Member(key: key, value: value))
            }
            try self.skipWhitespace()
            guard let next = self.peek() else { throw self.error("unterminated object, expected ',' or '}'") }
            if next == UInt8(ascii: ",") {
                self.index += 1
                if !self.json5 {
                    try self.skipWhitespace()
                    if self.peek() == UInt8(ascii: "}") { throw self.error("trailing comma in object") }
                }
                continue
            }
            if next == UInt8(ascii: "}") {
                self.index += 1
                return .object(JSONObject(members))
            }
            throw self.error("expected ',' or '}' in object, found '\(self.printable(next))'")
        }
    }

    mutating func parseArray(path: String) throws(JSONParseError) -> JSONValue {
        try self.enter()
        defer { self.depth -= 1 }
        self.index += 1  // [
        var elements: [JSONValue] = []
        try self.skipWhitespace()
        if self.peek() == UInt8(ascii: "]") {
            self.index += 1
            return .array(elements)
        }
        while true {
            try self.skipWhitespace()
            if self.json5 && self.peek() == UInt8(ascii: "]") && !elements.isEmpty {
                self.index += 1
                return .array(elements)
            }
            let position = elements.count
            elements.append(try self.parseValue(path: JSONPath.index(path, position)))
            try self.skipWhitespace()
            guard let next = self.peek() else { throw self.error("unterminated array, expected ',' or ']'") }
            if next == UInt8(ascii: ",") {
                self.index += 1
                if !self.json5 {
                    try self.skipWhitespace()
                    if self.peek() == UInt8(ascii: "]") { throw self.error("trailing comma in array") }
                }
                continue
            }
            if next == UInt8(ascii: "]") {
                self.index += 1
                return .array(elements)
            }
            throw self.error("expected ',' or ']' in array, found '\(self.printable(next))'")
        }
    }

    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte >= 0x80
    }

    static func isIdentifierPart(_ byte: UInt8) -> Bool {
        Self.isIdentifierStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    mutating func parseIdentifier() -> String {
        let start = self.index
        while self.index < self.buffer.count && Self.isIdentifierPart(self.buffer[self.index]) { self.index += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: self.buffer[start..<self.index]), as: UTF8.self)
    }

    mutating func parseString(quote: UInt8) throws(JSONParseError) -> String {
        let start = self.index
        self.index += 1
        let contentStart = self.index
        // Fast path: no escapes.
        while self.index < self.buffer.count {
            let byte = self.buffer[self.index]
            if byte == quote {
                let slice = UnsafeBufferPointer(rebasing: self.buffer[contentStart..<self.index])
                self.index += 1
                return try self.validatedString(slice, start: contentStart)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 {
                if byte == 0x0A || byte == 0x0D || !self.json5 {
                    throw self.error("unescaped control character in string")
                }
            }
            self.index += 1
        }
        guard self.index < self.buffer.count else { throw self.error("unterminated string", at: start) }
        // Slow path: escapes.
        var bytes = [UInt8](UnsafeBufferPointer(rebasing: self.buffer[contentStart..<self.index]))
        while self.index < self.buffer.count {
            let byte = self.buffer[self.index]
            if byte == quote {
                self.index += 1
                return try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in
                    try self.validatedString(buffer, start: contentStart)
                }
            }
            if byte < 0x20 && (byte == 0x0A || byte == 0x0D || !self.json5) {
                throw self.error("unescaped control character in string")
            }
            if byte != UInt8(ascii: "\\") {
                bytes.append(byte)
                self.index += 1
                continue
            }
            self.index += 1
            guard let escaped = self.peek() else { break }
            self.index += 1
            switch escaped {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): bytes.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try self.parseHex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate must be followed by \u and a low surrogate.
                    if self.index + 1 < self.buffer.count && self.buffer[self.index] == UInt8(ascii: "\\")
                        && self.buffer[self.index + 1] == UInt8(ascii: "u")
                    {
                        self.index += 2
                        let low = try self.parseHex4()
                        if low >= 0xDC00 && low < 0xE000 {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            Self.appendUTF8(0xFFFD, to: &bytes)
                            scalar = low
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    scalar = 0xFFFD
                }
                Self.appendUTF8(scalar, to: &bytes)
            case UInt8(ascii: "'") where self.json5: bytes.append(UInt8(ascii: "'"))
            case UInt8(ascii: "v") where self.json5: bytes.append(0x0B)
            case UInt8(ascii: "0") where self.json5: bytes.append(0)
            case 0x0A where self.json5: break  // line continuation
            case 0x0D where self.json5:
                if self.peek() == 0x0A { self.index += 1 }
            case UInt8(ascii: "x") where self.json5:
                guard self.index + 2 <= self.buffer.count,
                    let high = Self.hexDigit(self.buffer[self.index]), let low = Self.hexDigit(self.buffer[self.index + 1])
                else { throw self.error("invalid \\x escape") }
                self.index += 2
                Self.appendUTF8(UInt32(high * 16 + low), to: &bytes)
            default:
                if self.json5 {
                    bytes.append(escaped)
                } else {
                    throw self.error("invalid escape '\\\(self.printable(escaped))'", at: self.index - 2)
                }
            }
        }
        throw self.error("unterminated string", at: start)
    }

    func validatedString(_ bytes: UnsafeBufferPointer<UInt8>, start: Int) throws(JSONParseError) -> String {
        // `String(validating:)` refuses invalid UTF-8; the request path must never turn bad bytes
        // into a crash or silently into U+FFFD where it changes meaning, so refuse the document.
        if let string = String(validating: bytes, as: UTF8.self) { return string }
        throw self.error("invalid UTF-8 in string", at: start)
    }

    static func hexDigit(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard self.index + 4 <= self.buffer.count else { throw self.error("truncated \\u escape") }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = Self.hexDigit(self.buffer[self.index + offset]) else {
                throw self.error("invalid \\u escape")
            }
            value = value * 16 + UInt32(digit)
        }
        self.index += 4
        return value
    }

    static func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
        let value = UnicodeScalar(scalar) ?? "\u{FFFD}"
        bytes.append(contentsOf: UTF8.encode(value)!)
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = self.index
        var negative = false
        if self.peek() == UInt8(ascii: "-") {
            negative = true
            self.index += 1
        } else if self.json5 && self.peek() == UInt8(ascii: "+") {
            self.index += 1
        }
        if self.json5 {
            if self.peek() == UInt8(ascii: "I") {
                try self.expectKeyword("Infinity")
                return .double(negative ? -.infinity : .infinity)
            }
            if self.peek() == UInt8(ascii: "N") {
                try self.expectKeyword("NaN")
                return .double(.nan)
            }
            if self.peek() == UInt8(ascii: "0"), self.index + 1 < self.buffer.count,
                self.buffer[self.index + 1] | 0x20 == UInt8(ascii: "x")
            {
                self.index += 2
                var value = 0
                var digits = 0
                while let byte = self.peek(), let digit = Self.hexDigit(byte) {
                    value = value &* 16 &+ digit
                    digits += 1
                    self.index += 1
                }
                guard digits > 0 else { throw self.error("invalid hexadecimal number", at: start) }
                return .int(negative ? -value : value)
            }
        }
        var isInteger = true
        let integerStart = self.index
        while let byte = self.peek(), byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { self.index += 1 }
        let integerDigits = self.index - integerStart
        if integerDigits == 0 && !(self.json5 && self.peek() == UInt8(ascii: ".")) {
            throw self.error("invalid number", at: start)
        }
        if !self.json5 && integerDigits > 1 && self.buffer[integerStart] == UInt8(ascii: "0") {
            throw self.error("leading zeros are not allowed in numbers", at: start)
        }
        if self.peek() == UInt8(ascii: ".") {
            isInteger = false
            self.index += 1
            let fractionStart = self.index
            while let byte = self.peek(), byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { self.index += 1 }
            if self.index == fractionStart && (!self.json5 || integerDigits == 0) {
                throw self.error("expected digits after '.'", at: start)
            }
        }
        if let byte = self.peek(), byte | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            self.index += 1
            if let sign = self.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { self.index += 1 }
            let exponentStart = self.index
            while let byte = self.peek(), byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { self.index += 1 }
            if self.index == exponentStart { throw self.error("expected digits in exponent", at: start) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: self.buffer[start..<self.index]), as: UTF8.self)
        if isInteger, integerDigits <= 18, let value = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text) {
            return .int(value)
        }
        let cleaned = text.hasPrefix("+") ? String(text.dropFirst()) : text
        guard let value = Double(cleaned) else { throw self.error("invalid number", at: start) }
        return .double(value)
    }
}
