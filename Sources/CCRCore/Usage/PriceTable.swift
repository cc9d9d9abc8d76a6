/// Finds the price of a model: `Prices` in config.json first, then ccr's defaults
/// (`Resources/prices.json`).
///
/// A config entry's key is `provider,model`, a model name, or a glob over either (`*`, `?`);
/// exact keys win over globs. The defaults are globs over the bare model name (lower case, without
/// a `vendor/` prefix or `[1m]` suffix), first match wins. Answers are remembered per model, so a
/// request pays for the glob matching once per table.
public struct PriceTable: Sendable {
    /// One entry: a key and its price.
    public struct Entry: Sendable {
        public var key: String
        public var price: ModelPrice
        let glob: GlobPattern?

        public init(key: String, price: ModelPrice) {
            self.key = key
            self.price = price
            self.glob = key.contains("*") || key.contains("?") ? GlobPattern(key.lowercased()) : nil
        }
    }

    /// From config.json's `Prices`, in file order.
    public var configured: [Entry]
    /// ccr's defaults.
    public var defaults: [Entry]

    private let memo = PriceMemo()

    public init(configured: [Entry] = [], defaults: [Entry] = PriceTable.bundledDefaults) {
        self.configured = configured
        self.defaults = defaults
    }

    /// The price of a target; `nil` when neither the config nor the defaults know the model.
    /// - Parameter upstreamModel: the model name in the provider's answer, tried after the target's.
    public func price(for target: RouteTarget, upstreamModel: String? = nil) -> ModelPrice? {
        let key = PriceMemo.Key(target: target, upstreamModel: upstreamModel)
        if let known = self.memo.lookup(key) { return known }
        let price = self.lookUp(target, upstreamModel: upstreamModel)
        self.memo.store(price, for: key)
        return price
    }

    private func lookUp(_ target: RouteTarget, upstreamModel: String?) -> ModelPrice? {
        let full = target.description.lowercased()
        let model = target.model.lowercased()
        if let exact = self.configured.first(where: { $0.glob == nil && ($0.key.lowercased() == full || $0.key.lowercased() == model) }) {
            return exact.price
        }
        if let glob = self.configured.first(where: { $0.glob?.matches(full) == true || $0.glob?.matches(model) == true }) {
            return glob.price
        }
        for name in [target.model] + (upstreamModel.map { [$0] } ?? []) {
            let bare = Self.bareName(name)
            if let entry = self.defaults.first(where: { $0.glob?.matches(bare) ?? ($0.key == bare) }) { return entry.price }
        }
        return nil
    }

    /// The cost of a request in US dollars; `nil` when the price is unknown.
    public func cost(of usage: AnthropicUsage, target: RouteTarget, upstreamModel: String? = nil) -> Double? {
        self.price(for: target, upstreamModel: upstreamModel)?.cost(of: usage)
    }

    /// `anthropic/claude-sonnet-4.5[1m]` → `claude-sonnet-4.5`.
    static func bareName(_ model: String) -> String {
        var name = model.lowercased()
        if name.hasSuffix("[1m]") { name.removeLast(4) }
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        if let colon = name.firstIndex(of: ":") { name = String(name[..<colon]) }  // `…:free`, `…:thinking`
        return name
    }

    /// Reads the `models` list of a prices file.
    public static func entries(fromPricesFile value: JSONValue) -> [Entry] {
        (value["models"]?.arrayValue ?? []).compactMap { item in
            guard let match = item["match"]?.stringValue, case .success(let price) = ModelPrice.parse(item) else { return nil }
            return Entry(key: match.lowercased(), price: price)
        }
    }

    /// The defaults shipped with ccr, read once (empty when the resource cannot be found; ccr
    /// start warns about it).
    public static var bundledDefaults: [Entry] { BundledPrices.entries }
}
