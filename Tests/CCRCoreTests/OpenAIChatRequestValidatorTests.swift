import CCRCore
import CCRTestSupport
import Testing

@Suite("OpenAI Chat request validator")
struct OpenAIChatRequestValidatorTests {
    /// A request using most of what a converted Claude Code turn carries.
    static let valid: JSONValue = [
        "model": "gpt-4o",
        "messages": [
            ["role": "system", "content": "You are terse."],
            ["role": "developer", "content": [["type": "text", "text": "Be brief."]]],
            [
                "role": "user",
                "content": [
                    ["type": "text", "text": "What is in a.txt and this image?"],
                    ["type": "image_url", "image_url": ["url": "data:image/png;base64,AAAA", "detail": "auto"]],
                    ["type": "file", "file": ["file_data": "data:application/pdf;base64,AAAA", "filename": "a.pdf"]],
                ],
            ],
            [
                "role": "assistant", "content": nil,
                "tool_calls": [
                    ["id": "call_1", "type": "function", "function": ["name": "Read", "arguments": #"{"path":"a.txt"}"#]],
                    ["id": "call_2", "type": "function", "function": ["name": "Read", "arguments": #"{"path":"b.txt"}"#]],
                ],
            ],
            ["role": "tool", "tool_call_id": "call_2", "content": "B"],
            ["role": "tool", "tool_call_id": "call_1", "content": [["type": "text", "text": "A"]]],
            ["role": "assistant", "content": "Both read."],
            ["role": "user", "content": "Thanks", "name": "me"],
        ],
        "tools": [
            [
                "type": "function",
                "function": [
                    "name": "Read", "description": "Reads a file",
                    "parameters": ["type": "object", "properties": ["path": ["type": "string"]], "required": ["path"]],
                ],
            ],
            ["type": "function", "function": ["name": "mcp__server-1__now", "parameters": [:], "strict": false]],
        ],
        "tool_choice": ["type": "function", "function": ["name": "Read"]],
        "parallel_tool_calls": true,
        "stream": true,
        "stream_options": ["include_usage": true],
        "temperature": 0.7,
        "top_p": 1,
        "max_completion_tokens": 4096,
        "stop": ["END"],
        "reasoning_effort": "high",
        "user": "u-1",
        "seed": nil,
    ]

    @Test func acceptsAValidRequest() {
        #expect(OpenAIChatRequestValidator.problems(Self.valid) == [])
    }

    @Test func acceptsAMinimalRequest() {
        let body: JSONValue = ["model": "gpt-4o-mini", "messages": [["role": "user", "content": "hi"]]]
        #expect(OpenAIChatRequestValidator.problems(body) == [])
    }

    static func changing(_ change: (inout JSONObject) -> Void) -> JSONValue {
        var object = Self.valid.objectValue!
        change(&object)
        return .object(object)
    }

    static func messages(_ messages: JSONValue...) -> JSONValue {
        Self.changing { $0["messages"] = .array(messages) }
    }

    static let call: JSONValue = [
        "role": "assistant",
        "tool_calls": [["id": "call_1", "type": "function", "function": ["name": "Read", "arguments": "{}"]]],
    ]

    /// (defect, body, text one of the problems must contain)
    static let defects: [(String, JSONValue, String)] = [
        ("not an object", ["model"], "$: the request body must be a JSON object"),
        ("unknown top-level field", changing { $0["thinking"] = ["type": "enabled"] }, "$.thinking: unrecognized request argument"),
        ("missing model", changing { $0["model"] = nil }, "$.model: required"),
        ("empty model", changing { $0["model"] = "" }, "$.model: must not be empty"),
        ("empty messages", changing { $0["messages"] = [] }, "$.messages: must not be an empty array"),
        ("unknown role", messages(["role": "function", "content": "x"]), "$.messages[0].role"),
        ("key not allowed for the role", messages(["role": "user", "content": "x", "tool_calls": []]), "$.messages[0].tool_calls: unknown key"),
        (
            "cache_control in a content part",
            messages(["role": "user", "content": [["type": "text", "text": "x", "cache_control": ["type": "ephemeral"]]]]),
            "$.messages[0].content[0].cache_control: unknown key"
        ),
        ("image part in a system message", messages(["role": "system", "content": [["type": "image_url", "image_url": ["url": "u"]]]]), "$.messages[0].content[0].type"),
        ("image_url without url", messages(["role": "user", "content": [["type": "image_url", "image_url": ["detail": "low"]]]]), "$.messages[0].content[0].image_url.url: required"),
        ("empty content array", messages(["role": "user", "content": []]), "$.messages[0].content: must not be an empty array"),
        ("user content missing", messages(["role": "user"]), "$.messages[0].content: required"),
        ("assistant with neither content nor tool_calls", messages(["role": "user", "content": "x"], ["role": "assistant", "content": nil]), "needs content or tool_calls"),
        (
            "tool call arguments not a string",
            messages(["role": "assistant", "tool_calls": [["id": "c", "type": "function", "function": ["name": "Read", "arguments": [:]]]]], ["role": "tool", "tool_call_id": "c", "content": "x"]),
            "$.messages[0].tool_calls[0].function.arguments: expected a string"
        ),
        ("empty tool_calls", messages(["role": "assistant", "content": "x", "tool_calls": []]), "$.messages[0].tool_calls: must not be an empty array"),
        ("tool message without a preceding call", messages(["role": "user", "content": "x"], ["role": "tool", "tool_call_id": "call_1", "content": "r"]), "$.messages[1]: a tool message must directly follow"),
        ("tool message answering an unknown id", messages(call, ["role": "tool", "tool_call_id": "call_9", "content": "r"]), "$.messages[1].tool_call_id: 'call_9' does not answer"),
        (
            "tool message answering twice",
            messages(call, ["role": "tool", "tool_call_id": "call_1", "content": "r"], ["role": "tool", "tool_call_id": "call_1", "content": "r"]),
            "$.messages[2].tool_call_id: 'call_1' does not answer"
        ),
        (
            "tool message after an intervening user message",
            messages(call, ["role": "user", "content": "wait"], ["role": "tool", "tool_call_id": "call_1", "content": "r"]),
            "$.messages[2]: a tool message must directly follow"
        ),
        ("unanswered tool call", messages(call, ["role": "user", "content": "x"]), "$.messages[0].tool_calls: an assistant message with tool_calls must be followed"),
        ("tool message without tool_call_id", messages(call, ["role": "tool", "content": "r"]), "$.messages[1].tool_call_id: required"),
        (
            "bad tool name",
            changing { $0["tools"] = [["type": "function", "function": ["name": "read file"]]]; $0["tool_choice"] = "auto" },
            "$.tools[0].function.name: 'read file' does not match"
        ),
        ("tool name too long", changing { $0["tools"] = [["type": "function", "function": ["name": .string(String(repeating: "a", count: 65))]]]; $0["tool_choice"] = nil }, "does not match"),
        ("non-function tool", changing { $0["tools"] = [["type": "web_search", "function": ["name": "x"]]]; $0["tool_choice"] = nil }, "$.tools[0].type: 'web_search'"),
        ("unknown key in a function", changing { $0["tools"] = [["type": "function", "function": ["name": "Read", "input_schema": [:]]]] }, "$.tools[0].function.input_schema: unknown key"),
        ("parameters not an object schema", changing { $0["tools"] = [["type": "function", "function": ["name": "Read", "parameters": ["type": "string"]]]] }, "$.tools[0].function.parameters.type"),
        ("empty tools", changing { $0["tools"] = []; $0["tool_choice"] = nil }, "$.tools: must not be an empty array"),
        ("tool_choice naming an undeclared tool", changing { $0["tool_choice"] = ["type": "function", "function": ["name": "Write"]] }, "$.tool_choice.function.name: 'Write' is not one of the declared tools"),
        ("tool_choice in Anthropic form", changing { $0["tool_choice"] = ["type": "any"] }, "$.tool_choice.type"),
        ("tool_choice string unknown", changing { $0["tool_choice"] = "any" }, "$.tool_choice: 'any'"),
        ("tool_choice without tools", changing { $0["tools"] = nil; $0["tool_choice"] = "auto"; $0["parallel_tool_calls"] = nil }, "$.tool_choice: only allowed when tools are specified"),
        ("parallel_tool_calls without tools", changing { $0["tools"] = nil; $0["tool_choice"] = nil }, "$.parallel_tool_calls: only allowed when tools are specified"),
        ("too many stop sequences", changing { $0["stop"] = ["a", "b", "c", "d", "e"] }, "$.stop: at most 4"),
        ("stop not a string", changing { $0["stop"] = 4 }, "$.stop: expected an array"),
        ("stream_options without stream", changing { $0["stream"] = false }, "$.stream_options: only allowed when stream is true"),
        ("unknown stream option", changing { $0["stream_options"] = ["include_usage": true, "chunk_size": 1] }, "$.stream_options.chunk_size: unknown key"),
        ("temperature above 2", changing { $0["temperature"] = 2.5 }, "$.temperature: 2.5 is out of range 0…2"),
        ("top_p above 1", changing { $0["top_p"] = 1.5 }, "$.top_p"),
        ("temperature as a string", changing { $0["temperature"] = "0.5" }, "$.temperature: expected a number"),
        ("max tokens zero", changing { $0["max_completion_tokens"] = 0 }, "$.max_completion_tokens: 0 is out of range"),
        ("max tokens not an integer", changing { $0["max_completion_tokens"] = 10.5 }, "$.max_completion_tokens: expected an integer"),
        ("both max token fields", changing { $0["max_tokens"] = 100 }, "cannot both be set"),
        ("unknown reasoning effort", changing { $0["reasoning_effort"] = "max" }, "$.reasoning_effort: 'max' is not one of"),
        ("response_format json_schema without schema object", changing { $0["response_format"] = ["type": "json_schema"] }, "$.response_format.json_schema: required"),
        ("null tools", changing { $0["tools"] = nil; $0["tool_choice"] = nil; $0["parallel_tool_calls"] = nil; $0["tools"] = .null }, "$.tools: expected an array"),
    ]

    @Test(arguments: Self.defects)
    func rejects(defect: String, body: JSONValue, expected: String) {
        let problems = OpenAIChatRequestValidator.problems(body)
        #expect(problems.contains { $0.contains(expected) }, "\(defect): \(problems)")
    }

    @Test func reportsEveryProblemWithItsLocation() {
        let body: JSONValue = [
            "model": "gpt-4o",
            "messages": [["role": "user", "content": [["type": "text", "text": "x", "cache_control": ["type": "ephemeral"]]]]],
            "metadata": ["user_id": "u"],
            "thinking": ["type": "enabled"],
            "temperature": 3,
        ]
        #expect(
            OpenAIChatRequestValidator.problems(body).sorted() == [
                "$.messages[0].content[0].cache_control: unknown key (allowed: text, type)",
                "$.temperature: 3 is out of range 0…2",
                "$.thinking: unrecognized request argument",
            ])
    }
}
