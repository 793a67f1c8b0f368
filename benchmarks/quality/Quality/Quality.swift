import ArgumentParser
import Embeddings
import Foundation

/// `quality`: matchd's quality on the hand-labelled sets of `benchmarks/quality/`.
///
/// Run from `benchmarks/`: `swift run -c release quality classify --split test --write`.
/// The test splits are for reporting only: `--errors` (the list of misses) is refused on them,
/// so that nothing is tuned on what measures it.
@main
struct Quality: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality", abstract: "Quality of occupation coding and reading on the labelled sets.",
        subcommands: [ClassifyQuality.self, ReadingQuality.self])
}

/// Options shared by the subcommands.
struct Common: ParsableArguments {
    @Option(help: "Model directory (default ../models/cn-digital-2022/v2).") var model = "../models/cn-digital-2022/v2"
    @Option(help: "dev, test or all.") var split = "dev"
    @Flag(help: "List the misses (dev only).") var errors = false
    @Flag(help: "Write the tables into ../benchmarks/results/ (`results/` here).") var write = false

    func validate() throws {
        guard ["dev", "test", "all"].contains(split) else { throw ValidationError("--split must be dev, test or all") }
        guard !(errors && split != "dev") else {
            throw ValidationError("--errors lists misses of the dev split only: the test split is not for tuning")
        }
    }

    func loadModel() throws -> CompetencyModel {
        try CompetencyModel.load(from: URL(fileURLWithPath: model))
    }

    func keep(_ entrySplit: String) -> Bool { split == "all" || split == entrySplit }
}

/// Reads one JSON object per line.
func readJSONLines<T: Decodable>(_ type: T.Type, path: String) throws -> [T] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var out: [T] = []
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
        do {
            out.append(try JSONDecoder().decode(T.self, from: Data(trimmed.utf8)))
        } catch {
            throw ValidationError("\(path):\(i + 1): \(error)")
        }
    }
    return out
}

/// Writes `text` to `results/NAME` (relative to `benchmarks/`).
func writeResult(_ name: String, _ text: String) throws {
    let url = URL(fileURLWithPath: "results").appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: true, encoding: .utf8)
    print("wrote benchmarks/results/\(name)")
}

func percent(_ x: Double) -> String { String(format: "%.3f", x) }

func machineLine() -> String {
    let host = ProcessInfo.processInfo.hostName
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let date = ISO8601DateFormatter().string(from: Date())
    return "Measured \(date) on \(host) (\(cores) cores)."
}
