import CCRCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Turns anything a route throws into an Anthropic-shaped error answer, so Claude Code sees
/// `{"type":"error","error":{…}}` whatever went wrong (a 413 from the body limit included).
struct AnthropicErrorMiddleware: RouterMiddleware {
    typealias Context = CCRRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AnthropicError {
            return Self.response(error, requestID: context.requestID)
        } catch let error as HTTPError {
            let status = Int(error.status.code)
            let message: String
            switch status {
            case 413: message = "request body is too large; raise BODY_LIMIT_MB in config.json if this is expected"
            case 404: message = "ccr has no route \(request.method.rawValue) \(request.uri.path)"
            case 405: message = "method \(request.method.rawValue) is not allowed on \(request.uri.path)"
            default: message = error.body ?? "request failed with status \(status)"
            }
            return Self.response(AnthropicError(status: status, kind: AnthropicError.kind(forStatus: status), message: message), requestID: context.requestID)
        } catch is ClientDisconnected {
            throw ClientDisconnected()
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return Self.response(
                AnthropicError(status: 500, kind: .api, message: "ccr internal error: \(error)"), requestID: context.requestID)
        }
    }

    static func response(_ error: AnthropicError, requestID: String, extraHeaders: HTTPFields = [:]) -> Response {
        var headers = extraHeaders
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("x-request-id")!] = requestID
        if error.kind == .rateLimit || error.kind == .overloaded || error.status >= 500 {
            headers[HTTPField.Name("x-should-retry")!] = headers[HTTPField.Name("x-should-retry")!] ?? "true"
        }
        return Response(
            status: .init(code: error.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: error.body)))
    }
}
