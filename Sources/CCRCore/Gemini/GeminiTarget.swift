/// What a Gemini model accepts, inferred from its name: how it is asked to think, how many tokens
/// it may write, and which of Gemini's stricter rules apply to it.
public struct GeminiTarget: Sendable, Equatable {
    /// How a model is asked for (or spared) reasoning.
    public enum ThinkingStyle: Sendable, Equatable {
        /// The model does not think (Gemini 1.x and 2.0, Gemma): no `thinkingConfig` is sent.
        case none
        /// `thinkingBudget` (Gemini 2.5): a token budget in `range`, `-1` for dynamic, `0` to turn
        /// thinking off when `canDisable`.
        case budget(range: ClosedRange<Int>, canDisable: Bool)
        /// `thinkingLevel` (Gemini 3 and later): `low` or `high`; `minimal` on Flash models.
        case level(hasMinimal: Bool)
    }

    /// The model name as the URL takes it (without a `models/` prefix).
    public var model: String
    public var thinkingStyle: ThinkingStyle
    /// The largest `maxOutputTokens` the model takes (Gemini rejects more).
    public var maxOutputTokens: Int
    /// Every model turn that calls functions must carry a thought signature (Gemini 3 and later).
    public var requiresThoughtSignatures: Bool
    /// Built-in tools (Google Search) may be combined with function declarations (Gemini 3 and later).
    public var combinesSearchWithFunctions: Bool

    public init(
        model: String, thinkingStyle: ThinkingStyle = .none, maxOutputTokens: Int = 65536, requiresThoughtSignatures: Bool = false,
        combinesSearchWithFunctions: Bool = false
    ) {
        self.model = model
        self.thinkingStyle = thinkingStyle
        self.maxOutputTokens = maxOutputTokens
        self.requiresThoughtSignatures = requiresThoughtSignatures
        self.combinesSearchWithFunctions = combinesSearchWithFunctions
    }

    /// The target for a model name (`gemini-2.5-flash`, `models/gemini-3-pro-preview`, `gemma-3-27b-it`…).
    ///
    /// Names that say no version (`gemini-flash-latest`) are taken as current models; names that are
    /// not Gemini's at all get no thinking settings, which every model accepts.
    public static func infer(model: String) -> GeminiTarget {
        let name = model.hasPrefix("models/") ? String(model.dropFirst("models/".count)) : model
        let lowered = name.lowercased()
        guard lowered.contains("gemini") else { return GeminiTarget(model: name, maxOutputTokens: 8192) }
        let isFlash = lowered.contains("flash")
        let isLite = lowered.contains("lite")
        let isPro = lowered.contains("pro")
        switch Self.majorVersion(lowered) {
        case let major? where major >= 3:
            return GeminiTarget(
                model: name, thinkingStyle: .level(hasMinimal: isFlash), maxOutputTokens: 65536, requiresThoughtSignatures: true,
                combinesSearchWithFunctions: true)
        case 2? where lowered.contains("2.0"), 1?:
            return GeminiTarget(model: name, maxOutputTokens: 8192)
        default:
            let range: ClosedRange<Int> = isPro ? 128...32768 : isLite ? 512...24576 : 0...24576
            return GeminiTarget(model: name, thinkingStyle: .budget(range: range, canDisable: !isPro), maxOutputTokens: 65536)
        }
    }

    /// The number after `gemini-` (`2` for `gemini-2.5-flash`), if there is one.
    static func majorVersion(_ lowered: String) -> Int? {
        guard let range = lowered.range(of: "gemini-") else { return nil }
        let digits = lowered[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    /// The request URL: `api_base_url` (the base ending in `/models/`) + model + the method.
    ///
    /// A base given without `/models` (`…/v1beta`) gets it added; `?alt=sse` asks for a
    /// server-sent event stream.
    public static func url(baseURL: String, model: String, stream: Bool) -> String {
        var base = baseURL
        var query = ""
        if let mark = base.firstIndex(of: "?") {
            query = String(base[base.index(after: mark)...])
            base = String(base[..<mark])
        }
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/models") { base += "/models" }
        let name = model.hasPrefix("models/") ? String(model.dropFirst("models/".count)) : model
        var url = base + "/" + name + (stream ? ":streamGenerateContent" : ":generateContent")
        let parameters = (stream ? ["alt=sse"] : []) + (query.isEmpty ? [] : [query])
        if !parameters.isEmpty { url += "?" + parameters.joined(separator: "&") }
        return url
    }
}
