/// One server-sent event: its `event:` name (if any) and its `data:` lines joined by newlines.
public struct SSEEvent: Sendable, Equatable {
    public var event: String?
    public var data: [UInt8]

    public init(event: String?, data: [UInt8]) {
        self.event = event
        self.data = data
    }

    /// `true` for OpenAI's end marker `data: [DONE]`.
    public var isDone: Bool {
        self.data.count == 6 && self.data.elementsEqual("[DONE]".utf8)
    }
}

/// Splits a byte stream into server-sent events, however the bytes are chunked.
///
/// Lines may end in LF, CRLF or CR; comment lines (`:`) and unknown fields are skipped; an event
/// ends at a blank line. Partial lines are kept until the rest arrives.
public struct SSEDecoder: Sendable {
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventName: String?
    private var lastWasCR = false

    public init() {}

    /// Feeds bytes; returns the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        self.feed(bytes) { events.append($0) }
        return events
    }

    /// Feeds bytes, calling `emit` for each event completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>, emit: (SSEEvent) -> Void) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            self.feed(buffer: UnsafeRawBufferPointer(buffer), emit: emit)
        }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { self.feed(buffer: $0, emit: emit) }
        }
    }

    /// The fast path: scans for line ends and copies whole runs, not byte by byte.
    public mutating func feed(buffer: UnsafeRawBufferPointer, emit: (SSEEvent) -> Void) {
        var index = 0
        let count = buffer.count
        while index < count {
            if self.lastWasCR {
                self.lastWasCR = false
                if buffer[index] == 0x0A {
                    index += 1
                    continue
                }
            }
            var end = index
            while end < count {
                let byte = buffer[end]
                if byte == 0x0A || byte == 0x0D { break }
                end += 1
            }
            if end > index { self.line.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index..<end])) }
            guard end < count else { return }
            if buffer[end] == 0x0D { self.lastWasCR = true }
            self.endLine(emit)
            index = end + 1
        }
    }

    /// The event left when the stream ends without a final blank line, if any.
    public mutating func finish() -> SSEEvent? {
        var result: SSEEvent?
        if !self.line.isEmpty { self.endLine { result = $0 } }
        if self.hasData || self.eventName != nil {
            result = SSEEvent(event: self.eventName, data: self.data)
            self.reset()
        }
        return result
    }

    private mutating func reset() {
        self.data.removeAll(keepingCapacity: true)
        self.hasData = false
        self.eventName = nil
    }

    private mutating func endLine(_ emit: (SSEEvent) -> Void) {
        defer { self.line.removeAll(keepingCapacity: true) }
        if self.line.isEmpty {
            if self.hasData || self.eventName != nil {
                emit(SSEEvent(event: self.eventName, data: self.data))
            }
            self.reset()
            return
        }
        if self.line[0] == UInt8(ascii: ":") { return }
        let colon = self.line.firstIndex(of: UInt8(ascii: ":")) ?? self.line.count
        var valueStart = colon + 1
        if valueStart < self.line.count && self.line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let field = self.line[0..<colon]
        if field.elementsEqual("data".utf8) {
            if self.hasData { self.data.append(0x0A) }
            if valueStart < self.line.count { self.data.append(contentsOf: self.line[valueStart...]) }
            self.hasData = true
        } else if field.elementsEqual("event".utf8) {
            self.eventName = valueStart < self.line.count ? String(decoding: self.line[valueStart...], as: UTF8.self) : ""
        }
    }
}
