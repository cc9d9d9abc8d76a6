/// A colour as a theme writes it: a name from the 16-colour set (`red`, `bright_blue`, with or
/// without a `bg_` prefix), one of the original's extra names (`bg_bright_orange` is 202,
/// `bg_bright_purple` 129 in the 256-colour table), or `#rrggbb` / `#rgb` (`bg_#…` and the bare
/// digits are accepted too).
public enum StatusLineColor: Sendable, Equatable {
    /// An index in the 256-colour table (0–15 are the named colours).
    case palette(Int)
    /// A 24-bit colour.
    case rgb(UInt8, UInt8, UInt8)

    private static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
    private static let extraNames = ["bright_orange": 202, "bright_purple": 129]

    /// Parses a colour; `nil` for anything else.
    public init?(_ text: String) {
        var name = text.trimmingSpaces().lowercased()
        if name.hasPrefix("bg_") { name.removeFirst(3) }
        if let index = Self.names.firstIndex(of: name) {
            self = .palette(index)
        } else if name.hasPrefix("bright_"), let index = Self.names.firstIndex(of: String(name.dropFirst(7))) {
            self = .palette(8 + index)
        } else if let index = Self.extraNames[name] {
            self = .palette(index)
        } else if let (r, g, b) = Self.hex(name) {
            self = .rgb(r, g, b)
        } else {
            return nil
        }
    }

    private static func hex(_ text: String) -> (UInt8, UInt8, UInt8)? {
        var digits = Array(text.hasPrefix("#") ? text.dropFirst() : Substring(text))
        if digits.count == 3 { digits = digits.flatMap { [$0, $0] } }
        guard digits.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: 6, by: 2) {
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return (bytes[0], bytes[1], bytes[2])
    }

    /// The 24-bit value: palette entries through the xterm 256-colour table.
    public var components: (red: UInt8, green: UInt8, blue: UInt8) {
        switch self {
        case .rgb(let r, let g, let b):
            return (r, g, b)
        case .palette(let index) where index < 16:
            let basic: [(UInt8, UInt8, UInt8)] = [
                (0, 0, 0), (128, 0, 0), (0, 128, 0), (128, 128, 0), (0, 0, 128), (128, 0, 128), (0, 128, 128), (192, 192, 192),
                (128, 128, 128), (255, 0, 0), (0, 255, 0), (255, 255, 0), (0, 0, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
            ]
            return basic[max(0, index)]
        case .palette(let index) where index < 232:
            let levels: [UInt8] = [0, 95, 135, 175, 215, 255]
            let cube = index - 16
            return (levels[cube / 36], levels[(cube % 36) / 6], levels[cube % 6])
        case .palette(let index):
            let gray = UInt8(clamping: 8 + (min(index, 255) - 232) * 10)
            return (gray, gray, gray)
        }
    }

    /// The SGR sequence that sets this as the text colour: the terminal's own 16 colours for the
    /// names (so they follow the user's palette), `38;5;n` for the other palette entries, 24-bit
    /// for `#hex`.
    public var foreground: String {
        switch self {
        case .palette(let index) where index < 8: return "\u{1B}[\(30 + index)m"
        case .palette(let index) where index < 16: return "\u{1B}[\(90 + index - 8)m"
        case .palette(let index): return "\u{1B}[38;5;\(index)m"
        case .rgb(let r, let g, let b): return "\u{1B}[38;2;\(r);\(g);\(b)m"
        }
    }

    /// The SGR sequence that sets this as the background colour.
    public var background: String {
        switch self {
        case .palette(let index) where index < 8: return "\u{1B}[\(40 + index)m"
        case .palette(let index) where index < 16: return "\u{1B}[\(100 + index - 8)m"
        case .palette(let index): return "\u{1B}[48;5;\(index)m"
        case .rgb(let r, let g, let b): return "\u{1B}[48;2;\(r);\(g);\(b)m"
        }
    }

    /// The 24-bit text colour sequence (the powerline style draws everything in 24-bit).
    public var trueColorForeground: String {
        let (r, g, b) = self.components
        return "\u{1B}[38;2;\(r);\(g);\(b)m"
    }

    /// The 24-bit background sequence.
    public var trueColorBackground: String {
        let (r, g, b) = self.components
        return "\u{1B}[48;2;\(r);\(g);\(b)m"
    }
}
