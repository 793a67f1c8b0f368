import ArgumentParser
import CSV
import Embeddings
import Foundation

/// A file of titles for `matchd classify --input`: CSV or TSV with a header row, or JSON Lines.
struct TitleFile {
    struct Row {
        /// The line of the file where the row starts (1-based).
        var line: Int
        var title: String?
        var description: String?
        /// CSV/TSV: the row's cells; JSON Lines: the line's object (or nil when it did not parse).
        var cells: [String] = []
        var object: [String: Any]?
        var readError: String?
    }

    var format: String
    var header: [String] = []
    var rows: [Row] = []

    static func read(_ url: URL, format: String) throws -> TitleFile {
        let text = try String(contentsOf: url, encoding: .utf8)
        var file = TitleFile(format: format)
        if format == "jsonl" {
            for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
                if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
                var row = Row(line: i + 1)
                if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] {
                    row.object = object
                    row.title = object["title"] as? String
                    row.description = object["description"] as? String
                    if object["title"] != nil, row.title == nil { row.readError = "title: must be a string" }
                } else {
                    row.readError = "not a JSON object"
                }
                file.rows.append(row)
            }
            return file
        }
        let delimiter: UnicodeScalar = format == "tsv" ? "\t" : ","
        let reader = try CSVReader(string: text, hasHeaderRow: true, delimiter: delimiter)
        file.header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF} ")) }
        guard let titleColumn = file.header.firstIndex(of: "title") else {
            throw ValidationError("\(url.path): line 1: the header has no \"title\" column")
        }
        let descriptionColumn = file.header.firstIndex(of: "description")
        var line = 2
        while let cells = reader.next() {
            var row = Row(line: line, cells: cells)
            row.title = titleColumn < cells.count ? cells[titleColumn] : nil
            if let d = descriptionColumn, d < cells.count, !cells[d].isEmpty { row.description = cells[d] }
            line += 1 + ImportFile.lineBreaks(in: cells)
            file.rows.append(row)
        }
        return file
    }

    /// Each row coded, or why it was refused (by its line); `progress` sees each row's index first.
    func classify(with coder: OccupationCoder, limit: Int = 3,
                  progress: (Int) -> Void = { _ in }) -> [Result<Classification, ClassifyInputError>] {
        rows.enumerated().map { i, row in
            progress(i)
            if let problem = row.readError { return .failure(ClassifyInputError(line: row.line, field: "line", message: problem)) }
            return Result { () throws(ClassifyInputError) in
                try checkedClassify(coder, title: row.title, description: row.description, line: row.line, limit: limit)
            }
        }
    }

    static let addedColumns = ["code", "name", "digital", "confidence", "status", "post", "error"]

    func write(_ results: [Result<Classification, ClassifyInputError>]) -> String {
        var out = ""
        if format == "jsonl" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for (row, result) in zip(rows, results) {
                var object = row.object ?? ["line": row.line]
                switch result {
                case .success(let c):
                    if let data = try? encoder.encode(c), let value = try? JSONSerialization.jsonObject(with: data) {
                        object["classification"] = value
                    }
                case .failure(let e):
                    object["error"] = ["line": e.line ?? row.line, "field": e.field, "message": e.message] as [String: Any]
                }
                let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
                out += String(decoding: data, as: UTF8.self) + "\n"
            }
            return out
        }
        let separator = format == "tsv" ? "\t" : ","
        func cell(_ s: String) -> String {
            if format == "tsv" { return s.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }
            return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        out += (header + Self.addedColumns).map(cell).joined(separator: separator) + "\n"
        for (row, result) in zip(rows, results) {
            var cells = row.cells + [String](repeating: "", count: max(0, header.count - row.cells.count))
            switch result {
            case .success(let c):
                let top = c.occupation ?? c.candidates.first
                cells += [c.occupation?.code ?? "", c.occupation?.name ?? "", top.map { $0.digital ? "true" : "false" } ?? "",
                          top.map { String(format: "%.3f", $0.confidence) } ?? "", c.isUnknown ? "unknown" : "coded",
                          c.occupation?.post ?? "", ""]
            case .failure(let e):
                cells += ["", "", "", "", "error", "", e.description]
            }
            out += cells.map(cell).joined(separator: separator) + "\n"
        }
        return out
    }
}
