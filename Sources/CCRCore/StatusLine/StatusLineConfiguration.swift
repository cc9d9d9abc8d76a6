/// The config's `StatusLine` object:
/// `{enabled, currentStyle, default: {modules: […]}, powerline: {modules: […]}}`.
///
/// Read leniently (the status line must draw whatever the file holds): a mistyped member counts as
/// missing, and a module that is not an object is skipped.
public struct StatusLineConfiguration: Sendable, Equatable {
    /// `enabled`: `ccr code` installs the status line in Claude Code.
    public var enabled: Bool
    /// `currentStyle`, default `"default"`: the key of the theme to use. `"powerline"` draws
    /// segments; any other key draws the default style.
    public var currentStyle: String
    /// `StatusLine[currentStyle]`, when it has a `modules` array (an empty one included).
    public var configuredTheme: StatusLineTheme?

    public init(enabled: Bool = false, currentStyle: String = "default", configuredTheme: StatusLineTheme? = nil) {
        self.enabled = enabled
        self.currentStyle = currentStyle
        self.configuredTheme = configuredTheme
    }

    /// Reads the `StatusLine` value of the config (`nil` or anything but an object: all defaults).
    public init(json: JSONValue?) {
        self.init()
        guard let object = json?.objectValue else { return }
        switch object["enabled"] {
        case .bool(let value): self.enabled = value
        case .string(let value): self.enabled = value.lowercased() == "true"
        default: break
        }
        if let style = object["currentStyle"]?.stringValue?.trimmingSpaces(), !style.isEmpty {
            self.currentStyle = style
        }
        if let modules = object[self.currentStyle]?["modules"]?.arrayValue {
            self.configuredTheme = StatusLineTheme(style: self.style, modules: modules.compactMap(StatusLineModule.init(json:)))
        }
    }

    /// The drawing style that ``currentStyle`` names.
    public var style: StatusLineTheme.Style {
        self.currentStyle == StatusLineTheme.Style.powerline.rawValue ? .powerline : .default
    }

    /// The theme to draw: the configured one, else the built-in one for this style and terminal.
    public func theme(environment: [String: String]) -> StatusLineTheme {
        self.configuredTheme ?? StatusLineTheme.fallback(style: self.style, environment: environment)
    }
}
