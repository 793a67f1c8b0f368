import Foundation

/// An entry decoded from one line of a model file.
struct Lined<T: Sendable>: Sendable {
    /// 1-based line number; `nil` for entries made in code.
    var line: Int?
    var value: T
}

/// Decodes JSON Lines with one `JSONDecoder` call per line, collecting problems instead of
/// stopping: a malformed line, a missing key or a wrong type skips that entry; unknown keys
/// are reported and the entry is kept.
enum JSONLines {
    /// Blank lines and lines starting with `#` are ignored.
    static func decode<T: Decodable & Sendable>(_ type: T.Type, file: String, data: Data,
                                                problems: inout [ModelProblem]) -> [Lined<T>] {
        guard let text = String(data: data, encoding: .utf8) else {
            problems.append(ModelProblem(.malformedJSON, file: file, message: "the file is not valid UTF-8"))
            return []
        }
        var out: [Lined<T>] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if let value = decodeOne(type, file: file, line: lineNumber, text: String(line), problems: &problems) {
                out.append(Lined(line: lineNumber, value: value))
            }
        }
        return out
    }

    /// Decodes one JSON document (a line, or `model.json`), reporting problems at `line`.
    static func decodeOne<T: Decodable>(_ type: T.Type, file: String, line: Int?, text: String,
                                        problems: inout [ModelProblem]) -> T? {
        let data = Data(text.utf8)
        let sink = UnknownKeySink()
        let decoder = JSONDecoder()
        decoder.userInfo[.unknownKeySink] = sink
        let entry = (try? JSONDecoder().decode(EntryID.self, from: data))?.id
        func reportUnknownKeys() {
            for path in sink.paths {
                let key = path.split(separator: ".").last.map(String.init) ?? path
                problems.append(ModelProblem(.unknownKey, file: file, line: line, entry: entry, field: path,
                                             message: "unknown key \"\(key)\""))
            }
        }
        defer { reportUnknownKeys() }
        do {
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            problems.append(problem(from: error, file: file, line: line, entry: entry))
        } catch {
            problems.append(ModelProblem(.malformedJSON, file: file, line: line, entry: entry, message: "\(error)"))
        }
        return nil
    }

    static func problem(from error: DecodingError, file: String, line: Int?, entry: String?) -> ModelProblem {
        switch error {
        case .keyNotFound(let key, let context):
            return ModelProblem(.missingKey, file: file, line: line, entry: entry,
                                field: fieldPath(context.codingPath + [key]),
                                message: "required key \"\(key.stringValue)\" is missing")
        case .typeMismatch(let type, let context):
            return ModelProblem(.wrongType, file: file, line: line, entry: entry, field: fieldPath(context.codingPath),
                                message: "expected \(typeName(type))")
        case .valueNotFound(let type, let context):
            return ModelProblem(.wrongType, file: file, line: line, entry: entry, field: fieldPath(context.codingPath),
                                message: "expected \(typeName(type)), found null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let underlying = context.underlyingError.map { ": \($0.localizedDescription)" } ?? ""
                return ModelProblem(.malformedJSON, file: file, line: line, entry: entry,
                                    message: "not a valid JSON object\(underlying)")
            }
            return ModelProblem(.invalidValue, file: file, line: line, entry: entry, field: fieldPath(context.codingPath),
                                message: context.debugDescription)
        @unknown default:
            return ModelProblem(.malformedJSON, file: file, line: line, entry: entry, message: "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default:
            if String(describing: type).hasPrefix("Array") { "an array" } else { "an object (\(type))" }
        }
    }
}

/// Just the `id` of an entry, to name it in problems even when the rest does not decode.
private struct EntryID: Decodable {
    let id: String?
}
