import Foundation
import Hummingbird

/// Refuses query parameters longer than `maxLength` Unicode scalars (JSON Schema's measure of a
/// string's length) with a 400 naming the parameter,
/// before any route reads them: every string query parameter of `openapi.yaml` declares this
/// `maxLength`, and the generated routes do not check lengths themselves. Also refuses control
/// characters (`BodyRules`) in the path and in query values: `%00` would cut an id. A list
/// parameter (`groupBy=a,b`, `minItems: 1`) must name at least one item, and no empty one: the
/// runtime would read `groupBy=` as absent.
struct QueryLimitMiddleware: RouterMiddleware {
    typealias Context = MatchdRequestContext
    static let maxLength = 200
    /// The document's comma-separated list parameters.
    static let listParameters: Set<String> = ["groupBy"]

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
        for (name, value) in request.uri.queryParameters where Self.listParameters.contains(String(name)) {
            let items = value.split(separator: ",", omittingEmptySubsequences: false)
            if let k = items.firstIndex(where: { $0.isEmpty }) {
                let field = value.isEmpty ? String(name) : "\(name)[\(k)]"
                throw APIError(.badRequest, .invalidField, "\(field): is empty", field: field)
            }
        }
        return try await next(request, context)
    }
}
