import Hummingbird

/// Refuses request bodies over the configured size with 413 before anything decodes them, and
/// JSON bodies that break `BodyRules` (control characters, null) with 400 naming the field.
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
        // Counted here rather than by `collectBody(upTo:)`, whose overflow error on a chunked body
        // (no Content-Length) is NIO's, not an HTTP status.
        var request = request
        var buffer = ByteBuffer()
        for try await chunk in request.body {
            guard buffer.readableBytes + chunk.readableBytes <= limit else {
                throw APIError(.contentTooLarge, .payloadTooLarge, "the body is larger than \(limit) bytes", field: "body")
            }
            var chunk = chunk
            buffer.writeBuffer(&chunk)
        }
        if let problem = BodyRules.firstProblem(inJSON: buffer.readableBytesView) {
            throw APIError(.badRequest, .invalidField, "\(problem.field): \(problem.message)", field: problem.field)
        }
        request.body = .init(buffer: buffer)
        return try await next(request, context)
    }
}
