import Foundation
import Synchronization

/// Request ids: `req_` + 8 random hex + a counter, unique in a process and short to read.
enum RequestID {
    private static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        return String(format: "req_%08x", UInt32.random(in: 0...UInt32.max, using: &generator))
    }()
    private static let counter = Atomic<Int>(0)

    static func next() -> String {
        let n = self.counter.wrappingAdd(1, ordering: .relaxed).newValue
        return "\(self.prefix)\(String(n, radix: 36))"
    }
}
