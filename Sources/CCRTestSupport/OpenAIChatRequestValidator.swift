import CCRCore

/// A strict checker of an OpenAI Chat Completions request body (`POST /v1/chat/completions`), after
/// the request schema OpenAI documents: it rejects what OpenAI rejects (unknown top-level
/// parameters, extra keys in content parts such as `cache_control`, arguments that are not strings,
/// tool messages that answer no pending call…), so a mock upstream built on it is as picky as the real API.
///
/// Two choices narrower than the full schema: tools must be `function` tools, and `tool_choice` objects
/// must be `{"type":"function","function":{"name":…}}` naming one of them.
public enum OpenAIChatRequestValidator {
    /// Every problem with the body, one human-readable line each (`$.messages[2].content[0].cache_control: …`).
    /// Empty means OpenAI would accept it.
    public static func problems(_ body: JSONValue) -> [String] {
        var checker = Checker()
        checker.check(body)
        return checker.problems
    }

    static let topLevelKeys: Set<String> = [
        "model", "messages", "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs",
        "max_completion_tokens", "max_tokens", "metadata", "modalities", "n", "parallel_tool_calls", "prediction",
        "presence_penalty", "prompt_cache_key", "reasoning_effort", "response_format", "safety_identifier", "seed",
        "service_tier", "stop", "store", "stream", "stream_options", "temperature", "tool_choice", "tools",
        "top_logprobs", "top_p", "user", "verbosity", "web_search_options",
    ]

    /// Optional parameters the reference marks as nullable; an explicit `null` is the same as leaving them out.
    static let nullableKeys: Set<String> = [
        "audio", "frequency_penalty", "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "metadata",
        "modalities", "n", "presence_penalty", "reasoning_effort", "seed", "service_tier", "stop", "store", "stream",
        "stream_options", "temperature", "top_logprobs", "top_p", "verbosity",
    ]

    static let messageKeys: [String: Set<String>] = [
        "system": ["role", "content", "name"],
        "developer": ["role", "content", "name"],
        "user": ["role", "content", "name"],
        "assistant": ["role", "content", "refusal", "name", "audio", "tool_calls", "function_call"],
        "tool": ["role", "content", "tool_call_id"],
    ]

    static let reasoningEfforts: Set<String> = ["none", "minimal", "low", "medium", "high", "xhigh"]
    static let serviceTiers: Set<String> = ["auto", "default", "flex", "scale", "priority"]
    static let verbosities: Set<String> = ["low", "medium", "high"]
    static let audioFormats: Set<String> = ["wav", "aac", "mp3", "flac", "opus", "pcm16"]

    /// `^[a-zA-Z0-9_-]{1,64}$`
    static func isValidName(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard (1...64).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    struct Checker {
        var problems: [String] = []

        mutating func add(_ path: String, _ message: String) {
            self.problems.append("\(path): \(message)")
        }

        static func describe(_ value: JSONValue?) -> String {
            guard let value else { return "nothing" }
            let text = value.jsonString()
            return text.count > 80 ? "\(value.kindDescription) \(text.prefix(80))…" : "\(value.kindDescription) \(text)"
        }

        // MARK: scalar helpers (each reports a problem and returns nil on a wrong type)

        @discardableResult
        mutating func string(_ value: JSONValue, _ path: String, nonEmpty: Bool = false) -> String? {
            guard let s = value.stringValue else {
                self.add(path, "expected a string, got \(Self.describe(value))")
                return nil
            }
            if nonEmpty && s.isEmpty {
                self.add(path, "must not be empty")
                return nil
            }
            return s
        }

        mutating func bool(_ value: JSONValue, _ path: String) {
            if value.boolValue == nil { self.add(path, "expected a boolean, got \(Self.describe(value))") }
        }

        @discardableResult
        mutating func integer(_ value: JSONValue, _ path: String, in range: ClosedRange<Int>? = nil) -> Int? {
            guard case .int(let i) = value else {
                self.add(path, "expected an integer, got \(Self.describe(value))")
                return nil
            }
            if let range, !range.contains(i) {
                self.add(path, "\(i) is out of range \(range.lowerBound)…\(range.upperBound)")
            }
            return i
        }

        mutating func number(_ value: JSONValue, _ path: String, in range: ClosedRange<Double>) {
            guard let d = value.doubleValue else {
                self.add(path, "expected a number, got \(Self.describe(value))")
                return
            }
            if !range.contains(d) {
                self.add(path, "\(value.jsonString()) is out of range \(Self.format(range.lowerBound))…\(Self.format(range.upperBound))")
            }
        }

        static func format(_ d: Double) -> String {
            d.rounded() == d ? String(Int(d)) : String(d)
        }

        mutating func oneOf(_ value: JSONValue, _ path: String, _ allowed: Set<String>) {
            guard let s = self.string(value, path) else { return }
            if !allowed.contains(s) {
                self.add(path, "'\(s)' is not one of \(allowed.sorted().joined(separator: ", "))")
            }
        }

        /// The object, with unknown keys and missing required keys reported.
        mutating func object(
            _ value: JSONValue, _ path: String, allowed: Set<String>, required: Set<String> = []
        ) -> JSONObject? {
            guard let object = value.objectValue else {
                self.add(path, "expected an object, got \(Self.describe(value))")
                return nil
            }
            for key in object.keys where !allowed.contains(key) {
                self.add("\(path).\(key)", "unknown key (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            for key in required.sorted() where object[key] == nil {
                self.add("\(path).\(key)", "required")
            }
            return object
        }

        mutating func array(_ value: JSONValue, _ path: String, nonEmpty: Bool = false) -> [JSONValue]? {
            guard let array = value.arrayValue else {
                self.add(path, "expected an array, got \(Self.describe(value))")
                return nil
            }
            if nonEmpty && array.isEmpty {
                self.add(path, "must not be an empty array")
            }
            return array
        }

        // MARK: the body

        mutating func check(_ body: JSONValue) {
            guard let root = body.objectValue else {
                self.add("$", "the request body must be a JSON object, got \(Self.describe(body))")
                return
            }
            for key in root.keys where !OpenAIChatRequestValidator.topLevelKeys.contains(key) {
                self.add("$.\(key)", "unrecognized request argument")
            }
            // Present and not an allowed null.
            func given(_ key: String) -> JSONValue? {
                guard let value = root[key] else { return nil }
                if value.isNull && OpenAIChatRequestValidator.nullableKeys.contains(key) { return nil }
                return value
            }

            if let model = root["model"] {
                self.string(model, "$.model", nonEmpty: true)
            } else {
                self.add("$.model", "required")
            }

            let toolsGiven = given("tools") != nil
            let tools = given("tools").flatMap { self.tools($0) }
            if let messages = root["messages"] {
                self.messages(messages)
            } else {
                self.add("$.messages", "required")
            }

            if let value = given("tool_choice") {
                self.toolChoice(value, declared: tools, toolsGiven: toolsGiven)
            }
            if let value = given("parallel_tool_calls") {
                self.bool(value, "$.parallel_tool_calls")
                if !toolsGiven { self.add("$.parallel_tool_calls", "only allowed when tools are specified") }
            }
            if let value = given("functions") { self.functions(value) }
            if let value = given("function_call") {
                if let s = value.stringValue {
                    if s != "none" && s != "auto" { self.add("$.function_call", "'\(s)' is not one of auto, none") }
                } else if let object = self.object(value, "$.function_call", allowed: ["name"], required: ["name"]),
                    let name = object["name"]
                {
                    self.string(name, "$.function_call.name", nonEmpty: true)
                }
            }

            if let value = given("audio"),
                let audio = self.object(value, "$.audio", allowed: ["voice", "format"], required: ["voice", "format"])
            {
                if let voice = audio["voice"] {
                    if voice.objectValue != nil {
                        if let v = self.object(voice, "$.audio.voice", allowed: ["id"], required: ["id"]), let id = v["id"] {
                            self.string(id, "$.audio.voice.id", nonEmpty: true)
                        }
                    } else {
                        self.string(voice, "$.audio.voice", nonEmpty: true)
                    }
                }
                if let format = audio["format"] { self.oneOf(format, "$.audio.format", OpenAIChatRequestValidator.audioFormats) }
            }
            if let value = given("frequency_penalty") { self.number(value, "$.frequency_penalty", in: -2...2) }
            if let value = given("presence_penalty") { self.number(value, "$.presence_penalty", in: -2...2) }
            if let value = given("logit_bias"), let bias = value.objectValue {
                for member in bias.members {
                    self.number(member.value, "$.logit_bias.\(member.key)", in: -100...100)
                }
            } else if let value = given("logit_bias") {
                self.add("$.logit_bias", "expected an object, got \(Self.describe(value))")
            }
            if let value = given("logprobs") { self.bool(value, "$.logprobs") }
            if let value = given("top_logprobs") {
                self.integer(value, "$.top_logprobs", in: 0...20)
                if given("logprobs") != .bool(true) { self.add("$.top_logprobs", "requires logprobs: true") }
            }

            let maxTokens = given("max_tokens")
            let maxCompletionTokens = given("max_completion_tokens")
            if let value = maxTokens { self.integer(value, "$.max_tokens", in: 1...Int.max) }
            if let value = maxCompletionTokens { self.integer(value, "$.max_completion_tokens", in: 1...Int.max) }
            if maxTokens != nil && maxCompletionTokens != nil {
                self.add("$.max_tokens", "max_tokens and max_completion_tokens cannot both be set")
            }

            if let value = given("metadata"), value.objectValue == nil {
                self.add("$.metadata", "expected an object, got \(Self.describe(value))")
            } else if let metadata = given("metadata")?.objectValue {
                if metadata.count > 16 { self.add("$.metadata", "at most 16 pairs, got \(metadata.count)") }
                for member in metadata.members {
                    if member.key.count > 64 { self.add("$.metadata.\(member.key)", "keys are at most 64 characters") }
                    if let s = self.string(member.value, "$.metadata.\(member.key)"), s.count > 512 {
                        self.add("$.metadata.\(member.key)", "values are at most 512 characters")
                    }
                }
            }
            if let value = given("modalities"), let modalities = self.array(value, "$.modalities") {
                for (i, m) in modalities.enumerated() { self.oneOf(m, "$.modalities[\(i)]", ["text", "audio"]) }
            }
            if let value = given("n") { self.integer(value, "$.n", in: 1...128) }
            if let value = given("prediction"),
                let prediction = self.object(value, "$.prediction", allowed: ["type", "content"], required: ["type", "content"])
            {
                if let type = prediction["type"] { self.oneOf(type, "$.prediction.type", ["content"]) }
                if let content = prediction["content"] { self.textContent(content, "$.prediction.content") }
            }
            if let value = given("prompt_cache_key") { self.string(value, "$.prompt_cache_key") }
            if let value = given("safety_identifier") { self.string(value, "$.safety_identifier") }
            if let value = given("user") { self.string(value, "$.user") }
            if let value = given("reasoning_effort") {
                self.oneOf(value, "$.reasoning_effort", OpenAIChatRequestValidator.reasoningEfforts)
            }
            if let value = given("response_format") { self.responseFormat(value) }
            if let value = given("seed") { self.integer(value, "$.seed") }
            if let value = given("service_tier") { self.oneOf(value, "$.service_tier", OpenAIChatRequestValidator.serviceTiers) }
            if let value = given("stop") {
                if value.stringValue == nil, let stops = self.array(value, "$.stop") {
                    if stops.count > 4 { self.add("$.stop", "at most 4 stop sequences, got \(stops.count)") }
                    for (i, s) in stops.enumerated() { self.string(s, "$.stop[\(i)]") }
                }
            }
            if let value = given("store") { self.bool(value, "$.store") }
            let stream = given("stream")
            if let stream { self.bool(stream, "$.stream") }
            if let value = given("stream_options") {
                if stream != .bool(true) { self.add("$.stream_options", "only allowed when stream is true") }
                if let options = self.object(value, "$.stream_options", allowed: ["include_usage", "include_obfuscation"]) {
                    for member in options.members where member.key == "include_usage" || member.key == "include_obfuscation" {
                        self.bool(member.value, "$.stream_options.\(member.key)")
                    }
                }
            }
            if let value = given("temperature") { self.number(value, "$.temperature", in: 0...2) }
            if let value = given("top_p") { self.number(value, "$.top_p", in: 0...1) }
            if let value = given("verbosity") { self.oneOf(value, "$.verbosity", OpenAIChatRequestValidator.verbosities) }
            if let value = given("web_search_options"),
                let options = self.object(value, "$.web_search_options", allowed: ["search_context_size", "user_location"])
            {
                if let size = options["search_context_size"] {
                    self.oneOf(size, "$.web_search_options.search_context_size", ["low", "medium", "high"])
                }
                if let location = options["user_location"] {
                    _ = self.object(location, "$.web_search_options.user_location", allowed: ["type", "approximate"], required: ["type", "approximate"])
                }
            }
        }

        // MARK: tools

        /// The declared tool names (nil when `tools` is not a usable array).
        mutating func tools(_ value: JSONValue) -> [String]? {
            guard let tools = self.array(value, "$.tools", nonEmpty: true) else { return nil }
            if tools.count > 128 { self.add("$.tools", "at most 128 tools, got \(tools.count)") }
            var names: [String] = []
            for (i, tool) in tools.enumerated() {
                let path = "$.tools[\(i)]"
                guard let object = self.object(tool, path, allowed: ["type", "function"], required: ["type", "function"]) else { continue }
                if let type = object["type"] { self.oneOf(type, "\(path).type", ["function"]) }
                guard let function = object["function"] else { continue }
                if let name = self.functionDefinition(function, "\(path).function") { names.append(name) }
            }
            return names
        }

        /// Checks `{name, description?, parameters?, strict?}` and returns the name.
        mutating func functionDefinition(_ value: JSONValue, _ path: String, allowStrict: Bool = true) -> String? {
            let allowed: Set<String> = allowStrict ? ["name", "description", "parameters", "strict"] : ["name", "description", "parameters"]
            guard let function = self.object(value, path, allowed: allowed, required: ["name"]) else { return nil }
            var validName: String?
            if let name = function["name"], let s = self.string(name, "\(path).name") {
                if OpenAIChatRequestValidator.isValidName(s) {
                    validName = s
                } else {
                    self.add("\(path).name", "'\(s)' does not match ^[a-zA-Z0-9_-]{1,64}$")
                }
            }
            if let description = function["description"] { self.string(description, "\(path).description") }
            if let parameters = function["parameters"] {
                if let schema = parameters.objectValue {
                    if let type = schema["type"], type != .string("object") {
                        self.add("\(path).parameters.type", "the parameters schema must have type \"object\", got \(Self.describe(type))")
                    } else if schema["type"] == nil && !schema.isEmpty {
                        self.add("\(path).parameters", "the parameters schema must have type \"object\"")
                    }
                } else {
                    self.add("\(path).parameters", "expected an object (a JSON Schema), got \(Self.describe(parameters))")
                }
            }
            if let strict = function["strict"], !strict.isNull { self.bool(strict, "\(path).strict") }
            return validName
        }

        mutating func functions(_ value: JSONValue) {
            guard let functions = self.array(value, "$.functions", nonEmpty: true) else { return }
            for (i, function) in functions.enumerated() {
                _ = self.functionDefinition(function, "$.functions[\(i)]", allowStrict: false)
            }
        }

        mutating func toolChoice(_ value: JSONValue, declared: [String]?, toolsGiven: Bool) {
            let path = "$.tool_choice"
            if !toolsGiven { self.add(path, "only allowed when tools are specified") }
            if let s = value.stringValue {
                if !["none", "auto", "required"].contains(s) { self.add(path, "'\(s)' is not one of auto, none, required") }
                return
            }
            guard let choice = self.object(value, path, allowed: ["type", "function"], required: ["type", "function"]) else { return }
            if let type = choice["type"] { self.oneOf(type, "\(path).type", ["function"]) }
            guard let function = choice["function"],
                let object = self.object(function, "\(path).function", allowed: ["name"], required: ["name"]),
                let nameValue = object["name"], let name = self.string(nameValue, "\(path).function.name")
            else { return }
            if let declared, !declared.contains(name) {
                self.add("\(path).function.name", "'\(name)' is not one of the declared tools (\(declared.joined(separator: ", ")))")
            }
        }

        mutating func responseFormat(_ value: JSONValue) {
            let path = "$.response_format"
            guard let format = value.objectValue, let type = format["type"]?.stringValue else {
                self.add(path, "expected an object with a string \"type\", got \(Self.describe(value))")
                return
            }
            switch type {
            case "text", "json_object":
                _ = self.object(value, path, allowed: ["type"])
            case "json_schema":
                guard let object = self.object(value, path, allowed: ["type", "json_schema"], required: ["json_schema"]),
                    let schemaValue = object["json_schema"],
                    let schema = self.object(
                        schemaValue, "\(path).json_schema", allowed: ["name", "description", "schema", "strict"], required: ["name"])
                else { return }
                if let name = schema["name"], let s = self.string(name, "\(path).json_schema.name"),
                    !OpenAIChatRequestValidator.isValidName(s)
                {
                    self.add("\(path).json_schema.name", "'\(s)' does not match ^[a-zA-Z0-9_-]{1,64}$")
                }
                if let description = schema["description"] { self.string(description, "\(path).json_schema.description") }
                if let s = schema["schema"], s.objectValue == nil {
                    self.add("\(path).json_schema.schema", "expected an object, got \(Self.describe(s))")
                }
                if let strict = schema["strict"], !strict.isNull { self.bool(strict, "\(path).json_schema.strict") }
            default:
                self.add("\(path).type", "'\(type)' is not one of json_object, json_schema, text")
            }
        }

        // MARK: messages

        mutating func messages(_ value: JSONValue) {
            guard let messages = self.array(value, "$.messages", nonEmpty: true) else { return }
            // Tool calls of the latest assistant message still waiting for their tool message, in order.
            var pending: [String] = []
            var pendingFrom: Int?

            func reportUnanswered(_ checker: inout Checker) {
                if let from = pendingFrom, !pending.isEmpty {
                    checker.add(
                        "$.messages[\(from)].tool_calls",
                        "an assistant message with tool_calls must be followed by tool messages answering each call; no answer for \(pending.joined(separator: ", "))"
                    )
                }
                pending = []
                pendingFrom = nil
            }

            for (i, message) in messages.enumerated() {
                let path = "$.messages[\(i)]"
                guard let object = message.objectValue else {
                    self.add(path, "expected an object, got \(Self.describe(message))")
                    reportUnanswered(&self)
                    continue
                }
                guard let roleValue = object["role"] else {
                    self.add("\(path).role", "required")
                    reportUnanswered(&self)
                    continue
                }
                guard let role = roleValue.stringValue, let allowed = OpenAIChatRequestValidator.messageKeys[role] else {
                    self.add("\(path).role", "\(Self.describe(roleValue)) is not one of assistant, developer, system, tool, user")
                    reportUnanswered(&self)
                    continue
                }
                for key in object.keys where !allowed.contains(key) {
                    self.add("\(path).\(key)", "unknown key for a \(role) message (allowed: \(allowed.sorted().joined(separator: ", ")))")
                }
                if allowed.contains("name"), let name = object["name"] { self.string(name, "\(path).name") }

                if role == "tool" {
                    self.toolMessage(object, path, pending: &pending, pendingFrom: pendingFrom)
                    continue
                }
                reportUnanswered(&self)

                switch role {
                case "system", "developer":
                    if let content = object["content"] { self.textContent(content, "\(path).content") } else { self.add("\(path).content", "required") }
                case "user":
                    if let content = object["content"] { self.userContent(content, "\(path).content") } else { self.add("\(path).content", "required") }
                default:
                    let ids = self.assistantMessage(object, path)
                    if !ids.isEmpty {
                        pending = ids
                        pendingFrom = i
                    }
                }
            }
            reportUnanswered(&self)
        }

        mutating func toolMessage(_ object: JSONObject, _ path: String, pending: inout [String], pendingFrom: Int?) {
            if let content = object["content"] { self.textContent(content, "\(path).content") } else { self.add("\(path).content", "required") }
            guard let idValue = object["tool_call_id"] else {
                self.add("\(path).tool_call_id", "required")
                return
            }
            guard let id = self.string(idValue, "\(path).tool_call_id") else { return }
            guard let from = pendingFrom else {
                self.add(
                    "\(path)",
                    "a tool message must directly follow an assistant message with tool_calls (or other tool messages answering it); nothing is waiting for '\(id)'"
                )
                return
            }
            if let index = pending.firstIndex(of: id) {
                pending.remove(at: index)
            } else {
                self.add(
                    "\(path).tool_call_id",
                    "'\(id)' does not answer an unanswered tool call of messages[\(from)] (waiting for: \(pending.isEmpty ? "none" : pending.joined(separator: ", ")))"
                )
            }
        }

        /// Checks an assistant message and returns its tool call ids.
        mutating func assistantMessage(_ object: JSONObject, _ path: String) -> [String] {
            var hasContent = false
            if let content = object["content"], !content.isNull {
                hasContent = true
                if content.stringValue == nil {
                    self.parts(content, "\(path).content", allowed: ["text", "refusal"])
                }
            }
            if let refusal = object["refusal"], !refusal.isNull { self.string(refusal, "\(path).refusal") }
            if let audio = object["audio"], !audio.isNull,
                let a = self.object(audio, "\(path).audio", allowed: ["id"], required: ["id"]), let id = a["id"]
            {
                self.string(id, "\(path).audio.id", nonEmpty: true)
            }
            if let call = object["function_call"], !call.isNull,
                let c = self.object(call, "\(path).function_call", allowed: ["name", "arguments"], required: ["name", "arguments"])
            {
                if let name = c["name"] { self.string(name, "\(path).function_call.name", nonEmpty: true) }
                if let arguments = c["arguments"] { self.string(arguments, "\(path).function_call.arguments") }
            }

            var ids: [String] = []
            var hasCalls = false
            if let calls = object["tool_calls"], !calls.isNull, let array = self.array(calls, "\(path).tool_calls", nonEmpty: true) {
                hasCalls = !array.isEmpty
                for (j, call) in array.enumerated() {
                    let callPath = "\(path).tool_calls[\(j)]"
                    guard let c = self.object(call, callPath, allowed: ["id", "type", "function"], required: ["id", "type", "function"]) else {
                        continue
                    }
                    if let idValue = c["id"], let id = self.string(idValue, "\(callPath).id", nonEmpty: true) {
                        if ids.contains(id) {
                            self.add("\(callPath).id", "duplicate tool call id '\(id)'")
                        } else {
                            ids.append(id)
                        }
                    }
                    if let type = c["type"] { self.oneOf(type, "\(callPath).type", ["function"]) }
                    if let function = c["function"],
                        let f = self.object(function, "\(callPath).function", allowed: ["name", "arguments"], required: ["name", "arguments"])
                    {
                        if let name = f["name"] { self.string(name, "\(callPath).function.name", nonEmpty: true) }
                        if let arguments = f["arguments"] { self.string(arguments, "\(callPath).function.arguments") }
                    }
                }
            }
            let hasFunctionCall = object["function_call"].map { !$0.isNull } ?? false
            let hasAudio = object["audio"].map { !$0.isNull } ?? false
            if !hasContent && !hasCalls && !hasFunctionCall && !hasAudio {
                self.add(path, "an assistant message needs content or tool_calls")
            }
            return ids
        }

        /// A string or a non-empty array of text parts.
        mutating func textContent(_ value: JSONValue, _ path: String) {
            if value.stringValue != nil { return }
            if value.arrayValue == nil {
                self.add(path, "expected a string or an array of text parts, got \(Self.describe(value))")
                return
            }
            self.parts(value, path, allowed: ["text"])
        }

        mutating func userContent(_ value: JSONValue, _ path: String) {
            if value.stringValue != nil { return }
            if value.arrayValue == nil {
                self.add(path, "expected a string or an array of content parts, got \(Self.describe(value))")
                return
            }
            self.parts(value, path, allowed: ["text", "image_url", "input_audio", "file"])
        }

        mutating func parts(_ value: JSONValue, _ path: String, allowed types: Set<String>) {
            guard let parts = self.array(value, path, nonEmpty: true) else { return }
            for (k, part) in parts.enumerated() {
                let partPath = "\(path)[\(k)]"
                guard let object = part.objectValue else {
                    self.add(partPath, "expected a content part object, got \(Self.describe(part))")
                    continue
                }
                guard let typeValue = object["type"], let type = typeValue.stringValue, types.contains(type) else {
                    self.add("\(partPath).type", "\(Self.describe(object["type"])) is not one of \(types.sorted().joined(separator: ", "))")
                    continue
                }
                // Each part is {type, <type>}: e.g. {"type":"text","text":…}.
                guard let part = self.object(part, partPath, allowed: ["type", type], required: [type]), let body = part[type] else {
                    continue
                }
                let bodyPath = "\(partPath).\(type)"
                switch type {
                case "text", "refusal":
                    self.string(body, bodyPath)
                case "image_url":
                    guard let image = self.object(body, bodyPath, allowed: ["url", "detail"], required: ["url"]) else { break }
                    if let url = image["url"] { self.string(url, "\(bodyPath).url", nonEmpty: true) }
                    if let detail = image["detail"] { self.oneOf(detail, "\(bodyPath).detail", ["auto", "low", "high"]) }
                case "input_audio":
                    guard let audio = self.object(body, bodyPath, allowed: ["data", "format"], required: ["data", "format"]) else { break }
                    if let data = audio["data"] { self.string(data, "\(bodyPath).data") }
                    if let format = audio["format"] { self.oneOf(format, "\(bodyPath).format", ["wav", "mp3"]) }
                default:  // file
                    guard let file = self.object(body, bodyPath, allowed: ["file_data", "file_id", "filename"]) else { break }
                    for member in file.members { self.string(member.value, "\(bodyPath).\(member.key)") }
                }
            }
        }
    }
}
