/// Draws a theme's modules into one line of text with ANSI colours.
///
/// A module is left out when its text comes out empty, when every variable its template uses is
/// empty (so `{{tokenSpeed}} t/s` disappears instead of showing a lone ` t/s`), or when its script
/// fails. Only the first ``StatusLineTheme/maximumModules`` modules are considered.
public struct StatusLineRenderer: Sendable {
    /// The powerline arrow (a Nerd Font / Powerline glyph).
    public static let powerlineSeparator = "\u{E0B0}"
    /// The powerline style's background when a module names none (or an unknown colour).
    public static let defaultPowerlineBackground = StatusLineColor.palette(12)
    /// The powerline style's text colour when a module names none (or an unknown colour).
    public static let defaultPowerlineForeground = StatusLineColor.palette(7)

    static let reset = "\u{1B}[0m"

    public var theme: StatusLineTheme

    public init(theme: StatusLineTheme) {
        self.theme = theme
    }

    /// The line for these variables.
    /// - Parameters:
    ///   - variables: the `{{name}}` values.
    ///   - scriptOutput: runs a ``StatusLineModule/Kind/script`` module that has a `scriptPath`
    ///     and returns what it printed, or `nil` when it failed (the module is then left out).
    public func render(_ variables: StatusLineVariables, scriptOutput: (StatusLineModule) -> String? = { _ in nil }) -> String {
        let parts = self.theme.modules.prefix(StatusLineTheme.maximumModules).compactMap { module in
            Self.displayText(of: module, variables: variables, scriptOutput: scriptOutput).map { (module, $0) }
        }
        switch self.theme.style {
        case .default:
            return parts.map { Self.defaultPart(module: $0.0, text: $0.1) }.joined(separator: " ")
        case .powerline:
            let backgrounds = parts.map { part in part.0.background.flatMap(StatusLineColor.init) ?? Self.defaultPowerlineBackground }
            var line = ""
            for (index, part) in parts.enumerated() {
                let foreground = part.0.color.flatMap(StatusLineColor.init) ?? Self.defaultPowerlineForeground
                let background = backgrounds[index]
                line += background.trueColorBackground + foreground.trueColorForeground + " \(part.1) " + Self.reset
                let next = index + 1 < backgrounds.count ? backgrounds[index + 1].trueColorBackground : ""
                line += background.trueColorForeground + next + Self.powerlineSeparator + Self.reset
            }
            return line
        }
    }

    /// The icon and text of a module, or `nil` when it is left out.
    static func displayText(
        of module: StatusLineModule, variables: StatusLineVariables, scriptOutput: (StatusLineModule) -> String?
    ) -> String? {
        let text: String
        if module.type == .script, module.scriptPath != nil {
            guard let output = scriptOutput(module) else { return nil }
            text = String(output.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
        } else {
            let names = StatusLineVariables.references(in: module.text)
            if !names.isEmpty && names.allSatisfy({ variables[$0].isEmpty }) { return nil }
            text = variables.substitute(module.text)
        }
        if text.trimmingSpaces().isEmpty { return nil }
        return module.icon.isEmpty ? text : "\(module.icon) \(text)"
    }

    /// A default-style module: its colours (the named ones too, which the original ignored),
    /// the text, and a reset when anything was coloured.
    static func defaultPart(module: StatusLineModule, text: String) -> String {
        let background = module.background.flatMap(StatusLineColor.init)?.background ?? ""
        let foreground = module.color.flatMap(StatusLineColor.init)?.foreground ?? ""
        let style = background + foreground
        return style.isEmpty ? text : style + text + Self.reset
    }
}
