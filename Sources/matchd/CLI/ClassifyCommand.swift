import ArgumentParser
import CSV
import Embeddings
import Foundation

/// `matchd classify TITLE` or `matchd classify --input FILE [--output FILE]`: the occupation of
/// job titles (2022 classification), with confidence and reasons.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify", abstract: "Code job titles to occupations of the 2022 classification.",
        discussion: """
            One title: prints the ranked occupations with their confidence and what decided them \
            (--json for the API's answer).

            A file (--input): CSV or TSV with a header row holding a `title` column (and optionally \
            `description`; other columns are kept), or JSON Lines of objects with `title` (and \
            optionally `description`). The output has the same format and rows, with the columns \
            code, name, digital, confidence, status (coded or unknown), post and error added (JSON \
            Lines: a `classification` object). A row that cannot be read is reported with its line \
            and does not stop the others.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "Description of the posting (single title only).") var description: String?
    @Option(help: "Candidates per title, 1…20.") var limit = 3
    @Option(help: "A CSV, TSV or JSON Lines file of titles.") var input: String?
    @Option(help: "Where to write the coded file (default standard output).") var output: String?
    @Option(help: "csv, tsv or jsonl (default: from the input's extension).") var format: String?
    @Flag(help: "Print the single title's answer as JSON.") var json = false
    @Argument(help: "A job title.") var title: String?

    func validate() throws {
        guard (1...20).contains(limit) else { throw ValidationError("--limit must be 1…20") }
        guard (title == nil) != (input == nil) else { throw ValidationError("give either a TITLE or --input FILE") }
        if let format, !["csv", "tsv", "jsonl"].contains(format) { throw ValidationError("--format must be csv, tsv or jsonl") }
    }

    func run() throws {
        var config = MatchdConfig()
        try store.resolve(into: &config)
        let model = try CompetencyModel.load(from: config.modelDirectory)
        let latent = try LatentSpace.build(model: model, rank: config.latentRank)
        let coder = OccupationCoder(model: model, vectorizer: Vectorizer(model: model, latent: latent))
        if let title {
            let c = try checkedClassify(coder, title: title, description: description, field: "TITLE", limit: limit)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(c), as: UTF8.self))
                return
            }
            print("read as: \(c.reading.head)" + (c.reading.level.map { "  (level \($0))" } ?? "")
                + (c.reading.noise.isEmpty ? "" : "  cut: " + c.reading.noise.map { "\($0.text) [\($0.kind.rawValue)]" }.joined(separator: ", ")))
            if c.isUnknown { print("unknown: no occupation reaches the confidence \(c.threshold)") }
            for candidate in c.candidates {
                print(String(format: "%@ %@%@  confidence %.2f", candidate.code, candidate.name, candidate.digital ? " [digital]" : "",
                             candidate.confidence) + (candidate.post.map { "  post \($0)" } ?? ""))
                for e in candidate.evidence.prefix(4) {
                    let what = e.text ?? e.competencies?.joined(separator: ", ") ?? ""
                    print(String(format: "    %.2f %@ %@", e.score, e.kind.rawValue, what) + (e.post.map { " (\($0))" } ?? ""))
                }
            }
            return
        }
        let path = input!
        let fmt = format ?? (path.hasSuffix(".csv") ? "csv" : path.hasSuffix(".tsv") ? "tsv" : "jsonl")
        let file = try TitleFile.read(URL(fileURLWithPath: path), format: fmt)
        var progress = Progress("classify", total: file.rows.count)
        let results = file.classify(with: coder, limit: limit) { i in if i % 256 == 0 { progress.update(i) } }
        progress.update(file.rows.count)
        progress.finish()
        let text = file.write(results)
        if let output { try text.write(toFile: output, atomically: true, encoding: .utf8) } else { print(text, terminator: "") }
        let failed = results.filter { if case .failure = $0 { true } else { false } }
        for case .failure(let e) in results { FileHandle.standardError.write(Data("\(e.description)\n".utf8)) }
        let unknown = results.filter { (try? $0.get())?.isUnknown == true }.count
        FileHandle.standardError.write(Data("\(file.rows.count) titles: \(file.rows.count - failed.count - unknown) coded, \(unknown) unknown, \(failed.count) refused\n".utf8))
        if !failed.isEmpty { throw ExitCode(2) }
    }
}

/// A title the coder refuses, naming the field (and the line of a file).
struct ClassifyInputError: Error, CustomStringConvertible {
    var line: Int?
    var field: String
    var message: String
    var description: String { (line.map { "line \($0): " } ?? "") + "\(field): \(message)" }
}

/// The coder's limits on input, shared by the CLI and the API.
enum ClassifyLimits {
    static let maxTitleScalars = 200
    static let maxDescriptionScalars = 20_000
    static let maxBatchItems = 1_000
}

func checkedClassify(_ coder: OccupationCoder, title: String?, description: String?, field: String = "title",
                     line: Int? = nil, limit: Int = 3) throws(ClassifyInputError) -> Classification {
    guard let title, !title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
        throw ClassifyInputError(line: line, field: field, message: "is empty")
    }
    guard title.unicodeScalars.count <= ClassifyLimits.maxTitleScalars else {
        throw ClassifyInputError(line: line, field: field, message: "has \(title.unicodeScalars.count) characters; at most \(ClassifyLimits.maxTitleScalars)")
    }
    if let description, description.unicodeScalars.count > ClassifyLimits.maxDescriptionScalars {
        throw ClassifyInputError(line: line, field: "description",
                                 message: "has \(description.unicodeScalars.count) characters; at most \(ClassifyLimits.maxDescriptionScalars)")
    }
    return coder.classify(title: title, description: description, limit: limit)
}
