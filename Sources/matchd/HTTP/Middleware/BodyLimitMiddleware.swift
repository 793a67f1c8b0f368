import Hummingbird

/// Refuses request bodies over the configured size with 413 before anything decodes them.
/// JSON bodies are collected here up to `maxBodyBytes`; the import route streams its body and
/// enforces `maxImportBytes` itself.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = MatchdRequestContext
    let maxBodyBytes: Int
    let maxImportBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let isImport = request.uri.path.hasPrefix("/v1/import/")
        let limit = isImport ? maxImportBytes : maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, .payloadTooLarge, "the body has \(length) bytes; the limit is \(limit)", field: "body")
        }
        if isImport { return try await next(request, context) }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            request.body = .init(buffer: buffer)
        } catch let e as HTTPError where e.status == .contentTooLarge {
            throw APIError(.contentTooLarge, .payloadTooLarge, "the body is larger than \(limit) bytes", field: "body")
        }
        return try await next(request, context)
    }
}
