import ArgumentParser
import Foundation
import Logging

/// `matchd demo`: fills the store with a synthetic dataset (no real people) and writes demo keys.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create a realistic synthetic dataset from the model: talents, employers and job postings.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Talents to create.") var talents = 20_000
    @Option(help: "Job postings to create.") var jobs = 5_000
    @Option(help: "Employers owning the postings.") var employers = 300
    @Option(help: "Random seed (the same seed gives the same data).") var seed: UInt64 = 20_261_122
    @Flag(help: "Do nothing when the store already holds talents or jobs.") var ifEmpty = false

    func run() async throws {
        let engine = try await openEngine(store, exclusive: "demo")
        if ifEmpty, try await !engine.store.isEmpty() {
            print("the store already holds data; nothing to do")
            return
        }
        var logger = Logger(label: "matchd")
        logger.logLevel = .warning
        try await ensureAdminKey(engine: engine, logger: logger)
        var generator = DemoGenerator(model: engine.model, seed: seed)
        let companies = generator.employers(count: employers)
        for c in companies { try await engine.createEmployer(id: c.id, name: c.name) }

        var progress = Progress("jobs   ", total: jobs)
        var start = 0
        while start < jobs {
            let end = min(jobs, start + Engine.importBatch)
            let drafts = (start..<end).map { generator.job(index: $0, employerID: companies[$0 % companies.count].id) }
            _ = try await engine.upsertJobs(drafts)
            start = end
            progress.update(start)
        }
        progress.finish()
        progress = Progress("talents", total: talents)
        start = 0
        while start < talents {
            let end = min(talents, start + Engine.importBatch)
            _ = try await engine.upsertTalents((start..<end).map { generator.talent(index: $0) })
            start = end
            progress.update(start)
        }
        progress.finish()

        let employerKey = try await engine.createKey(.init(role: .employer, name: companies[0].name, employerID: companies[0].id))
        let seekerKey = try await engine.createKey(.init(role: .seeker, name: "候选人 #1", talentID: "t-00001"))
        let keys: [String: [String: String]] = [
            "employer": ["key": employerKey.key, "employerId": companies[0].id],
            "seeker": ["key": seekerKey.key, "talentId": "t-00001"],
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = engine.config.dataDirectory.appendingPathComponent("demo-keys.json")
        guard FileManager.default.createFile(atPath: url.path, contents: try encoder.encode(keys),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write the demo keys to \(url.path)")
        }
        try await engine.saveSnapshot(logger: logger)
        print("created \(employers) employers, \(jobs) job postings and \(talents) talents; keys in \(url.path) and \(engine.config.adminKeyFile.path)")
    }
}
