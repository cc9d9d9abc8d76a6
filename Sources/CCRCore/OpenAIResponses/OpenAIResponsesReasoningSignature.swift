/// An OpenAI Responses `reasoning` item carried inside the Anthropic thinking block's
/// `signature`, so that Claude Code echoes it back and the next request can return the item
/// (its `encrypted_content` is the model's actual reasoning state; the block holds the summary).
///
/// Same envelope as ``ReasoningSignature`` (`ccr1.` + base64url JSON) with its own dialect, so the
/// Chat adapter ignores these blocks and this adapter ignores the Chat adapter's.
public struct OpenAIResponsesReasoningSignature: Sendable, Equatable {
    static let dialect = "or"

    /// The reasoning item's `id` (`rs_…`).
    public var itemID: String?
    /// The item's `encrypted_content`, when the provider returned it.
    public var encryptedContent: String?

    public init(itemID: String?, encryptedContent: String?) {
        self.itemID = itemID
        self.encryptedContent = encryptedContent
    }

    /// The signature string.
    public var encoded: String {
        var object: JSONObject = ["d": .string(Self.dialect)]
        if let itemID = self.itemID { object["id"] = .string(itemID) }
        if let encryptedContent = self.encryptedContent { object["ec"] = .string(encryptedContent) }
        return ReasoningSignature.envelope(object)
    }

    /// Reads a signature written by ``encoded``; `nil` for any other signature.
    public init?(decoding signature: String) {
        guard let value = ReasoningSignature.opening(signature), value["d"]?.stringValue == Self.dialect else { return nil }
        self.itemID = value["id"]?.stringValue
        self.encryptedContent = value["ec"]?.stringValue
    }

    /// The `reasoning` input item that gives the provider its reasoning back, or `nil` when
    /// there is nothing it could use (no encrypted content: an item with only an id would be
    /// looked up in storage, which `store: false` does not keep).
    func inputItem(summary: String) -> JSONValue? {
        guard let encryptedContent, !encryptedContent.isEmpty else { return nil }
        var item: JSONObject = ["type": "reasoning"]
        if let itemID, !itemID.isEmpty { item["id"] = .string(itemID) }
        item["summary"] = summary.isEmpty ? [] : [["type": "summary_text", "text": .string(summary)]]
        item["encrypted_content"] = .string(encryptedContent)
        return .object(item)
    }
}
