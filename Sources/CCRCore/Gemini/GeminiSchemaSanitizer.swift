/// Rewrites a tool's JSON Schema into the subset of OpenAPI 3 schema that Gemini's function
/// declarations take (`Schema`: type, format, title, description, nullable, enum, properties,
/// required, items, anyOf, min/max bounds, pattern), keeping what the schema means.
///
/// Gemini rejects a declaration with any other keyword, so everything it lacks is either
/// expressed in its terms or said in the description:
/// - `$ref` (to `$defs` / `definitions`) is inlined; a recursive reference becomes an object
///   described by name. `allOf` is merged.
/// - `anyOf`/`oneOf` with a `null` branch and type lists with `"null"` become `nullable`; a single
///   remaining branch is inlined.
/// - `const` becomes an enum of one; enums of non-strings (Gemini's enums are strings) and
///   `default` move into the description.
/// - `exclusiveMinimum`/`exclusiveMaximum` become `minimum`/`maximum` (one step in for integers,
///   noted in the description for numbers).
/// - `format`s Gemini does not know (`uri`, `email`…) are noted in the description; `date-time`,
///   `enum`, `int32`/`int64`, `float`/`double` stay.
/// - `additionalProperties`, `propertyNames`, `patternProperties`, `$schema`, `$id`, `examples`,
///   `uniqueItems`, `not`, `if`/`then`/`else`… are dropped; `required` keeps only declared properties.
public enum GeminiSchemaSanitizer {
    /// A function declaration's `parameters` for an Anthropic tool's `input_schema`; `nil` when the
    /// tool takes no arguments (Gemini rejects an object schema without properties there).
    public static func parameters(for inputSchema: JSONValue?) -> JSONValue? {
        guard let inputSchema, case .object(let root) = inputSchema else { return nil }
        var context = Context(definitions: Self.definitions(in: root))
        let converted = context.convert(inputSchema)
        if converted["type"] == "OBJECT", converted["properties"]?.objectValue?.isEmpty ?? true { return nil }
        return .object(converted)
    }

    /// One schema in Gemini's subset (`$ref`s resolve against the schema's own `$defs`).
    public static func sanitize(_ schema: JSONValue) -> JSONValue {
        var context = Context(definitions: schema.objectValue.map(Self.definitions(in:)) ?? [:])
        return .object(context.convert(schema))
    }

    static func definitions(in root: JSONObject) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for key in ["definitions", "$defs"] {
            for member in root[key]?.objectValue?.members ?? [] { out["#/\(key)/\(member.key)"] = member.value }
        }
        return out
    }

    /// The keywords Gemini's `Schema` has that pass through once their value is checked.
    static let stringFormats: Set<String> = ["enum", "date-time"]
    static let integerFormats: Set<String> = ["int32", "int64"]
    static let numberFormats: Set<String> = ["float", "double"]
    static let maximumDepth = 24

    struct Context {
        let definitions: [String: JSONValue]
        var resolving: [String] = []
        var depth = 0

        mutating func convert(_ value: JSONValue) -> JSONObject {
            guard case .object(var schema) = value else { return [:] }
            guard self.depth < GeminiSchemaSanitizer.maximumDepth else { return ["type": "OBJECT"] }
            self.depth += 1
            defer { self.depth -= 1 }

            // References and intersections first: they produce the schema to convert.
            if let reference = schema.removeValue(forKey: "$ref")?.stringValue {
                guard let target = self.definitions[reference], !self.resolving.contains(reference) else {
                    let name = reference.split(separator: "/").last.map(String.init) ?? reference
                    var out: JSONObject = ["type": "OBJECT"]
                    out["description"] = .string(Self.joined(schema["description"]?.stringValue, "A \(name) object."))
                    return out
                }
                self.resolving.append(reference)
                defer { self.resolving.removeLast() }
                var merged = target.objectValue ?? [:]
                for member in schema.members { merged[member.key] = member.value }
                return self.convert(.object(merged))
            }
            if let parts = schema.removeValue(forKey: "allOf")?.arrayValue {
                var merged = schema
                for part in parts {
                    let converted = self.convert(part)
                    Self.merge(converted, into: &merged)
                }
                return self.convert(.object(merged))
            }

            var out = JSONObject()
            var notes: [String] = []
            var nullable = schema["nullable"] == true

            // Alternatives.
            let branches = (schema["anyOf"]?.arrayValue ?? []) + (schema["oneOf"]?.arrayValue ?? [])
            if !branches.isEmpty {
                var kept: [JSONObject] = []
                for branch in branches {
                    if Self.isNullSchema(branch) {
                        nullable = true
                    } else {
                        kept.append(self.convert(branch))
                    }
                }
                schema["anyOf"] = nil
                schema["oneOf"] = nil
                if kept.count == 1 {
                    // One real branch: it is the schema, with the outer description first.
                    var single = kept[0]
                    if let description = schema["description"]?.stringValue {
                        single["description"] = .string(Self.joined(description, single["description"]?.stringValue))
                    }
                    if nullable { single["nullable"] = true }
                    return single
                }
                if !kept.isEmpty { out["anyOf"] = .array(kept.map(JSONValue.object)) }
            }

            // Type.
            var type: String?
            switch schema["type"] {
            case .string(let name)?:
                if name == "null" { nullable = true } else { type = name }
            case .array(let names)?:
                let real = names.compactMap(\.stringValue).filter { $0 != "null" }
                if real.count != names.count { nullable = true }
                if real.count == 1 {
                    type = real[0]
                } else if real.count > 1, out["anyOf"] == nil {
                    out["anyOf"] = .array(real.map { ["type": .string($0.uppercased())] })
                }
            default:
                break
            }
            var enumValues: [JSONValue]? = schema["enum"]?.arrayValue
            if let constant = schema["const"] { enumValues = [constant] }
            if let values = enumValues, values.contains(.null) {
                nullable = true
                enumValues = values.filter { !$0.isNull }
            }
            if type == nil, out["anyOf"] == nil {
                if schema["properties"] != nil || schema["additionalProperties"] != nil {
                    type = "object"
                } else if schema["items"] != nil || schema["prefixItems"] != nil {
                    type = "array"
                } else if let values = enumValues, !values.isEmpty {
                    type = values.allSatisfy { $0.stringValue != nil } ? "string"
                        : values.allSatisfy { $0.intValue != nil } ? "integer"
                        : values.allSatisfy { $0.doubleValue != nil } ? "number"
                        : values.allSatisfy { $0.boolValue != nil } ? "boolean" : nil
                }
            }
            let upper = type?.uppercased()
            if let upper { out["type"] = .string(upper) }

            // Annotations.
            if let title = schema["title"]?.stringValue, !title.isEmpty { out["title"] = .string(title) }
            if let format = schema["format"]?.stringValue, !format.isEmpty {
                let known: Set<String> =
                    switch upper {
                    case "STRING": GeminiSchemaSanitizer.stringFormats
                    case "INTEGER": GeminiSchemaSanitizer.integerFormats
                    case "NUMBER": GeminiSchemaSanitizer.numberFormats
                    default: []
                    }
                if known.contains(format) { out["format"] = .string(format) } else { notes.append("Format: \(format).") }
            }
            if let values = enumValues, !values.isEmpty {
                if upper == "STRING", values.allSatisfy({ $0.stringValue != nil }) {
                    out["enum"] = .array(values)
                } else if values.count == 1 {
                    notes.append("Must be \(values[0].jsonString()).")
                } else {
                    notes.append("One of: \(values.map { $0.jsonString() }.joined(separator: ", ")).")
                }
            }
            if let value = schema["default"], !value.isNull { notes.append("Default: \(value.jsonString()).") }

            // Bounds, by type.
            switch upper {
            case "INTEGER", "NUMBER":
                self.bounds(schema, isInteger: upper == "INTEGER", into: &out, notes: &notes)
            case "STRING":
                for key in ["minLength", "maxLength"] {
                    if let n = schema[key]?.intValue, n >= 0 { out[key] = .int(n) }
                }
                if let pattern = schema["pattern"]?.stringValue, !pattern.isEmpty { out["pattern"] = .string(pattern) }
            case "ARRAY":
                for key in ["minItems", "maxItems"] {
                    if let n = schema[key]?.intValue, n >= 0 { out[key] = .int(n) }
                }
                if let items = schema["items"], items.objectValue != nil {
                    out["items"] = .object(self.convert(items))
                } else if let tuple = schema["items"]?.arrayValue ?? schema["prefixItems"]?.arrayValue, !tuple.isEmpty {
                    let converted = tuple.map { self.convert($0) }
                    out["items"] = converted.count == 1 ? .object(converted[0]) : ["anyOf": .array(converted.map(JSONValue.object))]
                    notes.append("Items in order: \(converted.compactMap { $0["type"]?.stringValue?.lowercased() }.joined(separator: ", ")).")
                }
            case "OBJECT":
                var properties = JSONObject()
                for member in schema["properties"]?.objectValue?.members ?? [] {
                    properties[member.key] = .object(self.convert(member.value))
                }
                if !properties.isEmpty { out["properties"] = .object(properties) }
                let required = (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue).filter { properties.contains($0) }
                if !required.isEmpty { out["required"] = .array(required.map(JSONValue.string)) }
                for key in ["minProperties", "maxProperties"] {
                    if let n = schema[key]?.intValue, n >= 0 { out[key] = .int(n) }
                }
                if properties.isEmpty, let values = schema["additionalProperties"], values.objectValue != nil {
                    let valueType = self.convert(values)["type"]?.stringValue?.lowercased() ?? "any"
                    notes.append("An object mapping names to \(valueType) values.")
                }
            default:
                break
            }

            if nullable { out["nullable"] = true }
            let description = Self.joined(schema["description"]?.stringValue, notes.isEmpty ? nil : notes.joined(separator: " "))
            if !description.isEmpty { out["description"] = .string(description) }
            return out
        }

        /// `minimum`/`maximum`, with exclusive bounds (a number in draft 6+, a flag in draft 4) made inclusive.
        func bounds(_ schema: JSONObject, isInteger: Bool, into out: inout JSONObject, notes: inout [String]) {
            var minimum = schema["minimum"]
            var maximum = schema["maximum"]
            func exclusive(_ key: String, _ bound: inout JSONValue?, up: Bool) {
                var limit: JSONValue?
                switch schema[key] {
                case .bool(true)?: limit = bound
                case let value? where value.doubleValue != nil: limit = value
                default: return
                }
                guard let limit, let number = limit.doubleValue else { return }
                if isInteger {
                    let step = up ? (number.rounded(.down) + 1) : (number.rounded(.up) - 1)
                    bound = abs(step) < 9.0e15 ? .int(Int(step)) : .double(step)
                } else {
                    bound = limit
                    notes.append(up ? "Greater than \(limit.jsonString())." : "Less than \(limit.jsonString()).")
                }
            }
            exclusive("exclusiveMinimum", &minimum, up: true)
            exclusive("exclusiveMaximum", &maximum, up: false)
            if let minimum, minimum.doubleValue != nil { out["minimum"] = minimum }
            if let maximum, maximum.doubleValue != nil { out["maximum"] = maximum }
        }

        static func isNullSchema(_ value: JSONValue) -> Bool {
            guard case .object(let object) = value else { return false }
            return object["type"] == "null" || object["const"] == .null || object["enum"]?.arrayValue == [JSONValue.null]
        }

        /// Merges a converted `allOf` member into the (unconverted) schema being built.
        static func merge(_ part: JSONObject, into schema: inout JSONObject) {
            for member in part.members {
                switch member.key {
                case "properties":
                    var properties = schema["properties"]?.objectValue ?? [:]
                    for property in member.value.objectValue?.members ?? [] where !properties.contains(property.key) {
                        properties[property.key] = property.value
                    }
                    schema["properties"] = .object(properties)
                case "required":
                    let existing = schema["required"]?.arrayValue ?? []
                    schema["required"] = .array(existing + (member.value.arrayValue ?? []).filter { !existing.contains($0) })
                case "type":
                    if schema["type"] == nil { schema["type"] = .string(member.value.stringValue?.lowercased() ?? "object") }
                case "description":
                    schema["description"] = .string(Self.joined(schema["description"]?.stringValue, member.value.stringValue))
                default:
                    if schema[member.key] == nil { schema[member.key] = member.value }
                }
            }
        }

        /// Two pieces of description, the first closed with a full stop if it has no punctuation.
        static func joined(_ first: String?, _ second: String?) -> String {
            let head = first ?? ""
            let tail = second ?? ""
            guard let last = head.last else { return tail }
            if tail.isEmpty { return head }
            return head + (last.isWhitespace || ".!?:;".contains(last) ? " " : ". ") + tail
        }
    }
}
