import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into the JSON envelope (`APIError`), adds `x-request-id` to every response,
/// and logs 5xx errors with the request id (never bodies).
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = MatchdRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestID = context.requestID
        do {
            var response = try await next(request, context)
            if let requestID { response.headers[.requestID] = requestID }
            return response
        } catch {
            let apiError = APIError.from(error)
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            }
            var response = apiError.response(requestID: requestID)
            if let requestID { response.headers[.requestID] = requestID }
            if apiError.status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
            return response
        }
    }
}

extension HTTPField.Name {
    static let requestID = Self("x-request-id")!
}
