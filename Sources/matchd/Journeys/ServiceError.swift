import Embeddings
import Matcher

/// What a journey can refuse. Each case has a stable code and names the field or record at
/// fault; `HTTP/` maps them to status codes and the error envelope, the CLI prints them.
enum ServiceError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(kind: String, id: String)
    case conflict(kind: String, id: String)
    /// The request breaks a rule `openapi.yaml` states (a length, range, pattern, enum): 400.
    case invalid(field: String, message: String)
    /// The request fits the document but cannot be carried out as asked: it names something the
    /// model or the store does not have, or its fields contradict each other (422).
    case unprocessable(field: String, message: String)
    /// A cursor this server did not issue (well-formed, so 422).
    case invalidCursor
    /// A streamed body (an import) passed its byte limit.
    case tooLarge(String)
    case protectedAttribute(findings: [ProtectedFinding])
    case talentExists(keyTalentID: String)
    case missingKey
    case invalidKey
    case forbidden(String)
    case embeddings(EmbeddingsError)
    case matcher(MatcherError)

    var code: String {
        switch self {
        case .notFound: "record.not_found"
        case .conflict: "record.conflict"
        case .invalid: "request.invalid_field"
        case .unprocessable: "request.unprocessable"
        case .invalidCursor: "request.invalid_cursor"
        case .tooLarge: "http.payload_too_large"
        case .protectedAttribute: "job.protected_attribute"
        case .talentExists: "talent.already_exists"
        case .missingKey: "auth.missing_key"
        case .invalidKey: "auth.invalid_key"
        case .forbidden: "auth.forbidden"
        case .embeddings(let e): e.code
        case .matcher(let e): e.code
        }
    }

    var field: String? {
        switch self {
        case .invalid(let field, _), .unprocessable(let field, _): field
        case .invalidCursor: "cursor"
        case .tooLarge: "body"
        case .protectedAttribute(let findings): findings.first?.field ?? "description"
        case .embeddings(let e): e.field
        case .matcher(let e): e.field
        case .notFound, .conflict, .talentExists, .missingKey, .invalidKey, .forbidden: nil
        }
    }

    var description: String {
        switch self {
        case .notFound(let kind, let id): "no \(kind) with id \(id)"
        case .conflict(let kind, let id): "a \(kind) with id \(id) exists already"
        case .invalid(let field, let message), .unprocessable(let field, let message): "\(field): \(message)"
        case .invalidCursor: "cursor is not one this server issued; start again without it"
        case .tooLarge(let why): why
        case .protectedAttribute(let findings):
            "the posting demands protected attributes, which matchd refuses: "
                + findings.map { "\($0.finding.category.rawValue) (\"\($0.finding.text)\" in \($0.field) at \($0.finding.span.start)…\($0.finding.span.end))" }
                .joined(separator: ", ")
        case .talentExists(let id): "this seeker key owns talent \(id) already; update it with PUT /v1/talents/\(id)"
        case .missingKey: "this route needs an API key: send Authorization: Bearer <key>"
        case .invalidKey: "the API key is unknown or revoked"
        case .forbidden(let why): why
        case .embeddings(let e): e.description
        case .matcher(let e): e.description
        }
    }
}

/// A protected attribute a posting demands, and the field (`title` or `description`) it is in;
/// the span counts within that field.
struct ProtectedFinding: Sendable, Equatable {
    var field: String
    var finding: ProtectedAttributes.Finding
}

extension ServiceError {
    /// The refusal for a course's problems (`CompetencyModel.validate(course:)`), nil when there
    /// is no error: a broken rule of the document first (400); else a reference the model lacks (422).
    static func course(_ problems: [ModelProblem]) -> ServiceError? {
        let errors = problems.filter { $0.severity == .error }
        if let p = errors.first(where: { $0.kind != .unknownReference }) { return .invalid(field: p.field ?? "course", message: p.message) }
        return errors.first.map { .unprocessable(field: $0.field ?? "course", message: $0.message) }
    }
}

/// Runs `body`, turning the libraries' typed errors into `ServiceError`.
func wrapping<T>(_ body: () throws -> T) throws(ServiceError) -> T {
    do {
        return try body()
    } catch let e as ServiceError {
        throw e
    } catch let e as EmbeddingsError {
        throw .embeddings(e)
    } catch let e as MatcherError {
        throw .matcher(e)
    } catch {
        throw .invalid(field: "request", message: "\(error)")
    }
}
