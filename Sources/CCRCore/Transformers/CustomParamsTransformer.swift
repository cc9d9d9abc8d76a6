/// `customparams {…}`: merges the options into the request body. Objects are merged key by key, at
/// any depth; where both the request and the options have a value that is not an object, the
/// request's value stays (the options fill in, they do not override).
public struct CustomParamsTransformer: Transformer {
    public static let name = "customparams"
    /// What to merge in.
    public let parameters: JSONObject

    public init(options: JSONObject) {
        self.parameters = options
    }

    public func transformRequest(_ request: inout JSONObject, context: TransformerContext) {
        Self.merge(self.parameters, into: &request)
    }

    static func merge(_ extra: JSONObject, into target: inout JSONObject) {
        for member in extra.members {
            guard let existing = target[member.key], !existing.isNull else {
                target[member.key] = member.value
                continue
            }
            if case .object(let addition) = member.value, case .object = existing {
                target.editObject(member.key) { Self.merge(addition, into: &$0) }
            }
        }
    }
}
