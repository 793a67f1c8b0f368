import ArgumentParser
import Embeddings
import Foundation

/// `matchd model check [DIR]` and `matchd model import-esco [--beside DIR]`.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "model", abstract: "Check or create post-competency models.",
                                                    subcommands: [Check.self, ImportESCO.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a model directory; list every problem with file, line, entry and field.")
        @Argument(help: "The model directory (default: the model serve uses by default, MATCHD_MODEL or the bundled models/cn-digital-2022/v2).")
        var directory: String?

        func run() throws {
            let url = directory.map { URL(fileURLWithPath: $0) }
                ?? ProcessInfo.processInfo.environment["MATCHD_MODEL"].map { URL(fileURLWithPath: $0) }
                ?? MatchdConfig.bundledModel
            print("checking \(url.path)")
            let problems = CompetencyModel.validate(directory: url)
            for p in problems { print(p.description) }
            let errors = problems.filter { $0.severity == .error }.count
            if errors > 0 {
                FileHandle.standardError.write(Data("\(errors) error(s), \(problems.count - errors) warning(s)\n".utf8))
                throw ExitCode(1)
            }
            let model = try CompetencyModel.load(from: url)
            print("ok: \(model.manifest.id) v\(model.manifest.version): \(model.competencies.count) competencies, "
                + "\(model.posts.count) posts, \(model.certificates.count) certificates, \(model.courses.count) courses, "
                + "\(model.levels.labels.count) level labels, \(problems.count) warning(s)")
        }
    }

    struct ImportESCO: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import-esco",
                                                        abstract: "Turn the EU's ESCO CSV files into a model directory.")
        @Option(help: "Directory holding skills_en.csv, occupations_en.csv, occupationSkillRelations_en.csv (and optionally skillSkillRelations_en.csv).")
        var source: String
        @Option(help: "The model directory to write.") var output: String
        @Option(help: "Model id (default esco).") var id = "esco"
        @Option(help: "Requirement level of imported posts on the 0–8 scale (default 4).") var level = 4
        @Option(help: "A model directory to copy and add ESCO to (e.g. models/cn-digital-2022/v2): ESCO posts and occupations get the prefix <id>., and the result is validated before it is written.")
        var beside: String?

        func run() throws {
            var options = ESCOImport.Options()
            options.modelID = id
            options.level = level
            if let beside {
                let report = try ESCOImport.run(source: URL(fileURLWithPath: source), destination: URL(fileURLWithPath: output),
                                                beside: URL(fileURLWithPath: beside), options: options)
                print("wrote \(output) (\(report.modelID)): \(report.baseCompetencies) + \(report.esco.competencies) competencies, "
                    + "\(report.basePosts) + \(report.esco.posts) posts; \(report.renamed.count) ESCO names made unique, "
                    + "\(report.droppedAliases.count) ESCO aliases the base uses dropped")
                return
            }
            // Written beside the output first and validated, so a model that would not load is never written.
            let destination = URL(fileURLWithPath: output)
            let staging = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).staging-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: staging) }
            let report = try ESCOImport.run(source: URL(fileURLWithPath: source), destination: staging, options: options)
            let errors = CompetencyModel.validate(directory: staging).filter { $0.severity == .error }
            guard errors.isEmpty else { throw EmbeddingsError.invalidModel(problems: errors) }
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
            for file in try FileManager.default.contentsOfDirectory(atPath: staging.path) {
                let target = destination.appendingPathComponent(file)
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.moveItem(at: staging.appendingPathComponent(file), to: target)
            }
            print("wrote \(output): \(report.competencies) competencies, \(report.posts) posts, \(report.requirements) requirements, "
                + "\(report.relatedLinks) related links; \(report.droppedAliases.count) shared aliases dropped")
        }
    }
}
