import CCRCore
import Synchronization

/// The input tokens each Claude Code session's last turn really used, as the provider reported
/// them: `longContext` fires on it when cl100k undercounts (ccr-behaviour §2.7). Bounded: the
/// least recently updated sessions are forgotten first.
public final class SessionUsageMemory: Sendable {
    private struct Entry {
        var inputTokens: Int
        var stamp: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    public let capacity: Int

    public init(capacity: Int = 1_000) {
        self.capacity = capacity
    }

    /// The last reported input of a session.
    public func lastInputTokens(session: String) -> Int? {
        self.state.withLock { $0.entries[session]?.inputTokens }
    }

    /// Records a turn's usage (fresh input plus cache reads and writes).
    public func record(session: String, usage: AnthropicUsage) {
        let total = usage.totalInputTokens
        guard total > 0 else { return }
        self.state.withLock { state in
            state.clock += 1
            state.entries[session] = Entry(inputTokens: total, stamp: state.clock)
            if state.entries.count > self.capacity {
                // Forget the oldest quarter at once so eviction stays rare.
                let cutoff = state.entries.values.map(\.stamp).sorted()[self.capacity / 4]
                state.entries = state.entries.filter { $0.value.stamp > cutoff }
            }
        }
    }
}
