/// Removes secrets from text before it is logged or sent back.
///
/// Known secrets (provider keys, `APIKEY`) are replaced wherever they appear; besides, anything
/// that looks like a bearer token or an API key (`sk-…`, `Bearer …`, `key=…`, `AIza…`) is masked.
/// Works on UTF-8 bytes: it runs on every log line, and the common case (nothing to hide) must be
/// a single scan.
public struct Redactor: Sendable {
    public let secrets: [String]
    private let secretBytes: [[UInt8]]
    private static let markers: [[UInt8]] = ["Bearer ", "sk-", "key=", "AIza"].map { Array($0.utf8) }

    public init(secrets: [String]) {
        // Longest first, so a key that contains another is replaced whole.
        self.secrets = Array(Set(secrets.filter { $0.count >= 4 })).sorted { $0.count > $1.count }
        self.secretBytes = self.secrets.map { Array($0.utf8) }
    }

    public func redact(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            guard self.needsWork(bytes) else { return String(decoding: bytes, as: UTF8.self) }
            return self.rewrite(Array(bytes))
        }
    }

    private func needsWork(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for needle in self.secretBytes where Self.find(needle, in: bytes, from: 0) != nil { return true }
        for needle in Self.markers where Self.find(needle, in: bytes, from: 0) != nil { return true }
        return false
    }

    private func rewrite(_ input: [UInt8]) -> String {
        var bytes = input
        for (secret, needle) in zip(self.secrets, self.secretBytes) {
            let label = Array(Self.fingerprintLabel(secret).utf8)
            var out: [UInt8] = []
            var index = 0
            bytes.withUnsafeBufferPointer { buffer in
                while let found = Self.find(needle, in: buffer, from: index) {
                    out.append(contentsOf: buffer[index..<found])
                    out.append(contentsOf: label)
                    index = found + needle.count
                }
                out.append(contentsOf: buffer[index...])
            }
            bytes = out
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        bytes.withUnsafeBufferPointer { buffer in
            while index < buffer.count {
                guard let (at, marker) = Self.markers.compactMap({ m in Self.find(m, in: buffer, from: index).map { ($0, m) } }).min(by: { $0.0 < $1.0 }) else {
                    out.append(contentsOf: buffer[index...])
                    return
                }
                out.append(contentsOf: buffer[index..<(at + marker.count)])
                var end = at + marker.count
                while end < buffer.count, Self.isTokenByte(buffer[end]) { end += 1 }
                if end - (at + marker.count) >= 6 {
                    out.append(contentsOf: Array("[redacted]".utf8))
                } else {
                    out.append(contentsOf: buffer[(at + marker.count)..<end])
                }
                index = end
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "+"), UInt8(ascii: "="):
            return true
        default:
            return byte >= 0x80
        }
    }

    /// The first position of `needle` in `haystack` at or after `start`.
    static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var offset = 1
                while offset < needle.count && haystack[index + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return index }
            }
            index += 1
        }
        return nil
    }

    /// `[redacted …abcd]`: the last four characters, enough to tell keys apart.
    static func fingerprintLabel(_ secret: String) -> String {
        "[redacted …\(secret.suffix(4))]"
    }
}
