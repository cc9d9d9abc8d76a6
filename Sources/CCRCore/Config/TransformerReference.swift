/// One entry of a `use` list: `"name"` or `["name", {options}]`.
public struct TransformerReference: Sendable, Equatable {
    public var name: String
    public var options: JSONObject

    public init(name: String, options: JSONObject = [:]) {
        self.name = name
        self.options = options
    }
}
