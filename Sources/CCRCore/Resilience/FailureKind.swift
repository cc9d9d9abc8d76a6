/// Why an attempt at a provider failed, as far as retrying and rotating care.
public enum FailureKind: String, Sendable, Equatable {
    /// 429: rest the key (or model) and try another at once.
    case rateLimited
    /// 401 / 403: the key is refused.
    case authentication
    /// 5xx, 529: the provider is failing; retry with backoff, then fall back.
    case server
    /// The connection failed or was reset before the answer started.
    case network
    /// No answer head, or no first event, in time.
    case timeout
    /// The answer started but was empty, malformed or an error event before any content.
    case badStream
    /// 404: the model or endpoint does not exist there; another target may have it.
    case notFound
    /// Another 4xx: the request itself is refused; retrying or falling back would not help.
    case client

    /// Whether another attempt (another key, a retry, a fallback) can help.
    public var isRetryable: Bool { self != .client }

    /// Whether the same target is worth retrying (not only another key or target).
    public var retriesSameTarget: Bool {
        switch self {
        case .server, .network, .timeout, .badStream, .rateLimited: return true
        case .authentication, .notFound, .client: return false
        }
    }

    /// The kind of an HTTP error status; `nil` for success.
    public static func of(status: Int) -> FailureKind? {
        switch status {
        case 200..<400: return nil
        case 429: return .rateLimited
        case 401, 403: return .authentication
        case 404: return .notFound
        case 408: return .timeout
        case 409, 425: return .server
        case 400..<500: return .client
        default: return .server
        }
    }
}
