/// Finds the Claude Code session a request belongs to.
public enum SessionID {
    /// The `X-Claude-Code-Session-Id` header, else `metadata.user_id` in its JSON form
    /// (`{"session_id": …}`) or its older `user_…_account__session_<id>` form.
    /// - Parameter headers: lowercased header names.
    public static func of(headers: [String: String], body: JSONObject) -> String? {
        if let header = headers["x-claude-code-session-id"], !header.isEmpty { return header }
        guard let userID = body["metadata"]?["user_id"]?.stringValue, !userID.isEmpty else { return nil }
        if userID.hasPrefix("{"), let object = try? JSONParser.parse(Array(userID.utf8)),
            let session = object["session_id"]?.stringValue, !session.isEmpty
        {
            return session
        }
        if let marker = userID.firstRange(of: "_session_") {
            let id = userID[marker.upperBound...]
            return id.isEmpty ? nil : String(id)
        }
        return nil
    }
}
