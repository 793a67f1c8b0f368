/// Everything Matcher can refuse, as a closed set with stable codes.
///
/// Each case names what was wrong (a field, an entry, a file) so that callers can show the
/// message as is. `code` values are stable API: never renamed, never reused.
public enum MatcherError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A vector or query has the wrong number of values.
    case dimensionMismatch(field: String, expected: Int, actual: Int)
    /// A dimension outside `1...FlatIndex.maxDimension`.
    case invalidDimension(Int)
    /// A vector holds NaN or an infinity at `position`.
    case nonFiniteValue(field: String, position: Int)
    /// A zero vector cannot be normalised under the cosine metric.
    case zeroVector(field: String)
    /// The same id appears twice in one batch.
    case duplicateID(id: UInt64, firstIndex: Int, secondIndex: Int)
    /// `k` outside `1...FlatIndex.maxK`.
    case invalidK(Int)
    /// A filter built for another snapshot (its row count differs).
    case filterMismatch(expectedRows: Int, actualRows: Int)
    /// A matrix shape or argument that the operation cannot take.
    case invalidShape(String)
    /// LAPACK reported that a decomposition did not converge or was given bad input.
    case lapackFailure(routine: String, info: Int32)
    /// An index file could not be opened, read or written.
    case io(path: String, operation: String, errno: Int32)
    /// An index file ends before its declared contents.
    case fileTruncated(path: String, expectedBytes: UInt64, actualBytes: UInt64)
    /// An index file whose bytes do not form a matchd index (magic, header or checksum).
    case fileCorrupt(path: String, reason: String)
    /// An index file written by a format version this build does not read.
    case unsupportedFileVersion(path: String, found: UInt32, supported: UInt32)

    /// Stable machine-readable code, `matcher.snake_case`.
    public var code: String {
        switch self {
        case .dimensionMismatch: "matcher.dimension_mismatch"
        case .invalidDimension: "matcher.invalid_dimension"
        case .nonFiniteValue: "matcher.non_finite_value"
        case .zeroVector: "matcher.zero_vector"
        case .duplicateID: "matcher.duplicate_id"
        case .invalidK: "matcher.invalid_k"
        case .filterMismatch: "matcher.filter_mismatch"
        case .invalidShape: "matcher.invalid_shape"
        case .lapackFailure: "matcher.lapack_failure"
        case .io: "matcher.io"
        case .fileTruncated: "matcher.file_truncated"
        case .fileCorrupt: "matcher.file_corrupt"
        case .unsupportedFileVersion: "matcher.unsupported_file_version"
        }
    }

    /// The request field or file the error is about, when there is one.
    public var field: String? {
        switch self {
        case .dimensionMismatch(let field, _, _), .nonFiniteValue(let field, _), .zeroVector(let field):
            field
        case .duplicateID: "id"
        case .invalidK: "k"
        case .filterMismatch: "filter"
        case .io(let path, _, _), .fileTruncated(let path, _, _), .fileCorrupt(let path, _),
             .unsupportedFileVersion(let path, _, _):
            path
        case .invalidDimension, .invalidShape, .lapackFailure: nil
        }
    }

    public var description: String {
        switch self {
        case .dimensionMismatch(let field, let expected, let actual):
            "\(field) has \(actual) values, index has \(expected)"
        case .invalidDimension(let d):
            "dimension \(d) is outside 1...\(FlatIndex.maxDimension)"
        case .nonFiniteValue(let field, let position):
            "\(field)[\(position)] is not a finite number"
        case .zeroVector(let field):
            "\(field) is a zero vector, which the cosine metric cannot normalise"
        case .duplicateID(let id, let first, let second):
            "id \(id) appears twice in the batch (entries \(first) and \(second))"
        case .invalidK(let k):
            "k is \(k); it must be between 1 and \(FlatIndex.maxK)"
        case .filterMismatch(let expected, let actual):
            "filter covers \(actual) rows but the snapshot has \(expected); build it from the snapshot you search"
        case .invalidShape(let what):
            what
        case .lapackFailure(let routine, let info):
            "\(routine) failed with info = \(info)"
        case .io(let path, let operation, let errno):
            "\(operation) \(path) failed (errno \(errno))"
        case .fileTruncated(let path, let expected, let actual):
            "\(path) is truncated: expected \(expected) bytes, found \(actual)"
        case .fileCorrupt(let path, let reason):
            "\(path) is not a valid matchd index: \(reason)"
        case .unsupportedFileVersion(let path, let found, let supported):
            "\(path) has index format version \(found); this build reads version \(supported)"
        }
    }
}
