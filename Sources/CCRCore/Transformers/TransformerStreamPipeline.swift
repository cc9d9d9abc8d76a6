/// The stream stages of a chain, run in order on each chunk of one answer.
public struct TransformerStreamPipeline: Sendable {
    private var stages: [any TransformerStreamStage]
    private var finished = false

    public init(stages: [any TransformerStreamStage]) {
        self.stages = stages
    }

    /// No stage: chunks pass untouched (and need not be parsed by anyone but the converter).
    public var isEmpty: Bool { self.stages.isEmpty }

    /// The chunks that come out of the last stage for one chunk from the provider.
    public mutating func feed(_ chunk: JSONValue) -> [JSONValue] {
        var current = [chunk]
        for index in self.stages.indices {
            var next: [JSONValue] = []
            for item in current { self.stages[index].transform(item, into: &next) }
            current = next
            if current.isEmpty { break }
        }
        return current
    }

    /// The provider's stream ended: whatever the stages still hold, passed through the later stages.
    /// Returns nothing the second time.
    public mutating func finish() -> [JSONValue] {
        guard !self.finished else { return [] }
        self.finished = true
        var carried: [JSONValue] = []
        for index in self.stages.indices {
            var next: [JSONValue] = []
            for item in carried { self.stages[index].transform(item, into: &next) }
            self.stages[index].finish(into: &next)
            carried = next
        }
        return carried
    }
}
