import CCRCore
import Testing

@Suite("SSE decoding")
struct SSEDecoderTests {
    static let text = "event: a\r\ndata: {\"x\":1}\r\n\r\n: comment\ndata: line1\ndata: line2\n\nevent: c\rdata: [DONE]\r\r"

    @Test(arguments: [0, 1, 2, 3, 5, 7])
    func decodesLFCRLFAndCRHoweverTheBytesAreSplit(pieceSize: Int) {
        let bytes = Array(Self.text.utf8)
        var decoder = SSEDecoder()
        var events: [SSEEvent] = []
        let pieces = pieceSize == 0 ? [bytes[...]] : stride(from: 0, to: bytes.count, by: pieceSize).map { bytes[$0..<min($0 + pieceSize, bytes.count)] }
        for piece in pieces { events += decoder.feed(piece) }
        #expect(events.map(\.event) == ["a", nil, "c"])
        #expect(events.map { String(decoding: $0.data, as: UTF8.self) } == [#"{"x":1}"#, "line1\nline2", "[DONE]"])
        #expect(events.last?.isDone == true)
        #expect(decoder.finish() == nil)
    }

    @Test func anUnterminatedLastEventIsReturnedByFinish() {
        var decoder = SSEDecoder()
        #expect(decoder.feed(Array("data: {\"y\":2}".utf8)).isEmpty)
        #expect(decoder.finish() == SSEEvent(event: nil, data: Array(#"{"y":2}"#.utf8)))
    }
}
