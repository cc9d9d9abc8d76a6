import Benchmark
import CCRCore
import Foundation

/// The fixtures the benchmarks run on: a real 49 KB Claude Code request, and a 2,000-chunk
/// OpenAI stream shaped like a real answer (reasoning, text, a tool call, usage).
enum Inputs {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let claudeCodeRequest: [UInt8] = {
        let url = repository.appendingPathComponent("Tests/CCRCoreTests/Fixtures/claude-code/01-main-turn-opus-default.json")
        let file = try! JSONParser.parse(Array(Data(contentsOf: url)))
        return file["body"]!.encoded()
    }()

    static let configuration: CCRConfiguration = {
        let text = #"{"Providers":[{"name":"deepseek","api_base_url":"https://api.deepseek.com/chat/completions","api_key":"k","models":["deepseek-chat","deepseek-reasoner"]},{"name":"anthropic","api_base_url":"https://api.anthropic.com/v1/messages","api_key":"k","models":["claude-sonnet-4-5"],"transformer":{"use":["Anthropic"]}}],"Router":{"default":"deepseek,deepseek-chat"}}"#
        return try! ConfigLoader(environment: [:]).load(text: Array(text.utf8)).0
    }()

    /// 2,000 SSE events: 400 reasoning deltas, 1,400 text deltas, a tool call in 198 argument
    /// pieces, the finish and the usage chunk; then [DONE].
    static let openAIStream: [UInt8] = {
        func chunk(_ delta: String, finish: String? = nil) -> String {
            let f = finish.map { "\"\($0)\"" } ?? "null"
            return "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1764500000,\"model\":\"deepseek-chat\",\"choices\":[{\"index\":0,\"delta\":\(delta),\"logprobs\":null,\"finish_reason\":\(f)}]}\n\n"
        }
        var out = chunk(#"{"role":"assistant","content":""}"#)
        for i in 0..<400 { out += chunk(#"{"reasoning_content":"step \#(i) of the plan, "}"#) }
        for i in 0..<1_400 { out += chunk(#"{"content":"word\#(i) "}"#) }
        out += chunk(#"{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"Bash","arguments":""}}]}"#)
        for i in 0..<196 { out += chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"\#(i == 0 ? "{\\\"command\\\":\\\"" : "")x\#(i == 195 ? "\\\"}" : "")"}}]}"#) }
        out += chunk("{}", finish: "tool_calls")
        out += "data: {\"id\":\"chatcmpl-bench\",\"choices\":[],\"usage\":{\"prompt_tokens\":12000,\"completion_tokens\":2000,\"prompt_tokens_details\":{\"cached_tokens\":11000}}}\n\n"
        out += "data: [DONE]\n\n"
        return Array(out.utf8)
    }()

    static let openAIStreamChunkCount = 2_000
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        maxDuration: .seconds(3),
        maxIterations: 100_000)

    Benchmark("Parse a 50 KB Claude Code request") { benchmark in
        let bytes = Inputs.claudeCodeRequest
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try! JSONParser.parse(bytes))
        }
    }

    Benchmark("Convert a 50 KB Claude Code request to OpenAI Chat (parse, encode, serialise)") { benchmark in
        let bytes = Inputs.claudeCodeRequest
        let target = OpenAIChatTarget.infer(baseURL: "https://api.deepseek.com/chat/completions", model: "deepseek-chat")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let request = try! JSONParser.parse(bytes).objectValue!
            blackHole(try! OpenAIChatRequestEncoder.encode(request, target: target).encoded())
        }
    }

    Benchmark("Anthropic passthrough: replace model in a 50 KB request") { benchmark in
        let bytes = Inputs.claudeCodeRequest
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(JSONTopLevel.replacingString("model", with: "deepseek-chat", in: bytes))
        }
    }

    Benchmark("Route a request (explicit provider,model and default)") { benchmark in
        let router = RequestRouter(configuration: Inputs.configuration)
        let explicit: JSONObject = ["model": "DeepSeek,deepseek-reasoner"]
        let byDefault: JSONObject = ["model": "claude-opus-5-5"]
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try! await router.route(body: explicit, headers: [:]))
            blackHole(try! await router.route(body: byDefault, headers: [:]))
        }
    }

    Benchmark(
        "OpenAI stream → Anthropic events, 2,000 chunks (per-chunk cost = time / 2,000)",
        configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal], maxDuration: .seconds(3))
    ) { benchmark in
        let stream = Inputs.openAIStream
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var decoder = SSEDecoder()
            var converter = OpenAIChatStreamConverter(messageID: "msg_bench", model: "deepseek-chat", inputTokenEstimate: 12_000)
            var bytes = 0
            // As it arrives from the network: reads of about 1.4 KB.
            var offset = 0
            while offset < stream.count {
                let end = min(offset + 1_400, stream.count)
                decoder.feed(stream[offset..<end]) { event in _ = converter.consume(event) }
                bytes += converter.takeOutput().count
                offset = end
            }
            blackHole(bytes)
        }
    }

    tokenizerBenchmarks()
}
