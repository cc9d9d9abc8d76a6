/// `cleancache`: removes every `cache_control` hint from the request (messages, their content
/// parts, tools).
///
/// ccr's OpenAI encoding never writes `cache_control` itself, so this matters only when another
/// transformer (`customparams`, a plugin) added one; it is kept so that chains written for the
/// original work unchanged.
public struct CleanCacheTransformer: Transformer {
    public static let name = "cleancache"

    public init(options: JSONObject) {}

    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {
        Self.strip(&request)
    }

    /// Removes `cache_control` from the request, its messages (and their parts) and its tools.
    static func strip(_ request: inout JSONObject) {
        request.removeValue(forKey: "cache_control")
        request.editArray("messages") { messages in
            for index in messages.indices { messages[index].removeKeyEverywhere("cache_control") }
        }
        request.editArray("tools") { tools in
            for index in tools.indices {
                tools[index].editObject { tool in
                    tool.removeValue(forKey: "cache_control")
                    tool.editObject("function") { $0.removeValue(forKey: "cache_control") }
                }
            }
        }
    }
}
