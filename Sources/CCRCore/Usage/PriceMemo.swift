import Synchronization

/// The prices a ``PriceTable`` already looked up, by target and upstream model (at most 1,024;
/// then it starts over).
final class PriceMemo: Sendable {
    struct Key: Hashable, Sendable {
        var target: RouteTarget
        var upstreamModel: String?
    }

    private let known = Mutex<[Key: ModelPrice?]>([:])
    static let capacity = 1_024

    /// `.some(nil)` for a model known to have no price; `nil` when not looked up yet.
    func lookup(_ key: Key) -> ModelPrice?? {
        self.known.withLock { $0[key] }
    }

    func store(_ price: ModelPrice?, for key: Key) {
        self.known.withLock { known in
            if known.count >= Self.capacity { known.removeAll(keepingCapacity: true) }
            known[key] = .some(price)
        }
    }
}
