/// Builds a function call's arguments from the pieces Gemini sends when it streams them
/// (`functionCall.partialArgs`: a JSON path such as `$.files[0].path` and a typed value; string
/// values arrive in pieces that are appended).
enum GeminiPartialArguments {
    enum Segment: Equatable {
        case key(String)
        case index(Int)
    }

    /// Applies one `partialArgs` entry to `arguments`.
    static func apply(_ partial: JSONValue, to arguments: inout JSONValue) {
        guard let path = partial["jsonPath"]?.stringValue, let segments = Self.segments(path) else { return }
        if let piece = partial["stringValue"]?.stringValue {
            Self.set(.string(piece), at: segments[...], in: &arguments, appending: true)
            return
        }
        for key in ["numberValue", "boolValue", "structValue", "listValue"] {
            if let value = partial[key] {
                Self.set(value, at: segments[...], in: &arguments, appending: false)
                return
            }
        }
        if partial["nullValue"] != nil { Self.set(.null, at: segments[...], in: &arguments, appending: false) }
    }

    /// `$.a.b[2]['c.d']` as segments; `nil` if it does not start at the root.
    static func segments(_ path: String) -> [Segment]? {
        var characters = Substring(path)
        guard characters.first == "$" else { return nil }
        characters.removeFirst()
        var out: [Segment] = []
        while let first = characters.first {
            if first == "." {
                characters.removeFirst()
                let name = characters.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { return nil }
                out.append(.key(String(name)))
                characters.removeFirst(name.count)
            } else if first == "[" {
                characters.removeFirst()
                if let quote = characters.first, quote == "'" || quote == "\"" {
                    characters.removeFirst()
                    guard let end = characters.firstIndex(of: quote) else { return nil }
                    out.append(.key(String(characters[..<end])))
                    characters = characters[characters.index(after: end)...]
                    guard characters.first == "]" else { return nil }
                    characters.removeFirst()
                } else {
                    guard let end = characters.firstIndex(of: "]"), let index = Int(characters[..<end]), index >= 0 else { return nil }
                    out.append(.index(index))
                    characters = characters[characters.index(after: end)...]
                }
            } else {
                return nil
            }
        }
        return out
    }

    static func set(_ value: JSONValue, at path: ArraySlice<Segment>, in container: inout JSONValue, appending: Bool) {
        guard let segment = path.first else {
            if appending, case .string(let existing) = container, case .string(let piece) = value {
                container = .string(existing + piece)
            } else {
                container = value
            }
            return
        }
        switch segment {
        case .key(let key):
            var object = container.objectValue ?? [:]
            var child = object[key] ?? .null
            Self.set(value, at: path.dropFirst(), in: &child, appending: appending)
            object[key] = child
            container = .object(object)
        case .index(let index):
            guard index < 100_000 else { return }
            var array = container.arrayValue ?? []
            while array.count <= index { array.append(.null) }
            Self.set(value, at: path.dropFirst(), in: &array[index], appending: appending)
            container = .array(array)
        }
    }
}
