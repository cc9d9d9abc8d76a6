import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// Sends requests at a fixed concurrency and measures what a client sees.
struct LoadClient {
    struct Sample {
        var latency: Double  // ms, request start → last byte
        var ttft: Double?  // ms, request start → first event that carries a timestamp
        var eventDelays: [Double]  // ms, each event: arrival − the moment the mock wrote it
        var ok: Bool
    }

    let client: HTTPClient

    init() {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10), read: .seconds(60)))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 2048
        configuration.connectionPool.retryConnectionEstablishment = false
        self.client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// One request.
    func send(url: String, body: ByteBuffer, headers: [(String, String)]) async -> Sample {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(body)
        let start = MockProvider.now()
        var ttft: Double?
        var delays: [Double] = []
        do {
            let response = try await self.client.execute(request, timeout: .seconds(120))
            guard response.status == .ok else {
                for try await _ in response.body {}
                return Sample(latency: 0, ttft: nil, eventDelays: [], ok: false)
            }
            var carry: [UInt8] = []
            for try await chunk in response.body {
                let arrival = MockProvider.now()
                var bytes = carry
                chunk.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
                // A stamp cut by the chunk boundary is completed by the next chunk.
                carry = []
                if let last = Self.lastStampStart(bytes), !bytes[last...].contains(UInt8(ascii: " ")) {
                    carry = Array(bytes[last...])
                    bytes.removeSubrange(last...)
                }
                for stamp in Self.timestamps(in: ByteBuffer(bytes: bytes)) {
                    if ttft == nil { ttft = Double(arrival - start) / 1e6 }
                    delays.append(Double(Int64(bitPattern: arrival &- stamp)) / 1e6)
                }
            }
            return Sample(latency: Double(MockProvider.now() - start) / 1e6, ttft: ttft, eventDelays: delays, ok: true)
        } catch {
            return Sample(latency: 0, ttft: nil, eventDelays: [], ok: false)
        }
    }

    static func lastStampStart(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 1 else { return nil }
        var index = bytes.count - 1
        let floor = max(0, bytes.count - 32)
        while index >= floor {
            if bytes[index] == UInt8(ascii: "t") { return index }
            index -= 1
        }
        return nil
    }

    /// Every `ts=<digits> ` in a chunk.
    static func timestamps(in buffer: ByteBuffer) -> [UInt64] {
        var stamps: [UInt64] = []
        buffer.withUnsafeReadableBytes { bytes in
            var index = 0
            while index + 3 < bytes.count {
                if bytes[index] == UInt8(ascii: "t") && bytes[index + 1] == UInt8(ascii: "s") && bytes[index + 2] == UInt8(ascii: "=") {
                    var value: UInt64 = 0
                    var cursor = index + 3
                    while cursor < bytes.count, bytes[cursor] >= 48, bytes[cursor] <= 57 {
                        value = value * 10 + UInt64(bytes[cursor] - 48)
                        cursor += 1
                    }
                    stamps.append(value)
                    index = cursor
                } else {
                    index += 1
                }
            }
        }
        return stamps
    }

    /// `count` requests, `concurrency` at a time.
    func run(count: Int, concurrency: Int, url: String, body: ByteBuffer, headers: [(String, String)] = []) async -> (samples: [Sample], seconds: Double) {
        let start = MockProvider.now()
        let samples = await withTaskGroup(of: [Sample].self) { group in
            for worker in 0..<concurrency {
                let share = count / concurrency + (worker < count % concurrency ? 1 : 0)
                group.addTask {
                    var mine: [Sample] = []
                    mine.reserveCapacity(share)
                    for _ in 0..<share { mine.append(await self.send(url: url, body: body, headers: headers)) }
                    return mine
                }
            }
            var all: [Sample] = []
            for await part in group { all += part }
            return all
        }
        return (samples, Double(MockProvider.now() - start) / 1e9)
    }

    func shutdown() async {
        try? await self.client.shutdown()
    }
}

/// Percentiles of a list of numbers.
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let rank = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
    return sorted[rank]
}

/// What /proc says about a process.
enum ProcessStats {
    static func rssMiB(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return .nan }
        let kb = Double(line.split(separator: " ").dropFirst().first ?? "") ?? .nan
        return kb / 1024
    }

    /// User + system CPU seconds.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return .nan }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14, stime 15 (1-based over the whole line).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
