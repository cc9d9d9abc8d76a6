import Foundation
import Synchronization

/// An append-only log file with rotation by size and by day.
///
/// `ccr.log` is written; when it passes ``maxBytes`` or the day changes it is renamed to
/// `ccr-<timestamp>.log` and a new one is started; only the newest ``maxFiles`` rotated files are
/// kept. Writes are serialised by a mutex; each line is one `write(2)`.
public final class LogFileSink: Sendable {
    struct State {
        var descriptor: Int32
        var size: Int
        var day: Int
    }

    public let directory: URL
    public let maxBytes: Int
    public let maxFiles: Int
    private let state: Mutex<State>
    /// The current day number (days since 1970, UTC); a parameter so that tests can turn the day.
    private let day: @Sendable () -> Int

    public var currentFile: URL { self.directory.appendingPathComponent("ccr.log") }

    public init(directory: URL, maxBytes: Int = 10 * 1024 * 1024, maxFiles: Int = 5, day: @escaping @Sendable () -> Int = LogFileSink.today) throws {
        self.directory = directory
        self.day = day
        self.maxBytes = maxBytes
        self.maxFiles = maxFiles
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("ccr.log").path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        var info = stat()
        fstat(fd, &info)
        self.state = Mutex(State(descriptor: fd, size: Int(info.st_size), day: day()))
    }

    deinit {
        self.state.withLock { _ = close($0.descriptor) }
    }

    /// Days since 1970 in UTC.
    @Sendable public static func today() -> Int {
        Int(Date().timeIntervalSince1970 / 86_400)
    }

    /// Appends one line (a newline is added).
    public func write(line: [UInt8]) {
        self.state.withLock { state in
            let day = self.day()
            if state.size + line.count > self.maxBytes || (day != state.day && state.size > 0) {
                self.rotate(&state)
            }
            state.day = day
            var bytes = line
            bytes.append(0x0A)
            let written = bytes.withUnsafeBytes { Foundation.write(state.descriptor, $0.baseAddress, $0.count) }
            if written > 0 { state.size += written }
        }
    }

    private func rotate(_ state: inout State) {
        close(state.descriptor)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMddHHmmss"
        let stamp = formatter.string(from: Date())
        var target = self.directory.appendingPathComponent("ccr-\(stamp).log")
        var suffix = 1
        while FileManager.default.fileExists(atPath: target.path) {
            target = self.directory.appendingPathComponent("ccr-\(stamp)_\(suffix).log")
            suffix += 1
        }
        try? FileManager.default.moveItem(at: self.currentFile, to: target)
        self.pruneRotated()
        state.descriptor = open(self.currentFile.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        state.size = 0
    }

    private func pruneRotated() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: self.directory.path)) ?? []
        let rotated = names.filter { $0.hasPrefix("ccr-") && $0.hasSuffix(".log") }.sorted(by: >)
        for name in rotated.dropFirst(self.maxFiles) {
            try? FileManager.default.removeItem(at: self.directory.appendingPathComponent(name))
        }
    }
}
