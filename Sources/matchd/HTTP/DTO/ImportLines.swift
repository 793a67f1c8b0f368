import Embeddings
import Foundation

/// What an import line holds.
enum ImportKind: String, Sendable, CaseIterable {
    case talents, jobs, courses
}

/// Splits an NDJSON stream into lines and decodes each as the API's own body schema
/// (`TalentInput`, `JobInput` or `CourseInput`), so an import line is exactly what the
/// corresponding POST would take. Blank lines are skipped; line numbers count every line.
struct ImportReader {
    enum Decoded {
        case item(line: Int, ImportItem)
        case error(ImportLineError)
    }

    let kind: ImportKind
    let limit: Int
    private(set) var lines = 0
    private var lineNumber = 0
    private var pending: [UInt8] = []
    private var total = 0
    private let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = RFC3339Dates.decodingStrategy
        return d
    }()

    init(kind: ImportKind, limit: Int) {
        self.kind = kind
        self.limit = limit
    }

    /// Decodes every complete line in `chunk`. Throws when the stream passes `limit` bytes.
    mutating func feed(_ chunk: some Collection<UInt8>) throws(ServiceError) -> [Decoded] {
        total += chunk.count
        if total > limit {
            throw .tooLarge("the import passed \(limit) bytes at line \(lineNumber + 1); the valid lines before it are "
                + "committed, send the rest as another import")
        }
        var out: [Decoded] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\n") {
                if let d = decodeLine() { out.append(d) }
            } else {
                pending.append(byte)
            }
        }
        return out
    }

    /// Decodes the last line when the stream does not end with a newline.
    mutating func finish() -> [Decoded] {
        pending.isEmpty ? [] : [decodeLine()].compactMap { $0 }
    }

    private mutating func decodeLine() -> Decoded? {
        lineNumber += 1
        defer { pending.removeAll(keepingCapacity: true) }
        var bytes = pending[...]
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        if bytes.allSatisfy({ $0 == 32 || $0 == 9 }) { return nil }
        lines += 1
        let line = lineNumber
        if let problem = BodyRules.firstProblem(inJSON: bytes) {
            return .error(ImportLineError(line: line, id: nil, code: ErrorCode.invalidField.rawValue,
                                          message: "\(problem.field): \(problem.message)", field: problem.field))
        }
        do {
            let data = Data(bytes)
            let item: ImportItem = switch kind {
            case .talents: .talent(TalentDraft(try decoder.decode(S.TalentInput.self, from: data)))
            case .jobs: .job(JobDraft(try decoder.decode(S.JobInput.self, from: data)))
            case .courses: .course(Course(try decoder.decode(S.CourseInput.self, from: data)))
            }
            return .item(line: line, item)
        } catch let e as ServiceError {
            return .error(ImportLineError(line: line, id: nil, code: e.code, message: e.description, field: e.field))
        } catch let e as DecodingError {
            let (field, message) = describe(e)
            return .error(ImportLineError(line: line, id: nil, code: "import.invalid_line", message: message, field: field))
        } catch {
            return .error(ImportLineError(line: line, id: nil, code: "import.invalid_line", message: "\(error)", field: nil))
        }
    }
}

/// A decoding error as (field path, readable message).
func describe(_ error: DecodingError) -> (field: String?, message: String) {
    func path(_ keys: [any CodingKey]) -> String? {
        let parts = keys.map { k in k.intValue.map { "[\($0)]" } ?? ".\(k.stringValue)" }
        let joined = parts.joined()
        return joined.isEmpty ? nil : String(joined.drop { $0 == "." })
    }
    switch error {
    case .keyNotFound(let key, let ctx):
        let field = path(ctx.codingPath + [key])
        return (field, "\(field ?? key.stringValue) is required")
    case .typeMismatch(let type, let ctx):
        let field = path(ctx.codingPath)
        return (field, "\(field ?? "value") has the wrong type (expected \(type))")
    case .valueNotFound(let type, let ctx):
        let field = path(ctx.codingPath)
        return (field, "\(field ?? "value") is null (expected \(type))")
    case .dataCorrupted(let ctx):
        let field = path(ctx.codingPath)
        if ctx.codingPath.isEmpty { return (nil, "not valid JSON: \(ctx.debugDescription)") }
        // The generated decoders refuse keys the schema does not have (`additionalProperties: false`).
        if ctx.debugDescription.hasPrefix("Additional properties are disabled") {
            return (field, "\(field ?? "value"): no such field here (openapi.yaml lists the fields; unknown ones are refused)")
        }
        return (field, "\(field ?? "value"): \(ctx.debugDescription)")
    @unknown default:
        return (nil, "\(error)")
    }
}
