/// Every error code the HTTP API answers with, in one place. Codes are stable: never renamed,
/// never reused. `openapi.yaml`'s `Error` schema lists them too (a test keeps the two equal).
/// `ServiceError` can carry any `EmbeddingsError` or `MatcherError`, so each of their codes is
/// listed (`ErrorTests` checks every case of both).
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
    case unprocessable = "request.unprocessable"
    // Records.
    case recordNotFound = "record.not_found"
    case recordConflict = "record.conflict"
    case protectedAttribute = "job.protected_attribute"
    case talentExists = "talent.already_exists"
    case invalidImportLine = "import.invalid_line"
    // The model and text extraction (`EmbeddingsError`), passed through as they are.
    case embeddingsInvalidModel = "embeddings.invalid_model"
    case embeddingsIO = "embeddings.io"
    case embeddingsUnknownCompetency = "embeddings.unknown_competency"
    case embeddingsUnknownCertificate = "embeddings.unknown_certificate"
    case embeddingsUnknownCourse = "embeddings.unknown_course"
    case embeddingsUnknownPost = "embeddings.unknown_post"
    case embeddingsInvalidValue = "embeddings.invalid_value"
    case embeddingsLatentSpace = "embeddings.latent_space"
    case embeddingsInvalidESCO = "embeddings.invalid_esco"
    // The search core (`MatcherError`), passed through as they are.
    case matcherDimensionMismatch = "matcher.dimension_mismatch"
    case matcherInvalidDimension = "matcher.invalid_dimension"
    case matcherNonFiniteValue = "matcher.non_finite_value"
    case matcherZeroVector = "matcher.zero_vector"
    case matcherDuplicateID = "matcher.duplicate_id"
    case matcherInvalidK = "matcher.invalid_k"
    case matcherFilterMismatch = "matcher.filter_mismatch"
    case matcherInvalidShape = "matcher.invalid_shape"
    case matcherLapackFailure = "matcher.lapack_failure"
    case matcherIO = "matcher.io"
    case matcherFileTruncated = "matcher.file_truncated"
    case matcherFileCorrupt = "matcher.file_corrupt"
    case matcherUnsupportedFileVersion = "matcher.unsupported_file_version"
}
