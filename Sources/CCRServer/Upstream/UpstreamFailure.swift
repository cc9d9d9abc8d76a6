import AsyncHTTPClient
import CCRCore
import NIOCore
import NIOPosix

/// Turns a failure to talk to a provider into the error Claude Code gets.
enum UpstreamFailure {
    /// The Anthropic error for a transport failure before any response head arrived.
    static func error(_ error: any Error, provider: ProviderConfiguration, host: String, timeoutMilliseconds: Int) -> AnthropicError {
        let place = "provider '\(provider.name)' at \(host)"
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout:
                return AnthropicError(status: 504, kind: .timeout, message: "ccr: \(place) did not answer within \(timeoutMilliseconds) ms (API_TIMEOUT_MS)")
            case .connectTimeout:
                return AnthropicError(status: 502, kind: .api, message: "ccr: cannot reach \(place): connect timed out")
            case .remoteConnectionClosed:
                return AnthropicError(status: 502, kind: .api, message: "ccr: \(place) closed the connection without answering")
            default:
                return AnthropicError(status: 502, kind: .api, message: "ccr: request to \(place) failed: \(error)")
            }
        }
        if error is NIOConnectionError || error is ChannelError || error is IOError {
            return AnthropicError(status: 502, kind: .api, message: "ccr: cannot reach \(place): \(Self.describe(error))")
        }
        return AnthropicError(status: 502, kind: .api, message: "ccr: request to \(place) failed: \(Self.describe(error))")
    }

    static func describe(_ error: any Error) -> String {
        if let connection = error as? NIOConnectionError {
            if let first = connection.connectionErrors.first { return "\(first.error)" }
            if let dns = connection.dnsAAAAError ?? connection.dnsAError { return "DNS lookup failed (\(dns))" }
        }
        return "\(error)"
    }
}
