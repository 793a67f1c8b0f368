import Foundation
import Hummingbird

/// Resolves `Authorization: Bearer <key>` to an `Identity` for the rest of the request (a
/// task-local, which the generated handlers read). No header means anonymous; a header with an
/// unknown or revoked key is refused at once with 401.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = MatchdRequestContext
    let engine: Engine

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            return try await Identity.$current.withValue(.anonymous) { try await next(request, context) }
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(.unauthorized, .invalidKey, "Authorization must be \"Bearer <key>\"", field: "Authorization")
        }
        let identity = try await engine.authenticate(key: String(parts[1]).trimmingCharacters(in: .whitespaces))
        return try await Identity.$current.withValue(identity) { try await next(request, context) }
    }
}
