/// One entry of the top-level `transformers` list: a custom transformer run as a plugin process
/// (docs/plugins.md).
public struct CustomTransformerConfiguration: Sendable, Equatable {
    /// The plugin: a `.js` module of the original's kind (run by `node`) or an executable that
    /// speaks the plugin protocol.
    public var path: String
    /// Handed to the plugin (`new Transformer(options)` for a `.js` module).
    public var options: JSONObject
    /// The name `use` lists refer to it by. Optional: the plugin says its own name when it starts;
    /// writing it here lets `ccr config validate` check the `use` lists without starting it.
    public var name: String?
    /// The time limit of one call (`timeout_ms`, default 10 s).
    public var timeoutMilliseconds: Int

    public init(path: String, options: JSONObject = [:], name: String? = nil, timeoutMilliseconds: Int = 10_000) {
        self.path = path
        self.options = options
        self.name = name
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}
