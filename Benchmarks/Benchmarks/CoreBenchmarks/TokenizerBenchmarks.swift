import Benchmark
import CCRCore
import Foundation

/// The inputs of the tokenizer benchmarks.
enum TokenizerInputs {
    static let vocabularyPath = Inputs.repository.appendingPathComponent("Sources/CCRCore/Resources/cl100k_base.tiktoken").path

    static let tokenizer: CL100kTokenizer = try! CL100kTokenizer(vocabularyPath: vocabularyPath)

    /// The 49 KB Claude Code request (01-main-turn-opus-default), parsed.
    static let claudeCodeRequest: JSONObject = try! JSONParser.parse(Inputs.claudeCodeRequest).objectValue!

    /// 1 MiB of mixed text: the capture's prose and schemas, and the golden stress corpus
    /// (code, JSON, CJK, Arabic, Hindi, Thai, emoji, whitespace runs, 20 KB of random text), repeated.
    static let mixedText: String = {
        var parts: [String] = RequestTokenCounter.pieces(of: claudeCodeRequest).map { piece in
            switch piece {
            case .text(let text): return text
            case .json(let value): return value.jsonString()
            }
        }
        let golden = try! JSONParser.parse(
            Array(Data(contentsOf: Inputs.repository.appendingPathComponent("Tests/CCRCoreTests/Fixtures/tokens/golden.json"))))
        // Without the "long …" strings: pieces of hundreds of bytes of one class are rare in real text.
        parts += (golden["corpus"]?.arrayValue ?? []).filter { $0["name"]?.stringValue?.hasPrefix("long ") == false }
            .compactMap { $0["text"]?.stringValue }
        var text = ""
        while text.utf8.count < mixedTextBytes {
            for part in parts where text.utf8.count < mixedTextBytes { text += part + "\n" }
        }
        return String(decoding: text.utf8.prefix(mixedTextBytes), as: UTF8.self)
    }()

    static let mixedTextBytes = 1 << 20
}

/// Tokenizer benchmarks: vocabulary load, request counting cold and warm, raw encoding speed.
func tokenizerBenchmarks() {
    Benchmark(
        "Tokenizer: load the cl100k vocabulary (read, decode, build the rank table)",
        configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(3), maxIterations: 50)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! CL100kTokenizer(vocabularyPath: TokenizerInputs.vocabularyPath))
        }
    }

    Benchmark("Tokenizer: count a 49 KB Claude Code request, cold (cache cleared)") { benchmark in
        let cache = TokenCountCache()
        let counter = RequestTokenCounter(tokenizer: TokenizerInputs.tokenizer, cache: cache)
        let request = TokenizerInputs.claudeCodeRequest
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            cache.removeAll()
            blackHole(counter.count(request))
        }
    }

    Benchmark("Tokenizer: count a 49 KB Claude Code request, warm (long pieces cached)") { benchmark in
        let counter = RequestTokenCounter(tokenizer: TokenizerInputs.tokenizer, cache: TokenCountCache())
        let request = TokenizerInputs.claudeCodeRequest
        blackHole(counter.count(request))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(counter.count(request))
        }
    }

    Benchmark(
        "Tokenizer: encode 1 MiB of mixed text (MB/s = throughput × 1.05)",
        configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput], maxDuration: .seconds(5), maxIterations: 200)
    ) { benchmark in
        let text = TokenizerInputs.mixedText
        let tokenizer = TokenizerInputs.tokenizer
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(tokenizer.encode(text))
        }
    }

    Benchmark(
        "Tokenizer: count 1 MiB of mixed text (MB/s = throughput × 1.05)",
        configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput], maxDuration: .seconds(5), maxIterations: 200)
    ) { benchmark in
        let text = TokenizerInputs.mixedText
        let tokenizer = TokenizerInputs.tokenizer
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(tokenizer.count(text))
        }
    }
}
