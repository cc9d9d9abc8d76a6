/// The modules of a status line and the style that draws them.
public struct StatusLineTheme: Sendable, Equatable {
    /// How modules are drawn.
    public enum Style: String, Sendable, Equatable {
        /// Coloured text, modules separated by one space.
        case `default`
        /// Coloured background segments joined by the powerline arrow (U+E0B0); needs a Nerd Font.
        case powerline
    }

    /// At most this many modules are rendered (the rest of a theme is ignored): each may run a
    /// script, and the line is redrawn on every update.
    public static let maximumModules = 10

    public var style: Style
    /// The modules, in order. Empty renders an empty line (as in the original).
    public var modules: [StatusLineModule]

    public init(style: Style = .default, modules: [StatusLineModule]) {
        self.style = style
        self.modules = modules
    }

    /// `true` when icons should be plain text: `USE_SIMPLE_ICONS=true`, or a `TERM` of `dumb` or
    /// `unknown` (the original's test).
    public static func prefersSimpleIcons(environment: [String: String]) -> Bool {
        if environment["USE_SIMPLE_ICONS"] == "true" { return true }
        return ["dumb", "unknown"].contains(environment["TERM"] ?? "")
    }

    /// The theme used when the config has none: ``simple`` when icons should be plain, else
    /// ``powerlineBuiltIn`` for the powerline style and ``builtIn`` otherwise.
    public static func fallback(style: Style, environment: [String: String]) -> StatusLineTheme {
        if self.prefersSimpleIcons(environment: environment) { return .simple }
        return style == .powerline ? .powerlineBuiltIn : .builtIn
    }
}

extension StatusLineTheme {
    private enum Icon {
        static let folder = "\u{F024B}"  // nf-md-folder_outline
        static let branch = "\u{E0A0}"  // nf-pl-branch
        static let robot = "\u{F06A9}"  // nf-md-robot
        static let routes = "\u{F046A}"  // nf-md-routes
        static let speedometer = "\u{F04C5}"  // nf-md-speedometer
        static let dollar = "\u{F01C1}"  // nf-md-currency_usd
    }

    /// The eight modules every built-in theme shows, with the given icons and colours.
    private static func standardModules(icons: [String], colors: [String], backgrounds: [String?]) -> [StatusLineModule] {
        let shapes: [(StatusLineModule.Kind, String)] = [
            (.workDir, "{{workDirName}}"), (.gitBranch, "{{gitBranch}}"), (.model, "{{model}}"), (.route, "{{provider}} ({{scenario}})"),
            (.usage, "{{inputTokens}}"), (.usage, "{{outputTokens}}"), (.speed, "{{tokenSpeed}} t/s"), (.cost, "{{sessionCost}}"),
        ]
        return shapes.indices.map { index in
            StatusLineModule(
                type: shapes[index].0, icon: icons[index], text: shapes[index].1, color: colors[index], background: backgrounds[index])
        }
    }

    /// The built-in theme (Nerd Font icons): folder, git branch, the model that answered, the route
    /// ccr chose, tokens in and out of the last turn, output speed, and ccr's cost of the session.
    public static let builtIn = StatusLineTheme(
        style: .default,
        modules: standardModules(
            icons: [Icon.folder, Icon.branch, Icon.robot, Icon.routes, "↑", "↓", Icon.speedometer, Icon.dollar],
            colors: ["bright_blue", "bright_magenta", "bright_cyan", "cyan", "bright_green", "bright_yellow", "bright_red", "yellow"],
            backgrounds: Array(repeating: nil, count: 8)))

    /// ``builtIn`` with plain-text icons, for terminals without a Nerd Font.
    public static let simple = StatusLineTheme(
        style: .default,
        modules: standardModules(
            icons: ["", "", "", "", "↑", "↓", "", ""],
            colors: ["bright_blue", "bright_magenta", "bright_cyan", "cyan", "bright_green", "bright_yellow", "bright_red", "yellow"],
            backgrounds: Array(repeating: nil, count: 8)))

    /// ``builtIn`` as powerline segments.
    public static let powerlineBuiltIn = StatusLineTheme(
        style: .powerline,
        modules: standardModules(
            icons: [Icon.folder, Icon.branch, Icon.robot, Icon.routes, "↑", "↓", Icon.speedometer, Icon.dollar],
            colors: ["bright_white", "bright_white", "black", "bright_white", "black", "black", "bright_white", "bright_white"],
            backgrounds: [
                "bg_bright_blue", "bg_bright_magenta", "bg_bright_cyan", "bg_bright_purple", "bg_bright_green", "bg_bright_yellow",
                "bg_bright_red", "bg_bright_orange",
            ]))
}
