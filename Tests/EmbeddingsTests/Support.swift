import Embeddings
import Foundation
import TestSupport

/// The hand-written fixture model, loaded once per test process (immutable, so tests may share it).
enum Mini {
    static let url = Fixtures.url("models/mini/v1")
    static let model: CompetencyModel = {
        do { return try CompetencyModel.load(from: url) } catch { fatalError("mini model does not load: \(error)") }
    }()

    /// A copy of the mini model in a fresh temporary directory, with `edits` applied: file name →
    /// (1-based line → replacement line; `nil` deletes it). Lines past the end are appended.
    static func copy(editing edits: [String: [Int: String?]] = [:]) throws -> URL {
        let dir = try Fixtures.temporaryDirectory("mini-model")
        for file in CompetencyModel.File.all {
            let source = url.appendingPathComponent(file)
            let exists = FileManager.default.fileExists(atPath: source.path)
            if !exists && edits[file] == nil { continue }
            var lines = try (exists ? String(contentsOf: source, encoding: .utf8) : "")
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            var output: [String] = []
            let fileEdits = edits[file] ?? [:]
            for (i, line) in lines.enumerated() {
                if let edit = fileEdits[i + 1] {
                    if let replacement = edit { output.append(replacement) }
                } else {
                    output.append(line)
                }
            }
            for (n, edit) in fileEdits.sorted(by: { $0.key < $1.key }) where n > lines.count {
                if let replacement = edit { output.append(replacement) }
            }
            try (output.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        return dir
    }

    /// Line `n` of a mini model file.
    static func line(_ file: String, _ n: Int) throws -> String {
        let text = try String(contentsOf: url.appendingPathComponent(file), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[n - 1]
    }
}

/// The bundled model, when its files are present.
enum Bundled {
    static let url = Fixtures.root.appendingPathComponent("models/cn-digital-2022/v2")
    static let v1 = Fixtures.root.appendingPathComponent("models/cn-digital-2022/v1")
    static var isPresent: Bool {
        ["model.json", "competencies.jsonl", "posts.jsonl"].allSatisfy {
            FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path)
        }
    }
}

/// Reads a fixture text file.
func fixtureText(_ relative: String) throws -> String {
    try String(contentsOf: Fixtures.url(relative), encoding: .utf8)
}
