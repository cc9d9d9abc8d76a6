extension StatusLineVariables {
    /// One piece of a template: literal text, or a `{{name}}` placeholder.
    enum Piece: Equatable {
        case literal(Substring)
        case variable(String)
    }

    /// Splits a template at its placeholders. A placeholder is `{{name}}` where the name is
    /// letters, digits and `_` (spaces around it are allowed); anything else stays literal.
    static func pieces(of template: String) -> [Piece] {
        var pieces: [Piece] = []
        var rest = template[...]
        while let open = rest.firstRange(of: "{{") {
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else { break }
            let name = rest[open.upperBound..<close.lowerBound].trimmingSpaces()
            let valid = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" }
            if valid {
                if open.lowerBound > rest.startIndex { pieces.append(.literal(rest[..<open.lowerBound])) }
                pieces.append(.variable(name))
                rest = rest[close.upperBound...]
            } else {
                // Try again one character on, as the original's regex would (`{{{x}}}` is `{` + `{{x}}`).
                let next = rest.index(after: open.lowerBound)
                pieces.append(.literal(rest[..<next]))
                rest = rest[next...]
            }
        }
        if !rest.isEmpty { pieces.append(.literal(rest)) }
        return pieces
    }

    /// The template with every `{{name}}` replaced by its value (`""` for unknown names).
    public func substitute(_ template: String) -> String {
        var result = ""
        for piece in Self.pieces(of: template) {
            switch piece {
            case .literal(let text): result += text
            case .variable(let name): result += self[name]
            }
        }
        return result
    }

    /// The variable names a template uses, in order.
    public static func references(in template: String) -> [String] {
        self.pieces(of: template).compactMap { piece in
            if case .variable(let name) = piece { return name }
            return nil
        }
    }
}
