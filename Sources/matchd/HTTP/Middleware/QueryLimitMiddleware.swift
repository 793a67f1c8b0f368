import Foundation
import Hummingbird

/// Refuses query parameters longer than `maxLength` Unicode scalars (JSON Schema's measure of a
/// string's length) with a 400 naming the parameter,
/// before any route reads them: every string query parameter of `openapi.yaml` declares this
/// `maxLength`, and the generated routes do not check lengths themselves. Also refuses control
/// characters (`BodyRules`) in the path and in query values: `%00` would cut an id.
struct QueryLimitMiddleware: RouterMiddleware {
    typealias Context = MatchdRequestContext
    static let maxLength = 200

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path.contains("%"), let decoded = path.removingPercentEncoding, BodyRules.hasControlCharacter(decoded) {
            throw APIError(.badRequest, .invalidField, "path: " + BodyRules.controlMessage, field: "path")
        }
        for (name, value) in request.uri.queryParameters where BodyRules.hasControlCharacter(value) {
            throw APIError(.badRequest, .invalidField, "\(name): " + BodyRules.controlMessage, field: String(name))
        }
        for (name, value) in request.uri.queryParameters where value.unicodeScalars.count > Self.maxLength {
            let field = String(name)
            throw APIError(.badRequest, .invalidField,
                           "\(field): \(value.unicodeScalars.count) characters; at most \(Self.maxLength)", field: field)
        }
        return try await next(request, context)
    }
}
