import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Gives memory back to the system after bursts.
///
/// glibc keeps freed memory in per-thread arenas; after a burst of hundreds of streams the
/// process would stay at its peak size for good. Arenas are limited to two (one per core here),
/// and when nothing is in flight after a busy period, `malloc_trim` returns the free pages.
struct MemoryTrimmer: Service {
    let state: ServerState
    let interval: Duration

    /// Limits glibc to few arenas; call once, early.
    static func limitArenas() {
        // malloc.h is not in Swift's Glibc module: look the functions up.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        _ = mallopt(-8, 2)  // M_ARENA_MAX
    }

    /// `malloc_trim(0)`, when the C library has it.
    static func trim() {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        let trim = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        _ = trim(0)
    }

    func run() async throws {
        // Stop at once on shutdown, not at the end of the current sleep.
        try? await cancelWhenGracefulShutdown {
            var lastServed = self.state.served.load(ordering: .relaxed)
            while !Task.isCancelled {
                try await Task.sleep(for: self.interval)
                let served = self.state.served.load(ordering: .relaxed)
                if served != lastServed && self.state.inFlight.load(ordering: .relaxed) == 0 {
                    Self.trim()
                    lastServed = served
                }
            }
        }
    }
}
