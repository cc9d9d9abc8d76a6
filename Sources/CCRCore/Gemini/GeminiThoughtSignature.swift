/// What Gemini needs back from an answer on the next turn, carried inside the `signature` of an
/// Anthropic thinking block (Claude Code echoes signatures unchanged).
///
/// Gemini signs its reasoning with an opaque `thoughtSignature` that sits on a part of the answer:
/// the first function call of a step, a text part, the last (possibly empty) part, or a thought
/// part. It must go back on the same kind of part ("Function call is missing a thought_signature").
/// Anthropic has no place for a signature outside thinking blocks, so each one travels in a
/// thinking block placed before the part it belongs to, together with that part's kind: the
/// request encoder then puts it back on the right part even when the thinking blocks of a
/// non-streamed message were moved to the front.
public struct GeminiThoughtSignature: Sendable, Equatable {
    /// The kind of part the signature came on.
    public enum Anchor: String, Sendable {
        /// A `functionCall` part: it goes back on the next function call.
        case functionCall = "c"
        /// A text part (answer text, or the empty part Gemini ends some streams with).
        case text = "t"
        /// A `thought: true` part.
        case thought = "h"
        /// No part: a thinking block whose thoughts came without a signature.
        case none = "n"
    }

    public static let prefix = "ccrgemini1."

    public var anchor: Anchor
    /// Gemini's `thoughtSignature`, as Gemini sent it.
    public var value: String?

    public init(anchor: Anchor, value: String?) {
        self.anchor = anchor
        self.value = value.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The signature string: `ccrgemini1.` + the anchor + `.` + the thought signature (base64,
    /// which never contains a dot).
    public var encoded: String {
        Self.prefix + self.anchor.rawValue + "." + (self.value ?? "")
    }

    /// Reads a signature written by ``encoded``; `nil` for any other signature (Anthropic's own,
    /// another adapter's).
    public init?(decoding signature: String) {
        guard signature.hasPrefix(Self.prefix) else { return nil }
        let rest = signature.dropFirst(Self.prefix.count)
        guard let dot = rest.firstIndex(of: "."), let anchor = Anchor(rawValue: String(rest[..<dot])) else { return nil }
        self.init(anchor: anchor, value: String(rest[rest.index(after: dot)...]))
    }
}
