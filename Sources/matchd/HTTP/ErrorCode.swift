/// Every error code the HTTP API answers with, in one place. Codes are stable: never renamed,
/// never reused. `openapi.yaml`'s `Error` schema lists them too (a test keeps the two equal).
enum ErrorCode: String, CaseIterable, Sendable {
    // Transport and request shape.
    case badRequest = "http.bad_request"
    case invalidJSON = "http.invalid_json"
    case notFound = "http.not_found"
    case methodNotAllowed = "http.method_not_allowed"
    case payloadTooLarge = "http.payload_too_large"
    case `internal` = "http.internal"
    // Authentication and authorisation.
    case missingKey = "auth.missing_key"
    case invalidKey = "auth.invalid_key"
    case forbidden = "auth.forbidden"
    // Request content.
    case invalidField = "request.invalid_field"
    case invalidCursor = "request.invalid_cursor"
    // Records.
    case recordNotFound = "record.not_found"
    case recordConflict = "record.conflict"
    case protectedAttribute = "job.protected_attribute"
    case talentExists = "talent.already_exists"
    case invalidImportLine = "import.invalid_line"
}
