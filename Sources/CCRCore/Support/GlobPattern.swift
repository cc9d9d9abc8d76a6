/// A case-insensitive shell-style pattern: `*` any run of characters, `?` one character.
public struct GlobPattern: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    private let characters: [Character]

    public init(_ pattern: String) {
        self.description = pattern
        self.characters = Array(pattern.lowercased())
    }

    /// Whether the whole text matches.
    public func matches(_ text: String) -> Bool {
        let text = Array(text.lowercased())
        var p = 0
        var t = 0
        var star = -1
        var resume = 0
        while t < text.count {
            if p < self.characters.count && (self.characters[p] == "?" || self.characters[p] == text[t]) {
                p += 1
                t += 1
            } else if p < self.characters.count && self.characters[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if star >= 0 {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < self.characters.count && self.characters[p] == "*" { p += 1 }
        return p == self.characters.count
    }
}
