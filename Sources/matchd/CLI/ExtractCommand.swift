import ArgumentParser
import Embeddings
import Foundation

/// `matchd extract TEXT`: the competencies, spans, levels and confidence found in a text.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "extract", abstract: "Show the competencies a text mentions.")
    @Option(name: .customLong("model"), help: "Model directory (default the bundled model).") var modelDirectory: String?
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Argument(help: "The text (Chinese, English or both); '-' reads standard input.") var text: String

    func run() throws {
        let directory = modelDirectory.map { URL(fileURLWithPath: $0) } ?? MatchdConfig.bundledModel
        let model = try CompetencyModel.load(from: directory)
        let input = text == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : text
        let extraction = Extractor(model: model).extract(input)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(extraction), as: UTF8.self))
            return
        }
        for m in extraction.mentions {
            let what = m.competency ?? m.certificate ?? "?"
            let name = m.competency.flatMap { model.competency(id: $0)?.name.zh } ?? m.certificate.flatMap { model.certificate(id: $0)?.name.zh } ?? ""
            print("\(m.span.start)…\(m.span.end)\t\(m.text)\t→ \(what) \(name)\tlevel \(m.level.map(String.init) ?? "-")"
                + "\(m.negated ? "\tNEGATED" : "")\tconfidence \(String(format: "%.2f", m.confidence))\t\(m.source.rawValue)")
        }
        for f in ProtectedAttributes().findings(in: input) {
            print("\(f.span.start)…\(f.span.end)\t\(f.text)\t→ protected attribute: \(f.category.rawValue)")
        }
    }
}
