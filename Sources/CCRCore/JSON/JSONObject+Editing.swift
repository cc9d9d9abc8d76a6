/// In-place edits of nested JSON, without copying the nested storage.
///
/// A nested value is taken out of its parent (leaving `null`), changed while it is uniquely held,
/// and put back, so editing one message of a large request does not copy the others.
extension JSONObject {
    /// Edits the object stored under `key`; does nothing when there is none.
    public mutating func editObject(_ key: String, _ body: (inout JSONObject) -> Void) {
        guard let index = self.members.firstIndex(where: { $0.key == key }) else { return }
        self.members[index].value.editObject(body)
    }

    /// Edits the array stored under `key`; does nothing when there is none.
    public mutating func editArray(_ key: String, _ body: (inout [JSONValue]) -> Void) {
        guard let index = self.members.firstIndex(where: { $0.key == key }) else { return }
        self.members[index].value.editArray(body)
    }

    /// Removes `key` from this object and from every object nested in it, at any depth.
    public mutating func removeKeyEverywhere(_ key: String) {
        self.removeValue(forKey: key)
        for index in self.members.indices {
            self.members[index].value.removeKeyEverywhere(key)
        }
    }
}

extension JSONValue {
    /// Edits this value if it is an object; does nothing otherwise.
    public mutating func editObject(_ body: (inout JSONObject) -> Void) {
        guard case .object(var object) = self else { return }
        self = .null
        body(&object)
        self = .object(object)
    }

    /// Edits this value if it is an array; does nothing otherwise.
    public mutating func editArray(_ body: (inout [JSONValue]) -> Void) {
        guard case .array(var array) = self else { return }
        self = .null
        body(&array)
        self = .array(array)
    }

    /// Removes `key` from every object in this value, at any depth.
    public mutating func removeKeyEverywhere(_ key: String) {
        switch self {
        case .object:
            self.editObject { $0.removeKeyEverywhere(key) }
        case .array:
            self.editArray { array in
                for index in array.indices { array[index].removeKeyEverywhere(key) }
            }
        default:
            break
        }
    }
}
