import HTTPTypes
import Hummingbird

/// Puts the request id on every response.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = CCRRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.headers[HTTPField.Name("x-request-id")!] == nil {
            response.headers[HTTPField.Name("x-request-id")!] = context.requestID
        }
        return response
    }
}
