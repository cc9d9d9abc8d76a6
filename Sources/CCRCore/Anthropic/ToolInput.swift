/// A `tool_use` block's `input`, which must be a JSON object.
public enum ToolInput {
    /// Tool arguments as the model wrote them (JSON text) turned into an object: the JSON if it is
    /// one (JSON5 accepted, for models that write single quotes); otherwise the text under `raw`,
    /// so nothing the model wrote is lost.
    public static func object(fromArguments raw: String) -> JSONValue {
        let trimmed = raw.trimmingSpaces()
        if trimmed.isEmpty { return .object([:]) }
        if let value = try? JSONParser.parse(trimmed), case .object = value { return value }
        if let value = try? JSONParser.parse(trimmed, syntax: .json5), case .object = value { return value }
        return ["raw": .string(raw)]
    }
}
