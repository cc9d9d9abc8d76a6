import CCRCore
import NIOCore

/// One request ccr writes to a plugin: `{"id":1,"method":"route","params":{…}}` and a newline.
///
/// Everything but the id is encoded by the caller, before it reaches ``PluginProcess``, so that the
/// process actor only prefixes the id it assigns. See docs/plugins.md for the protocol.
struct PluginRequest: Sendable {
    /// The method name (`route`).
    let method: String
    /// `"method":…,"params":…}` and the newline: the line without its opening `{"id":N,`.
    let tail: [UInt8]

    /// A request whose params are already encoded as JSON.
    init(method: String, encodedParams: [UInt8]) {
        var writer = JSONWriter(capacity: encodedParams.count + method.utf8.count + 24)
        writer.appendLiteral("\"method\":")
        writer.writeString(method)
        writer.appendLiteral(",\"params\":")
        writer.appendRaw(encodedParams)
        writer.appendLiteral("}\n")
        self.method = method
        self.tail = writer.bytes
    }

    /// A request with these params.
    init(method: String, params: JSONValue) {
        self.init(method: method, encodedParams: params.encoded())
    }

    /// The whole line for request `id`.
    func line(id: Int, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: self.tail.count + 32)
        buffer.writeStaticString("{\"id\":")
        buffer.writeString(String(id))
        buffer.writeInteger(UInt8(ascii: ","))
        buffer.writeBytes(self.tail)
        return buffer
    }

    /// A `route` request: the Anthropic body, its token count, the session id, the request
    /// headers (names lowercased) and the config, which is encoded once per plugin and passed in.
    static func route(
        body: JSONValue,
        tokenCount: Int,
        sessionId: String?,
        headers: [(name: String, value: String)],
        encodedConfiguration: [UInt8]
    ) -> PluginRequest {
        var writer = JSONWriter(capacity: 1024 + encodedConfiguration.count)
        writer.appendLiteral("{\"request\":{\"body\":")
        writer.write(body)
        writer.appendLiteral(",\"tokenCount\":")
        writer.writeInt(tokenCount)
        writer.appendLiteral(",\"sessionId\":")
        if let sessionId {
            writer.writeString(sessionId)
        } else {
            writer.appendLiteral("null")
        }
        writer.appendLiteral(",\"headers\":{")
        for (index, header) in headers.enumerated() {
            if index > 0 { writer.appendLiteral(",") }
            writer.writeString(header.name)
            writer.appendLiteral(":")
            writer.writeString(header.value)
        }
        writer.appendLiteral("}},\"config\":")
        writer.appendRaw(encodedConfiguration)
        writer.appendLiteral("}")
        return PluginRequest(method: "route", encodedParams: writer.bytes)
    }
}

/// One line a plugin writes back: `{"id":1,"result":…}` or `{"id":1,"error":"message"}`.
struct PluginResponse: Sendable, Equatable {
    /// What the plugin answered.
    enum Outcome: Sendable, Equatable {
        case result(JSONValue)
        case error(String)
    }

    /// The id of the request this answers.
    var id: Int
    var outcome: Outcome

    /// Why a line is not a response.
    struct Violation: Error, Sendable, Equatable, CustomStringConvertible {
        var description: String
    }

    /// Reads one line (without its newline).
    static func parse(_ line: some Collection<UInt8>) throws(Violation) -> PluginResponse {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw Violation(description: "not JSON (\(error.message))")
        }
        guard case .object(let object) = value else {
            throw Violation(description: "\(value.kindDescription), not an object")
        }
        guard let id = object["id"]?.intValue else {
            throw Violation(description: "no integer \"id\"")
        }
        if let error = object["error"], !error.isNull {
            return PluginResponse(id: id, outcome: .error(error.stringValue ?? error.jsonString()))
        }
        return PluginResponse(id: id, outcome: .result(object["result"] ?? .null))
    }
}

/// The `result` of a `route` request: `{"route": "provider,model" | null, "body": {…}?}`.
struct RouteResult: Sendable, Equatable {
    /// The `provider,model` text the plugin chose, as written.
    var route: String?
    /// The replacement body, when the plugin changed the request.
    var body: JSONValue?

    /// Reads a `route` result; a bare string or `null` is accepted as the route alone.
    init(decoding result: JSONValue) throws(PluginResponse.Violation) {
        switch result {
        case .null:
            self.route = nil
            self.body = nil
        case .string(let route):
            self.route = route
            self.body = nil
        case .object(let object):
            switch object["route"] {
            case nil, .null?: self.route = nil
            case .string(let route)?: self.route = route
            case let other?:
                throw PluginResponse.Violation(description: "\"route\" is \(other.kindDescription); expected a \"provider,model\" string or null")
            }
            switch object["body"] {
            case nil, .null?: self.body = nil
            case .object(let body)?: self.body = .object(body)
            case let other?:
                throw PluginResponse.Violation(description: "\"body\" is \(other.kindDescription); expected the request body object")
            }
        default:
            throw PluginResponse.Violation(description: "the result is \(result.kindDescription); expected {\"route\": …, \"body\": …}")
        }
    }
}
