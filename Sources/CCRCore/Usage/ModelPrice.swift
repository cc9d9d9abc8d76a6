/// What a model costs, in US dollars per million tokens.
public struct ModelPrice: Sendable, Equatable {
    public var input: Double
    public var output: Double
    /// Prompt tokens read from the provider's cache (the input price when the provider has none).
    public var cacheRead: Double
    /// Prompt tokens written to the provider's cache (the input price when the provider has none).
    public var cacheWrite: Double

    public init(input: Double, output: Double, cacheRead: Double? = nil, cacheWrite: Double? = nil) {
        self.input = input
        self.output = output
        self.cacheRead = cacheRead ?? input
        self.cacheWrite = cacheWrite ?? input
    }

    /// The price of a request's tokens, in US dollars.
    public func cost(of usage: AnthropicUsage) -> Double {
        (Double(usage.inputTokens) * self.input + Double(usage.outputTokens) * self.output
            + Double(usage.cacheReadInputTokens) * self.cacheRead + Double(usage.cacheCreationInputTokens) * self.cacheWrite) / 1_000_000
    }

    /// Reads `{"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75}` (also
    /// `cacheRead`/`cacheWrite`); `nil` with the reason when it is not one.
    public static func parse(_ value: JSONValue) -> Result<ModelPrice, PriceError> {
        guard let object = value.objectValue else { return .failure(PriceError(message: "must be an object like {\"input\": 3, \"output\": 15}")) }
        func number(_ keys: String...) -> Double?? {
            for key in keys {
                if let raw = object[key] { return .some(raw.doubleValue ?? raw.intValue.map(Double.init)) }
            }
            return .none
        }
        guard case .some(.some(let input)) = number("input"), input >= 0 else {
            return .failure(PriceError(message: "needs \"input\": a price ≥ 0 in dollars per million tokens"))
        }
        guard case .some(.some(let output)) = number("output"), output >= 0 else {
            return .failure(PriceError(message: "needs \"output\": a price ≥ 0 in dollars per million tokens"))
        }
        var cache: [Double?] = []
        for keys in [["cache_read", "cacheRead"], ["cache_write", "cacheWrite"]] {
            switch number(keys[0], keys[1]) {
            case .none: cache.append(nil)
            case .some(.some(let price)) where price >= 0: cache.append(price)
            case .some: return .failure(PriceError(message: "\"\(keys[0])\" must be a price ≥ 0 in dollars per million tokens"))
            }
        }
        return .success(ModelPrice(input: input, output: output, cacheRead: cache[0], cacheWrite: cache[1]))
    }

    /// Why a price could not be read.
    public struct PriceError: Error, Sendable, Equatable {
        public var message: String
    }
}
