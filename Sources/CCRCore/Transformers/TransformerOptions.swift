/// Reads and checks transformer options (`["name", {options}]`).
enum TransformerOptions {
    /// A positive whole number (numbers written as strings are accepted, as the loader does elsewhere).
    static func positiveInteger(_ value: JSONValue?) -> Int? {
        guard let value else { return nil }
        if let int = value.intValue, int > 0 { return int }
        if let text = value.stringValue, let int = Int(text.trimmingSpaces()), int > 0 { return int }
        return nil
    }

    /// A number, as the JSON value to send (kept as written).
    static func number(_ value: JSONValue?) -> JSONValue? {
        guard let value, value.doubleValue != nil else { return nil }
        return value
    }

    /// Problems: `key` is present but not a positive whole number.
    static func checkPositiveInteger(_ options: JSONObject, _ key: String, required: Bool = false) -> [String] {
        guard let value = options[key] else { return required ? ["needs the option \(key) (a positive number of tokens)"] : [] }
        return Self.positiveInteger(value) == nil ? ["option \(key) must be a positive whole number, found \(value)"] : []
    }

    /// Problems: `key` is present but not a number.
    static func checkNumber(_ options: JSONObject, _ key: String) -> [String] {
        guard let value = options[key] else { return [] }
        return value.doubleValue == nil ? ["option \(key) must be a number, found \(value.kindDescription)"] : []
    }

    /// Problems: `key` is present but not `true` or `false`.
    static func checkBool(_ options: JSONObject, _ key: String) -> [String] {
        guard let value = options[key] else { return [] }
        return value.boolValue == nil ? ["option \(key) must be true or false, found \(value.kindDescription)"] : []
    }

    /// Caps whichever token limit the request carries (`max_tokens` or `max_completion_tokens`).
    static func capTokenLimit(_ request: inout JSONObject, at cap: Int) {
        for key in ["max_tokens", "max_completion_tokens"] {
            if let current = request[key]?.intValue, current > cap { request[key] = .int(cap) }
        }
    }
}
