import Embeddings
import Foundation
import HTTPTypes
import Hummingbird
import Matcher
import OpenAPIRuntime

/// The one error type the HTTP layer answers with: it renders itself as
/// `{"error": {"code", "message", "field"?, "requestId"?, "details"?}}`.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var field: String?
    var details: [ErrorBody.Detail]?
    /// The methods a path serves, sent as `Allow` with a 405 (RFC 9110 §15.5.6).
    var allow: String?

    init(_ status: HTTPResponse.Status, _ code: ErrorCode, _ message: String, field: String? = nil) {
        self.init(status: status, code: code.rawValue, message: message, field: field)
    }

    init(status: HTTPResponse.Status, code: String, message: String, field: String? = nil, details: [ErrorBody.Detail]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.details = details
    }

    func response(requestID: String?) -> Response {
        let body = ErrorBody(error: .init(code: code, message: status.code >= 500 ? "internal error" : message,
                                          field: status.code >= 500 ? nil : field, requestId: requestID, details: details))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(body)) ?? Data(#"{"error":{"code":"http.internal","message":"internal error"}}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if let allow { headers[.allow] = allow }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Maps anything a route can throw.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as ServiceError: return from(e)
        case let e as DecodingError:
            let (field, message) = describe(e)
            if case .dataCorrupted(let ctx) = e, ctx.codingPath.isEmpty {
                return APIError(.badRequest, .invalidJSON, "the body is not valid JSON", field: "body")
            }
            return APIError(.badRequest, .invalidField, message, field: field)
        case let e as ServerError:
            if let inner = unwrap(e.underlyingError) {
                // A root-level decoding failure in a request without a JSON body comes from a path
                // or query value (an unknown enum case), not from a body.
                if case .dataCorrupted(let ctx)? = inner as? DecodingError, ctx.codingPath.isEmpty,
                   e.request.headerFields[.contentType]?.hasPrefix("application/json") != true {
                    // "Cannot initialize X from invalid String value v": the parameter holding v.
                    if let name = parameter(holding: ctx.debugDescription, in: e.request.path) {
                        return APIError(.badRequest, .invalidField, "\(name): \(ctx.debugDescription)", field: name)
                    }
                    return APIError(.badRequest, .badRequest, ctx.debugDescription)
                }
                // An item of a list parameter: its index alone is the coding path.
                if case .dataCorrupted(let ctx)? = inner as? DecodingError, let index = ctx.codingPath.first?.intValue,
                   ctx.codingPath.count == 1, let path = e.request.path,
                   let name = QueryLimitMiddleware.listParameters.first(where: { path.contains("\($0)=") }) {
                    let field = "\(name)[\(index)]"
                    return APIError(.badRequest, .invalidField, "\(field): \(ctx.debugDescription)", field: field)
                }
                if case .typeMismatch(let type, let ctx)? = inner as? DecodingError, ctx.codingPath.isEmpty,
                   let name = mistypedQueryParameter(in: e.request.path, expected: type) {
                    return APIError(.badRequest, .invalidField, "\(name) has the wrong type (expected \(type))", field: name)
                }
                return from(inner)
            }
            if e.operationInput == nil {
                return APIError(.badRequest, .badRequest, e.causeDescription)
            }
            return APIError(.internalServerError, .internal, "internal error")
        case let e as HTTPError:
            let code: ErrorCode = switch e.status {
            case .notFound: .notFound
            case .contentTooLarge: .payloadTooLarge
            case .methodNotAllowed: .methodNotAllowed
            case .unauthorized: .missingKey
            case .badRequest: .badRequest
            default: e.status.code >= 500 ? .internal : .badRequest
            }
            let message = e.body ?? (e.status == .notFound ? "no such route" : e.status.reasonPhrase)
            return APIError(e.status, code, message)
        default:
            return APIError(.internalServerError, .internal, "internal error")
        }
    }

    /// The query parameters `openapi.yaml` types as integer, number or boolean (a test holds the list to the document).
    static let numericQueryParameters: Set<String> = [
        "k", "limit", "offset", "level", "salaryMin", "salaryMax", "minCount", "threshold", "anyCity", "digital", "subsidyOnly",
        "subsidyEligible",
    ]

    /// The query parameter whose value cannot be read as `type`: the runtime's decoding error for
    /// a query value carries no name, so the first value of the request that fails is named.
    static func mistypedQueryParameter(in path: String?, expected type: Any.Type) -> String? {
        guard let path, let items = URLComponents(string: path)?.queryItems else { return nil }
        let fits: (String) -> Bool = switch type {
        case is Int.Type: { Int($0) != nil }
        case is Double.Type, is Float.Type: { Double($0) != nil }
        case is Bool.Type: { Bool($0) != nil }
        default: { _ in true }
        }
        let misfits = items.filter { !fits($0.value ?? "") }
        if let typed = misfits.first(where: { numericQueryParameters.contains($0.name) }) { return typed.name }
        // A number too large for the type is the likeliest culprit (a string parameter such as
        // `status=closed` never fits `Int` but is not the one at fault).
        let numeric = misfits.first { item in
            guard let v = item.value, !v.isEmpty else { return false }
            return v.drop { $0 == "-" || $0 == "+" }.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
        }
        return (numeric ?? misfits.first)?.name
    }

    /// The query parameter whose value a runtime message ends with ("… invalid String value v").
    static func parameter(holding message: String, in path: String?) -> String? {
        guard let marker = message.range(of: "invalid String value "), let path,
              let items = URLComponents(string: path)?.queryItems else { return nil }
        let value = String(message[marker.upperBound...])
        return items.last { $0.value == value }?.name
    }

    /// The typed error inside the OpenAPI runtime's wrappers, when there is one.
    private static func unwrap(_ error: any Error) -> (any Error)? {
        switch error {
        case is ServiceError, is DecodingError, is APIError, is HTTPError: error
        case let e as ServerError: unwrap(e.underlyingError)
        default:
            // The runtime wraps decoding failures in its own (internal) error type; its
            // `underlyingError` is reachable through `LocalizedError`-free reflection only.
            Mirror(reflecting: error).children.lazy.compactMap { $0.value as? any Error }.compactMap(unwrap).first
        }
    }

    static func from(_ e: ServiceError) -> APIError {
        let status: HTTPResponse.Status = switch e {
        case .notFound: .notFound
        case .conflict, .talentExists: .conflict
        case .invalid: .badRequest
        case .unprocessable, .invalidCursor, .protectedAttribute: .unprocessableContent
        case .tooLarge: .contentTooLarge
        case .missingKey, .invalidKey: .unauthorized
        case .forbidden: .forbidden
        case .embeddings(let inner):
            switch inner {
            case .io, .latentSpace: .internalServerError
            // A well-formed id the model lacks fits the document (422); a malformed one breaks its pattern.
            case .unknownCompetency(_, let id), .unknownCertificate(_, let id), .unknownPost(_, let id):
                CompetencyModel.isWellFormedID(id) ? .unprocessableContent : .badRequest
            case .unknownCourse(_, let id):
                CompetencyModel.isWellFormedID(id) && id.utf8.count <= 64 ? .unprocessableContent : .badRequest
            default: .badRequest
            }
        case .matcher(let inner):
            switch inner {
            case .io, .fileCorrupt, .fileTruncated, .unsupportedFileVersion, .lapackFailure: .internalServerError
            default: .badRequest
            }
        }
        var details: [ErrorBody.Detail]?
        if case .protectedAttribute(let findings) = e {
            details = findings.map { f in
                .init(code: f.finding.category.rawValue, message: "demands \(f.finding.category.rawValue): \"\(f.finding.text)\"",
                      field: f.field, span: .init(start: f.finding.span.start, end: f.finding.span.end))
            }
        }
        return APIError(status: status, code: e.code, message: e.description, field: e.field, details: details)
    }
}

/// The error envelope.
struct ErrorBody: Codable, Sendable {
    struct Detail: Codable, Sendable {
        struct Span: Codable, Sendable { var start: Int; var end: Int }
        var code: String?
        var message: String
        var field: String?
        var span: Span?
    }
    struct Payload: Codable, Sendable {
        var code: String
        var message: String
        var field: String?
        var requestId: String?
        var details: [Detail]?
    }
    var error: Payload
}
