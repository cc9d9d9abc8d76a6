/// `groq`: adapts requests and answers to Groq, which rejects `cache_control` and JSON Schema's
/// `$schema` keyword in tool parameters.
///
/// - `cache_control` is removed everywhere.
/// - `$schema` is removed from tool parameter schemas at any depth (a property that happens to be
///   named `$schema` is kept).
/// - Tool call ids that are bare numbers become unique `call_…` ids.
///
/// Groq's usage (`x_groq.usage`) and its error chunks are read by ccr's OpenAI Chat adapter for
/// every provider.
public struct GroqTransformer: Transformer {
    public static let name = "groq"

    public init(options: JSONObject) {}

    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {
        CleanCacheTransformer.strip(&request)
        request.editArray("tools") { tools in
            for index in tools.indices {
                tools[index].editObject { tool in
                    tool.editObject("function") { function in
                        function.editObject("parameters") { Self.removeSchemaKeyword(&$0) }
                    }
                }
            }
        }
    }

    public func transformResponse(_ response: inout JSONObject, context: TransformerContext) {
        NumericToolIDs.rewrite(message: &response)
    }

    public func makeStreamStage(context: TransformerContext) -> (any TransformerStreamStage)? {
        NumericToolIDs()
    }

    /// Keywords whose value is a schema, a list of schemas, or a map of names to schemas.
    static let schemaKeywords: Set<String> = ["items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "additionalItems"]
    static let schemaListKeywords: Set<String> = ["anyOf", "oneOf", "allOf", "prefixItems"]
    static let schemaMapKeywords: Set<String> = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]

    /// Removes `$schema` from a schema and every schema nested in it.
    static func removeSchemaKeyword(_ schema: inout JSONObject) {
        schema.removeValue(forKey: "$schema")
        for index in schema.members.indices {
            let key = schema.members[index].key
            if Self.schemaKeywords.contains(key) {
                schema.members[index].value.editObject { Self.removeSchemaKeyword(&$0) }
                schema.members[index].value.editArray { list in
                    for item in list.indices { list[item].editObject { Self.removeSchemaKeyword(&$0) } }
                }
            } else if Self.schemaListKeywords.contains(key) {
                schema.members[index].value.editArray { list in
                    for item in list.indices { list[item].editObject { Self.removeSchemaKeyword(&$0) } }
                }
            } else if Self.schemaMapKeywords.contains(key) {
                schema.members[index].value.editObject { map in
                    for entry in map.members.indices { map.members[entry].value.editObject { Self.removeSchemaKeyword(&$0) } }
                }
            }
        }
    }
}
