import CSV
import Foundation

/// An import file read into records: each is the JSON line the import endpoint takes, with the
/// line of the file where the record starts, so that every error names a line of the file the
/// user has (a CSV header, a quoted cell spanning lines and blank lines all count).
struct ImportFile: Sendable {
    struct Record: Sendable, Equatable {
        /// The line of the file (1-based) where the record starts.
        var line: Int
        /// One JSON object, without a newline.
        var json: Data
    }

    var records: [Record] = []
    /// Records refused while reading the file (a CSV cell that does not parse), by line.
    var errors: [ImportLineError] = []

    /// The records the file holds, refused or not; blank lines are not records.
    var count: Int { records.count + errors.count }

    /// Reads a file as JSON Lines or CSV (`format` is `jsonl` or `csv`).
    static func read(_ data: Data, format: String, kind: ImportKind) throws(ImportFileError) -> ImportFile {
        format == "csv" ? try csv(String(decoding: data, as: UTF8.self), kind: kind) : jsonLines(data)
    }

    /// JSON Lines: every line that is not blank (spaces and tabs only) is a record, numbered as
    /// `ImportReader` numbers it; a trailing `\r` is dropped.
    static func jsonLines(_ data: Data) -> ImportFile {
        var file = ImportFile()
        let newline = UInt8(ascii: "\n")
        for (index, var line) in data.split(separator: newline, omittingEmptySubsequences: false).enumerated() {
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            file.records.append(Record(line: index + 1, json: Data(line)))
        }
        return file
    }
}

/// A file the import cannot read at all (an unknown CSV column, courses as CSV).
struct ImportFileError: Error, Equatable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - CSV

extension ImportFile {
    /// The CSV columns of each kind, in the order the documentation lists them.
    static func csvColumns(_ kind: ImportKind) -> [String] {
        switch kind {
        case .talents: ["id", "displayName", "city", "desiredCities", "salaryMin", "salaryMax", "level", "searchable",
                        "skills", "certificates", "text"]
        case .jobs: ["id", "employerId", "title", "description", "postCode", "level", "city", "salaryMin", "salaryMax",
                     "requirements"]
        case .courses: []
        }
    }

    /// The columns a CSV header must have: without them every row would be refused.
    static func requiredCSVColumns(_ kind: ImportKind) -> [String] {
        switch kind {
        case .talents: ["id", "displayName"]
        case .jobs: ["id", "employerId", "title"]
        case .courses: []
        }
    }

    /// CSV (RFC 4180, read with CSV.swift) with a header row: each row becomes the JSON line the
    /// import takes, so both formats go through one validation. A cell that does not parse (a
    /// salary or level that is not a whole number, a `searchable` that is not a yes or no, a
    /// skill without a level) refuses its row, naming the column and the value. A leading UTF-8
    /// byte order mark is ignored.
    static func csv(_ text: String, kind: ImportKind) throws(ImportFileError) -> ImportFile {
        guard kind != .courses else { throw ImportFileError("courses have nested fields; import them as JSON Lines") }
        var text = text
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        let reader: CSVReader
        do { reader = try CSVReader(string: text, hasHeaderRow: true) } catch {
            throw ImportFileError("the CSV file is empty; its first line must be the header")
        }
        let header = reader.headerRow ?? []
        try checkHeader(header, kind: kind)
        var file = ImportFile()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // CSV.swift does not report positions; a record spans one line plus the line breaks
        // inside its (quoted) cells, which the cells keep verbatim.
        var line = 1 + lineBreaks(in: header) + 1
        while let row = reader.next() {
            defer { line += lineBreaks(in: row) + 1 }
            if row.count == 1 && row[0].allSatisfy({ $0 == " " || $0 == "\t" }) { continue }   // a blank line
            var cells = CSVCells(header: header, row: row)
            let json: Data?
            do {
                json = switch kind {
                case .talents: try cells.talent().map { try encoder.encode($0) }
                case .jobs: try cells.job().map { try encoder.encode($0) }
                case .courses: nil
                }
            } catch {
                throw ImportFileError("line \(line): cannot encode the record: \(error)")
            }
            if let json {
                file.records.append(Record(line: line, json: json))
            } else if let first = cells.problems.first {
                file.errors.append(ImportLineError(
                    line: line, id: cells.string("id"), code: ErrorCode.invalidImportLine.rawValue,
                    message: cells.problems.map(\.message).joined(separator: "; "), field: first.field))
            }
        }
        return file
    }

    private static func checkHeader(_ header: [String], kind: ImportKind) throws(ImportFileError) {
        let known = csvColumns(kind)
        let expected = "the \(kind.rawValue) columns are \(known.joined(separator: ","))"
        if let unknown = header.first(where: { !known.contains($0) }) {
            throw ImportFileError("line 1: unknown column \"\(unknown)\"; \(expected)")
        }
        if let twice = header.first(where: { name in header.filter { $0 == name }.count > 1 }) {
            throw ImportFileError("line 1: column \"\(twice)\" appears twice")
        }
        if let missing = requiredCSVColumns(kind).first(where: { !header.contains($0) }) {
            throw ImportFileError("line 1: the header lacks column \"\(missing)\"; \(expected)")
        }
    }

    /// Line breaks (CRLF, CR or LF, each one) inside cells.
    static func lineBreaks(in cells: [String]) -> Int {
        var count = 0
        for cell in cells {
            var afterCR = false
            for scalar in cell.unicodeScalars {
                if scalar == "\r" || (scalar == "\n" && !afterCR) { count += 1 }
                afterCR = scalar == "\r"
            }
        }
        return count
    }
}

/// One CSV row read into the API's input types; each cell that does not parse is a problem.
private struct CSVCells {
    let cells: [String: String]
    let width: (row: Int, header: Int)
    private(set) var problems: [(field: String, message: String)] = []

    init(header: [String], row: [String]) {
        var cells: [String: String] = [:]
        for (name, value) in zip(header, row) { cells[name] = value }
        self.cells = cells
        width = (row.count, header.count)
    }

    /// The cell's text, trimmed; nil when absent or blank.
    func string(_ column: String) -> String? {
        guard let raw = cells[column]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return raw
    }

    /// Free text (descriptions, résumés): kept as written; nil when blank.
    func text(_ column: String) -> String? {
        guard let raw = cells[column], !raw.allSatisfy(\.isWhitespace) else { return nil }
        return raw
    }

    private mutating func refuse(_ column: String, _ message: String) {
        problems.append((column, "\(column): \(message)"))
    }

    mutating func int(_ column: String) -> Int? {
        guard let raw = string(column) else { return nil }
        guard let value = Int(raw) else {
            refuse(column, "\"\(raw)\" is not a whole number")
            return nil
        }
        return value
    }

    mutating func bool(_ column: String) -> Bool? {
        guard let raw = string(column) else { return nil }
        switch raw.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default:
            refuse(column, "\"\(raw)\" is not true or false (also yes/no, 1/0)")
            return nil
        }
    }

    func list(_ column: String) -> [String]? {
        string(column).map { $0.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    /// `competency:level` items; `levelRequired` refuses an item without a level.
    mutating func levelled(_ column: String, levelRequired: Bool) -> [(competency: String, level: Int?)] {
        var out: [(String, Int?)] = []
        for item in list(column) ?? [] {
            guard let colon = item.lastIndex(of: ":") else {
                if levelRequired {
                    refuse(column, "\"\(item)\" has no level; write competency:level, e.g. \(item):3")
                } else {
                    out.append((item, nil))
                }
                continue
            }
            let competency = item[..<colon].trimmingCharacters(in: .whitespaces)
            let level = item[item.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if competency.isEmpty {
                refuse(column, "\"\(item)\" has no competency; write competency:level")
            } else if let value = Int(level) {
                out.append((competency, value))
            } else {
                refuse(column, "\"\(item)\" has level \"\(level)\", which is not a whole number")
            }
        }
        return out
    }

    private mutating func salary() -> S.Salary? {
        let min = int("salaryMin"), max = int("salaryMax")
        return min == nil && max == nil ? nil : S.Salary(min: min, max: max)
    }

    private mutating func checkWidth() {
        if width.row != width.header {
            problems.append(("row", "the row has \(width.row) cells, the header \(width.header)"))
        }
    }

    /// The talent, or nil with `problems` set.
    mutating func talent() -> S.TalentInput? {
        checkWidth()
        let salary = salary()
        let level = int("level")
        let searchable = bool("searchable")
        let skills = levelled("skills", levelRequired: true)
        guard problems.isEmpty else { return nil }
        return S.TalentInput(id: string("id"), displayName: string("displayName") ?? "", city: string("city"),
                             desiredCities: list("desiredCities"), salary: salary, level: level, searchable: searchable,
                             profile: .init(skills: skills.map { .init(competency: $0.competency, level: $0.level!) },
                                            certificates: list("certificates"), text: text("text")))
    }

    /// The posting, or nil with `problems` set.
    mutating func job() -> S.JobInput? {
        checkWidth()
        let salary = salary()
        let level = int("level")
        let requirements = levelled("requirements", levelRequired: false)
        guard problems.isEmpty else { return nil }
        return S.JobInput(id: string("id"), employerId: string("employerId"), title: string("title") ?? "",
                          description: text("description"), postCode: string("postCode"), level: level, city: string("city"),
                          salary: salary, requirements: requirements.map { .init(competency: $0.competency, level: $0.level) })
    }
}
