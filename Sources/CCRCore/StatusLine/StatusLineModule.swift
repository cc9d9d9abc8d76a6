/// One piece of the status line: an icon and a `{{variable}}` template, with colours.
///
/// The shape is the original's (`{type, icon?, text, color?, background?, scriptPath?, options?}`).
/// Only ``Kind/script`` behaves differently (its text is the output of a node script); every other
/// type, known or not, renders its ``text`` with the variables substituted.
public struct StatusLineModule: Sendable, Equatable {
    /// The module's `type`: a name, kept as written so themes made for newer versions still load.
    public struct Kind: RawRepresentable, Sendable, Equatable, Hashable, CustomStringConvertible {
        public var rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The project folder's name (`{{workDirName}}`).
        public static let workDir = Kind(rawValue: "workDir")
        /// The current git branch (`{{gitBranch}}`).
        public static let gitBranch = Kind(rawValue: "gitBranch")
        /// The model that answered (`{{model}}`).
        public static let model = Kind(rawValue: "model")
        /// Tokens of the last turn (`{{inputTokens}}`, `{{outputTokens}}`).
        public static let usage = Kind(rawValue: "usage")
        /// Output speed (`{{tokenSpeed}}`).
        public static let speed = Kind(rawValue: "speed")
        /// The output of a node script (`scriptPath`).
        public static let script = Kind(rawValue: "script")
        /// ccr's price of the session (`{{sessionCost}}`).
        public static let cost = Kind(rawValue: "cost")
        /// Where ccr sent the last request (`{{route}}`, `{{provider}}`, `{{scenario}}`).
        public static let route = Kind(rawValue: "route")

        public var description: String { self.rawValue }
    }

    /// The module's type.
    public var type: Kind
    /// Shown before the text, separated by a space; empty for none.
    public var icon: String
    /// The template: `{{name}}` is replaced by the variable's value, unknown names by nothing.
    public var text: String
    /// The text colour: a name (`bright_blue`), `#rrggbb` or `#rgb`.
    public var color: String?
    /// The background colour: a name (`bg_bright_blue`), `#rrggbb` or `#rgb`.
    public var background: String?
    /// For ``Kind/script``: the node module to run.
    public var scriptPath: String?
    /// For ``Kind/script``: passed to the module's function as its second argument.
    public var options: JSONValue

    public init(
        type: Kind, icon: String = "", text: String = "", color: String? = nil, background: String? = nil, scriptPath: String? = nil,
        options: JSONValue = .object([:])
    ) {
        self.type = type
        self.icon = icon
        self.text = text
        self.color = color
        self.background = background
        self.scriptPath = scriptPath
        self.options = options
    }

    /// Reads a module from the config, leniently: a missing or mistyped member is left out.
    /// - Returns: `nil` when `json` is not an object.
    public init?(json: JSONValue) {
        guard let object = json.objectValue else { return nil }
        func text(_ key: String) -> String? {
            switch object[key] {
            case .string(let value): return value
            case .int(let value): return String(value)
            case .double(let value): return String(value)
            default: return nil
            }
        }
        func nonEmpty(_ key: String) -> String? {
            guard let value = text(key)?.trimmingSpaces(), !value.isEmpty else { return nil }
            return value
        }
        self.init(
            type: Kind(rawValue: text("type") ?? ""), icon: text("icon") ?? "", text: text("text") ?? "", color: nonEmpty("color"),
            background: nonEmpty("background"), scriptPath: nonEmpty("scriptPath"), options: object["options"] ?? .object([:]))
    }
}
