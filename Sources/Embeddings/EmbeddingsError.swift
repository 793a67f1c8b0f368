/// Everything Embeddings can refuse, as a closed set with stable codes.
///
/// Each case names what was wrong (a request field, a model file with line and entry) so that
/// callers can show the message as is. `code` values are stable API: never renamed, never reused.
public enum EmbeddingsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A model directory breaks one or more rules of `models/README.md`; every problem found is listed.
    case invalidModel(problems: [ModelProblem])
    /// A file could not be read or written.
    case io(path: String, message: String)
    /// A request names a competency id the model does not have.
    case unknownCompetency(field: String, id: String)
    /// A request names a certificate id the model does not have.
    case unknownCertificate(field: String, id: String)
    /// A request names a course id the model (or the caller's catalogue) does not have.
    case unknownCourse(field: String, id: String)
    /// A request names a post id or occupation code the model does not have.
    case unknownPost(field: String, id: String)
    /// A request value outside its allowed range (a level outside the scale, a negative weight, …).
    case invalidValue(field: String, message: String)
    /// A latent space could not be built (empty model, bad rank, or the decomposition failed).
    case latentSpace(message: String)
    /// An ESCO CSV file is missing, lacks a column or cannot be parsed.
    case invalidESCO(file: String, line: Int?, message: String)

    /// Stable machine-readable code, `embeddings.snake_case`.
    public var code: String {
        switch self {
        case .invalidModel: "embeddings.invalid_model"
        case .io: "embeddings.io"
        case .unknownCompetency: "embeddings.unknown_competency"
        case .unknownCertificate: "embeddings.unknown_certificate"
        case .unknownCourse: "embeddings.unknown_course"
        case .unknownPost: "embeddings.unknown_post"
        case .invalidValue: "embeddings.invalid_value"
        case .latentSpace: "embeddings.latent_space"
        case .invalidESCO: "embeddings.invalid_esco"
        }
    }

    /// The request field or file the error is about, when there is one.
    public var field: String? {
        switch self {
        case .invalidModel(let problems): problems.first.map { $0.file }
        case .io(let path, _): path
        case .unknownCompetency(let field, _), .unknownCertificate(let field, _), .unknownCourse(let field, _),
             .unknownPost(let field, _), .invalidValue(let field, _):
            field
        case .latentSpace: nil
        case .invalidESCO(let file, _, _): file
        }
    }

    public var description: String {
        switch self {
        case .invalidModel(let problems):
            let errors = problems.filter { $0.severity == .error }.count
            var text = "the model has \(errors) error\(errors == 1 ? "" : "s")"
            if problems.count > errors { text += " and \(problems.count - errors) warning\(problems.count - errors == 1 ? "" : "s")" }
            return text + ":\n" + problems.map { "  " + $0.description }.joined(separator: "\n")
        case .io(let path, let message):
            return "\(path): \(message)"
        case .unknownCompetency(let field, let id):
            return "\(field): no competency with id \"\(id)\" in the model"
        case .unknownCertificate(let field, let id):
            return "\(field): no certificate with id \"\(id)\" in the model"
        case .unknownCourse(let field, let id):
            return "\(field): no course with id \"\(id)\""
        case .unknownPost(let field, let id):
            return "\(field): no post or occupation with id \"\(id)\" in the model"
        case .invalidValue(let field, let message):
            return "\(field): \(message)"
        case .latentSpace(let message):
            return "latent space: \(message)"
        case .invalidESCO(let file, let line, let message):
            return "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
        }
    }
}

/// One broken rule in a model directory: where (file, line, entry, field) and what.
public struct ModelProblem: Error, Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// What kind of rule was broken; `code` is stable API.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case missingFile
        case malformedJSON
        case unknownKey
        case missingKey
        case wrongType
        case invalidID
        case duplicateID
        case duplicateAlias
        case unknownReference
        case outOfRange
        case weightSum
        case invalidValue

        /// `embeddings.model.snake_case`; stable, never renamed or reused.
        public var code: String {
            switch self {
            case .missingFile: "embeddings.model.missing_file"
            case .malformedJSON: "embeddings.model.malformed_json"
            case .unknownKey: "embeddings.model.unknown_key"
            case .missingKey: "embeddings.model.missing_key"
            case .wrongType: "embeddings.model.wrong_type"
            case .invalidID: "embeddings.model.invalid_id"
            case .duplicateID: "embeddings.model.duplicate_id"
            case .duplicateAlias: "embeddings.model.duplicate_alias"
            case .unknownReference: "embeddings.model.unknown_reference"
            case .outOfRange: "embeddings.model.out_of_range"
            case .weightSum: "embeddings.model.weight_sum"
            case .invalidValue: "embeddings.model.invalid_value"
            }
        }
    }

    /// Errors stop a model from loading; warnings are reported by `validate(directory:)` only.
    public enum Severity: String, Sendable, Codable { case error, warning }

    public var kind: Kind
    public var severity: Severity
    /// File name inside the model directory (`posts.jsonl`).
    public var file: String
    /// 1-based line number, when the problem is on one line.
    public var line: Int?
    /// The id of the entry the line holds, when known.
    public var entry: String?
    /// The field path inside the entry, e.g. `functions[1].weight`.
    public var field: String?
    public var message: String

    public init(_ kind: Kind, severity: Severity = .error, file: String, line: Int? = nil, entry: String? = nil,
                field: String? = nil, message: String) {
        self.kind = kind
        self.severity = severity
        self.file = file
        self.line = line
        self.entry = entry
        self.field = field
        self.message = message
    }

    public var code: String { kind.code }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        var text = "\(place): "
        if severity == .warning { text += "warning: " }
        if let entry { text += "\(entry): " }
        if let field { text += "\(field): " }
        return text + message + " [\(code)]"
    }
}
