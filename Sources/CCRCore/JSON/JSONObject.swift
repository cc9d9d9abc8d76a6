/// The members of a JSON object, in the order they were written.
///
/// Lookup is a linear scan: the objects on the request path have a handful of keys, where a scan
/// beats hashing; order is kept so that re-encoded bodies look like what the client sent.
public struct JSONObject: Sendable, Equatable, Hashable {
    /// One `"key": value` member.
    public struct Member: Sendable, Equatable, Hashable {
        public var key: String
        public var value: JSONValue
        @inlinable public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in order. Keys are unique when built through the subscript.
    public var members: [Member]

    @inlinable public init(_ members: [Member] = []) {
        self.members = members
    }

    @inlinable public var isEmpty: Bool { self.members.isEmpty }
    @inlinable public var count: Int { self.members.count }
    @inlinable public var keys: [String] { self.members.map(\.key) }

    /// Reads, replaces, appends (a new key goes last) or removes (assign `nil`) a member.
    @inlinable public subscript(key: String) -> JSONValue? {
        get {
            for member in self.members where member.key == key { return member.value }
            return nil
        }
        set {
            if let index = self.members.firstIndex(where: { $0.key == key }) {
                if let newValue {
                    self.members[index].value = newValue
                } else {
                    self.members.remove(at: index)
                }
            } else if let newValue {
                self.members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Removes a member and returns its value.
    @discardableResult
    @inlinable public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let index = self.members.firstIndex(where: { $0.key == key }) else { return nil }
        return self.members.remove(at: index).value
    }

    /// Whether a member with this key exists.
    @inlinable public func contains(_ key: String) -> Bool {
        self.members.contains { $0.key == key }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { Member(key: $0.0, value: $0.1) })
    }
}
