import CCRCore

/// A strict checker of a Gemini `generateContent` request body, after the request schema Google
/// documents and the rules its API enforces: unknown fields anywhere are rejected (as Gemini's
/// "Invalid JSON payload received. Unknown name …"), parts carry exactly one kind of data, turns
/// alternate between `user` and `model`, each function-call turn is answered by as many function
/// responses naming its calls, and function declarations use only the OpenAPI subset of `Schema`.
/// A mock upstream built on it is as picky as the real API.
public enum GeminiRequestValidator {
    /// Every problem with the body, one line each (`$.contents[2].parts[0].cache_control: …`).
    /// Empty means Gemini would accept it.
    public static func problems(_ body: JSONValue) -> [String] {
        var checker = Checker()
        checker.check(body)
        return checker.problems
    }

    static let topLevelKeys: Set<String> = ["contents", "systemInstruction", "tools", "toolConfig", "generationConfig", "safetySettings", "cachedContent"]
    static let partDataKeys: Set<String> = ["text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult"]
    static let partExtraKeys: Set<String> = ["thought", "thoughtSignature", "videoMetadata"]
    static let generationKeys: Set<String> = [
        "stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema", "responseModalities", "candidateCount",
        "maxOutputTokens", "temperature", "topP", "topK", "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs",
        "logprobs", "enableEnhancedCivicAnswers", "speechConfig", "thinkingConfig", "mediaResolution",
    ]
    /// The keywords of Gemini's `Schema` (a subset of OpenAPI 3.0).
    public static let schemaKeys: Set<String> = [
        "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required",
        "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
        "default", "items", "minimum", "maximum",
    ]
    static let schemaTypes: Set<String> = ["STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"]
    static let formats: [String: Set<String>] = ["STRING": ["enum", "date-time"], "NUMBER": ["float", "double"], "INTEGER": ["int32", "int64"]]

    /// `[A-Za-z_][A-Za-z0-9_.:-]*`, at most 128 characters.
    static func isValidFunctionName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 128 else { return false }
        func isLetter(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("A"..."Z").contains(s) || s == "_" }
        return isLetter(first) && name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || ".:-".unicodeScalars.contains($0) }
    }

    struct Checker {
        var problems: [String] = []
        var declared: Set<String> = []

        mutating func add(_ path: String, _ message: String) {
            self.problems.append("\(path): \(message)")
        }

        mutating func unknownKeys(_ object: JSONObject, allowed: Set<String>, _ path: String) {
            for key in object.keys where !allowed.contains(key) { self.add("\(path).\(key)", "unknown field (Gemini rejects it)") }
        }

        mutating func check(_ body: JSONValue) {
            guard case .object(let object) = body else {
                self.add("$", "the body must be an object")
                return
            }
            self.unknownKeys(object, allowed: GeminiRequestValidator.topLevelKeys, "$")
            if let system = object["systemInstruction"] {
                self.content(system, "$.systemInstruction", system: true)
            }
            if let tools = object["tools"] { self.tools(tools) }
            if let config = object["toolConfig"] { self.toolConfig(config) }
            if let config = object["generationConfig"] { self.generationConfig(config) }
            guard let contents = object["contents"]?.arrayValue, !contents.isEmpty else {
                self.add("$.contents", "must be a non-empty array")
                return
            }
            var previousRole: String?
            var pendingCalls: [String] = []
            for (index, content) in contents.enumerated() {
                let path = "$.contents[\(index)]"
                self.content(content, path, system: false)
                let role = content["role"]?.stringValue
                if role == previousRole { self.add(path, "two '\(role ?? "")' turns in a row: turns must alternate between user and model") }
                previousRole = role
                let parts = content["parts"]?.arrayValue ?? []
                let calls = parts.compactMap { $0["functionCall"]?["name"]?.stringValue }
                let responses = parts.compactMap { $0["functionResponse"]?["name"]?.stringValue }
                if role == "model" {
                    if !pendingCalls.isEmpty { self.add(path, "the function calls before this turn were not answered") }
                    pendingCalls = calls
                } else {
                    if responses.count != pendingCalls.count {
                        self.add(path, "\(responses.count) function response(s) for \(pendingCalls.count) function call(s) in the turn before")
                    } else if responses.sorted() != pendingCalls.sorted() {
                        self.add(path, "function responses \(responses) do not name the calls \(pendingCalls)")
                    }
                    pendingCalls = []
                }
            }
        }

        mutating func content(_ value: JSONValue, _ path: String, system: Bool) {
            guard case .object(let object) = value else {
                self.add(path, "must be an object")
                return
            }
            self.unknownKeys(object, allowed: ["role", "parts"], path)
            let role = object["role"]?.stringValue
            if !system && role != "user" && role != "model" { self.add("\(path).role", "must be \"user\" or \"model\", got \(object["role"]?.jsonString() ?? "nothing")") }
            guard let parts = object["parts"]?.arrayValue, !parts.isEmpty else {
                self.add("\(path).parts", "must be a non-empty array")
                return
            }
            for (index, part) in parts.enumerated() {
                self.part(part, "\(path).parts[\(index)]", role: system ? "system" : role ?? "")
            }
        }

        mutating func part(_ value: JSONValue, _ path: String, role: String) {
            guard case .object(let object) = value else {
                self.add(path, "must be an object")
                return
            }
            self.unknownKeys(object, allowed: GeminiRequestValidator.partDataKeys.union(GeminiRequestValidator.partExtraKeys), path)
            let data = object.keys.filter { GeminiRequestValidator.partDataKeys.contains($0) }
            guard data.count == 1, let kind = data.first else {
                self.add(path, "a part holds exactly one of text, inlineData, fileData, functionCall, functionResponse; found \(data)")
                return
            }
            if let signature = object["thoughtSignature"], signature.stringValue?.isEmpty != false {
                self.add("\(path).thoughtSignature", "must be a non-empty string")
            }
            if let thought = object["thought"], thought.boolValue == nil { self.add("\(path).thought", "must be a boolean") }
            let payload = object[kind] ?? .null
            switch kind {
            case "text":
                guard let text = payload.stringValue else { return self.add("\(path).text", "must be a string") }
                if text.isEmpty && object["thoughtSignature"] == nil { self.add("\(path).text", "empty text part") }
            case "inlineData":
                self.fields(payload, required: ["mimeType", "data"], optional: [], "\(path).inlineData")
            case "fileData":
                self.fields(payload, required: ["fileUri"], optional: ["mimeType"], "\(path).fileData")
            case "functionCall":
                if role != "model" { self.add("\(path).functionCall", "function calls belong in model turns") }
                self.fields(payload, required: ["name"], optional: ["args", "id"], "\(path).functionCall")
                if let args = payload["args"], args.objectValue == nil { self.add("\(path).functionCall.args", "must be an object") }
            case "functionResponse":
                if role != "user" { self.add("\(path).functionResponse", "function responses belong in user turns") }
                self.fields(payload, required: ["name", "response"], optional: ["id", "parts", "willContinue", "scheduling"], "\(path).functionResponse")
                if let response = payload["response"], response.objectValue == nil { self.add("\(path).functionResponse.response", "must be an object") }
            default:
                break
            }
        }

        /// An object with string members `required` and `optional` and nothing else (`args`/`response`/`parts` may be any JSON).
        mutating func fields(_ value: JSONValue, required: [String], optional: Set<String>, _ path: String) {
            guard case .object(let object) = value else { return self.add(path, "must be an object") }
            self.unknownKeys(object, allowed: Set(required).union(optional), path)
            for key in required {
                guard let member = object[key] else {
                    self.add("\(path).\(key)", "is required")
                    continue
                }
                if key != "response", member.stringValue?.isEmpty != false { self.add("\(path).\(key)", "must be a non-empty string") }
            }
        }

        mutating func tools(_ value: JSONValue) {
            guard let tools = value.arrayValue else { return self.add("$.tools", "must be an array") }
            for (index, tool) in tools.enumerated() {
                let path = "$.tools[\(index)]"
                guard case .object(let object) = tool, object.count == 1, let key = object.keys.first else {
                    self.add(path, "a tool holds exactly one of functionDeclarations, googleSearch, codeExecution, urlContext")
                    continue
                }
                switch key {
                case "functionDeclarations":
                    for (n, declaration) in (object[key]?.arrayValue ?? []).enumerated() {
                        self.declaration(declaration, "\(path).functionDeclarations[\(n)]")
                    }
                case "googleSearch", "codeExecution", "urlContext", "googleSearchRetrieval":
                    if object[key]?.objectValue == nil { self.add("\(path).\(key)", "must be an object") }
                default:
                    self.add("\(path).\(key)", "unknown tool")
                }
            }
        }

        mutating func declaration(_ value: JSONValue, _ path: String) {
            guard case .object(let object) = value else { return self.add(path, "must be an object") }
            self.unknownKeys(object, allowed: ["name", "description", "parameters", "parametersJsonSchema", "response", "responseJsonSchema", "behavior"], path)
            let name = object["name"]?.stringValue ?? ""
            if !GeminiRequestValidator.isValidFunctionName(name) { self.add("\(path).name", "'\(name)' is not a valid function name") }
            if self.declared.contains(name) { self.add("\(path).name", "duplicate function '\(name)'") }
            self.declared.insert(name)
            if let description = object["description"], description.stringValue == nil { self.add("\(path).description", "must be a string") }
            if object["parameters"] != nil && object["parametersJsonSchema"] != nil {
                self.add(path, "parameters and parametersJsonSchema are mutually exclusive")
            }
            if let parameters = object["parameters"] {
                self.schema(parameters, "\(path).parameters")
                if parameters["type"]?.stringValue?.uppercased() != "OBJECT" {
                    self.add("\(path).parameters.type", "parameters must be an OBJECT schema")
                } else if parameters["properties"]?.objectValue?.isEmpty ?? true {
                    self.add("\(path).parameters.properties", "should be non-empty for OBJECT type")
                }
            }
        }

        mutating func schema(_ value: JSONValue, _ path: String) {
            guard case .object(let object) = value else { return self.add(path, "a schema must be an object") }
            self.unknownKeys(object, allowed: GeminiRequestValidator.schemaKeys, path)
            let type = object["type"]?.stringValue?.uppercased()
            if let raw = object["type"] {
                if type == nil || !GeminiRequestValidator.schemaTypes.contains(type!) { self.add("\(path).type", "unknown type \(raw.jsonString())") }
            }
            if let format = object["format"]?.stringValue, !(GeminiRequestValidator.formats[type ?? ""]?.contains(format) ?? false) {
                self.add("\(path).format", "format '\(format)' is not supported for \(type ?? "an untyped schema")")
            }
            if let values = object["enum"] {
                if values.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true { self.add("\(path).enum", "must be an array of strings") }
            }
            for key in ["description", "title", "pattern"] {
                if let member = object[key], member.stringValue == nil { self.add("\(path).\(key)", "must be a string") }
            }
            if let nullable = object["nullable"], nullable.boolValue == nil { self.add("\(path).nullable", "must be a boolean") }
            for key in ["minimum", "maximum"] {
                if let member = object[key], member.doubleValue == nil { self.add("\(path).\(key)", "must be a number") }
            }
            for key in ["minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"] {
                if let member = object[key], member.intValue == nil { self.add("\(path).\(key)", "must be an integer") }
            }
            var names: Set<String> = []
            if let properties = object["properties"] {
                if case .object(let members) = properties {
                    for member in members.members {
                        names.insert(member.key)
                        self.schema(member.value, "\(path).properties.\(member.key)")
                    }
                } else {
                    self.add("\(path).properties", "must be an object")
                }
            }
            if let required = object["required"] {
                for name in required.arrayValue ?? [] where !names.contains(name.stringValue ?? "") {
                    self.add("\(path).required", "\(name.jsonString()) is not a declared property")
                }
            }
            if let items = object["items"] { self.schema(items, "\(path).items") }
            if let branches = object["anyOf"] {
                for (n, branch) in (branches.arrayValue ?? []).enumerated() { self.schema(branch, "\(path).anyOf[\(n)]") }
            }
        }

        mutating func toolConfig(_ value: JSONValue) {
            guard case .object(let object) = value else { return self.add("$.toolConfig", "must be an object") }
            self.unknownKeys(object, allowed: ["functionCallingConfig", "retrievalConfig"], "$.toolConfig")
            guard let config = object["functionCallingConfig"]?.objectValue else { return }
            self.unknownKeys(config, allowed: ["mode", "allowedFunctionNames"], "$.toolConfig.functionCallingConfig")
            let mode = config["mode"]?.stringValue ?? ""
            if !["AUTO", "ANY", "NONE", "VALIDATED"].contains(mode) { self.add("$.toolConfig.functionCallingConfig.mode", "unknown mode '\(mode)'") }
            if let names = config["allowedFunctionNames"] {
                if mode != "ANY" && mode != "VALIDATED" { self.add("$.toolConfig.functionCallingConfig.allowedFunctionNames", "only with mode ANY") }
                for name in names.arrayValue ?? [] where !self.declared.contains(name.stringValue ?? "") {
                    self.add("$.toolConfig.functionCallingConfig.allowedFunctionNames", "\(name.jsonString()) is not a declared function")
                }
            }
        }

        mutating func generationConfig(_ value: JSONValue) {
            guard case .object(let object) = value else { return self.add("$.generationConfig", "must be an object") }
            self.unknownKeys(object, allowed: GeminiRequestValidator.generationKeys, "$.generationConfig")
            if let stops = object["stopSequences"] {
                if (stops.arrayValue?.count ?? 99) > 5 { self.add("$.generationConfig.stopSequences", "at most 5 stop sequences") }
            }
            if let temperature = object["temperature"], !(0...2).contains(temperature.doubleValue ?? -1) {
                self.add("$.generationConfig.temperature", "must be a number in [0, 2]")
            }
            if let topP = object["topP"], !(0...1).contains(topP.doubleValue ?? -1) { self.add("$.generationConfig.topP", "must be a number in [0, 1]") }
            for key in ["topK", "maxOutputTokens"] {
                if let member = object[key], (member.intValue ?? 0) <= 0 { self.add("$.generationConfig.\(key)", "must be a positive integer") }
            }
            if let thinking = object["thinkingConfig"] {
                guard case .object(let config) = thinking else { return self.add("$.generationConfig.thinkingConfig", "must be an object") }
                self.unknownKeys(config, allowed: ["includeThoughts", "thinkingBudget", "thinkingLevel"], "$.generationConfig.thinkingConfig")
                if config["thinkingBudget"] != nil && config["thinkingLevel"] != nil {
                    self.add("$.generationConfig.thinkingConfig", "thinkingBudget and thinkingLevel cannot both be set")
                }
                if let budget = config["thinkingBudget"], budget.intValue == nil { self.add("$.generationConfig.thinkingConfig.thinkingBudget", "must be an integer") }
                if let level = config["thinkingLevel"], !["minimal", "low", "medium", "high"].contains(level.stringValue?.lowercased() ?? "") {
                    self.add("$.generationConfig.thinkingConfig.thinkingLevel", "unknown level \(level.jsonString())")
                }
                if let include = config["includeThoughts"], include.boolValue == nil { self.add("$.generationConfig.thinkingConfig.includeThoughts", "must be a boolean") }
            }
        }
    }
}
