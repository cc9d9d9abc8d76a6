/// The answer of a custom router (`CUSTOM_ROUTER_PATH`).
public struct CustomRoutingAnswer: Sendable {
    /// `provider,model` as the plugin wrote it, or `nil` to fall through to `default`.
    public var route: String?
    /// A replacement request body, when the plugin changed it.
    public var body: JSONObject?

    public init(route: String?, body: JSONObject? = nil) {
        self.route = route
        self.body = body
    }
}

/// Asks the custom router about a request: body, token count, session id, lowercased headers.
/// `nil` means the plugin did not answer (failed or timed out).
public typealias CustomRouting = @Sendable (
    _ body: JSONObject, _ tokenCount: Int, _ sessionID: String?, _ headers: [String: String]
) async -> CustomRoutingAnswer?
