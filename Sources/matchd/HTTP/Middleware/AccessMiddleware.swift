import HTTPTypes
import OpenAPIRuntime

/// Applies `AccessPolicy` to each operation, by its id, before the generated handler decodes
/// the request.
struct AccessMiddleware: ServerMiddleware {
    func intercept(_ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
                   next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?))
        async throws -> (HTTPResponse, HTTPBody?) {
        try AccessPolicy.check(operationID, Identity.current, pathParameters: metadata.pathParameters)
        return try await next(request, body, metadata)
    }
}
