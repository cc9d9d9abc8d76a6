/// A `provider,model` pair.
public struct RouteTarget: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var provider: String
    public var model: String

    public init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }

    /// Splits `"provider,model"` at the first comma, trimming spaces (the original did not trim,
    /// so `"deepseek, deepseek-chat"` sent the model `" deepseek-chat"`).
    public init?(parsing text: String) {
        guard let comma = text.firstIndex(of: ",") else { return nil }
        let provider = text[..<comma].trimmingSpaces()
        let model = text[text.index(after: comma)...].trimmingSpaces()
        guard !provider.isEmpty, !model.isEmpty else { return nil }
        self.provider = provider
        self.model = model
    }

    public var description: String { "\(self.provider),\(self.model)" }
}
