import ArgumentParser
import Foundation
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `matchd import --kind talents|jobs|courses FILE`: upserts records by id from JSON Lines (each
/// line is the body the API's POST takes) or CSV (talents and jobs). Valid records are committed;
/// each refused one is reported with the line of the file where it starts. Without `--url` it
/// writes to the store directly (stop the server first); with `--url` it sends the records to a
/// running server's import endpoint in chunks, which keeps answering searches meanwhile.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Bulk upsert talents, jobs or courses.",
        discussion: """
            JSON Lines: one object per line, the body POST /v1/talents, /v1/jobs or /v1/courses takes.

            CSV (talents and jobs; RFC 4180, a header row naming the columns, in any order; a \
            quoted cell may span lines): talents \(ImportFile.csvColumns(.talents).joined(separator: ",")) \
            (id and displayName required); jobs \(ImportFile.csvColumns(.jobs).joined(separator: ",")) \
            (id, employerId and title required). Lists are separated by ";". skills are \
            competency:level, every skill with its level (as in the API); requirements are \
            competency:level or competency alone, which takes the posting's level, else 5. \
            salaryMin, salaryMax and level are whole numbers, searchable is true/false (yes/no, 1/0); \
            an empty cell leaves the field out. A cell that does not parse refuses its record, \
            naming the column and the value.

            Errors name the line of the file where the record starts. Exit status 2 when any \
            record was refused (the others are committed), 1 when the import stopped early; then \
            it names the last line whose records are all committed, and --from-line resumes after \
            it (records are upserts, so sending one again changes nothing).
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "talents, jobs or courses.") var kind: String
    @Option(help: "jsonl or csv (default: from the file extension).") var format: String?
    @Option(help: "A running server (e.g. http://127.0.0.1:8080) to import through.") var url: String?
    @Option(help: "Admin key for --url (default: the data directory's admin.key).") var key: String?
    @Option(help: "Records per request with --url (each request also stays under 1 MiB).") var chunkLines = ImportChunk.defaultLines
    @Option(help: "Skip the records that start before this line of the file (to resume a stopped import).") var fromLine = 1
    @Argument(help: "The file to import.") var file: String

    func validate() throws {
        guard chunkLines > 0 else { throw ValidationError("--chunk-lines must be at least 1") }
        guard fromLine > 0 else { throw ValidationError("--from-line must be at least 1") }
    }

    func run() async throws {
        guard let kind = ImportKind(rawValue: kind) else { throw ValidationError("--kind must be talents, jobs or courses") }
        let fmt = format ?? (file.lowercased().hasSuffix(".csv") ? "csv" : "jsonl")
        guard ["jsonl", "csv"].contains(fmt) else { throw ValidationError("--format must be jsonl or csv") }
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        var records = try ImportFile.read(data, format: fmt, kind: kind)
        records.records.removeAll { $0.line < fromLine }
        records.errors.removeAll { $0.line < fromLine }
        var progress = Progress("import", total: records.count)
        let outcome = url != nil
            ? try await remote(kind: kind, records, progress: { progress.update($0) })
            : try await local(kind: kind, records, progress: { progress.update($0) })
        progress.finish()
        for e in outcome.errors { print("line \(e.line)\(e.id.map { " (\($0))" } ?? ""): \(e.code): \(e.message)") }
        print("\(outcome.processed - outcome.errors.count) of \(records.count) records imported, \(outcome.errors.count) refused")
        if let failure = outcome.failure {
            // `processed` counts the records read as refused, then those of the chunks sent.
            let sent = min(max(0, outcome.processed - records.errors.count), records.records.count)
            let done = sent > 0 ? records.records[sent - 1].line : nil
            let resume = sent < records.records.count ? records.records[sent].line : nil
            FileHandle.standardError.write(Data(("import stopped: \(failure)\n"
                + (done.map { "the records through line \($0) are committed" } ?? "no record was committed")
                + (resume.map { "; resume with --from-line \($0)\n" } ?? "\n")).utf8))
            throw ExitCode(1)
        }
        if !outcome.errors.isEmpty { throw ExitCode(2) }
    }

    private func local(kind: ImportKind, _ records: ImportFile, progress: (Int) -> Void) async throws -> ImportOutcome {
        let engine = try await openEngine(store, exclusive: "import")
        let outcome = try await ImportRun.local(records, kind: kind, engine: engine, progress: progress)
        var logger = Logger(label: "matchd")
        logger.logLevel = .warning
        try await engine.saveSnapshot(logger: logger)
        return outcome
    }

    private func remote(kind: ImportKind, _ records: ImportFile, progress: (Int) -> Void) async throws -> ImportOutcome {
        var config = MatchdConfig()
        try store.resolve(into: &config)
        let adminKey = try key ?? String(decoding: Data(contentsOf: config.adminKeyFile), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard let base = url, let endpoint = URL(string: base + "/v1/import/\(kind.rawValue)") else {
            throw ValidationError("--url is not a URL")
        }
        return await ImportRun.remote(records, maxLines: chunkLines, send: { body in
            var request = URLRequest(url: endpoint)
            request.httpMethod = "POST"
            request.setValue("application/x-ndjson", forHTTPHeaderField: "Content-Type")
            request.setValue("Bearer \(adminKey)", forHTTPHeaderField: "Authorization")
            request.httpBody = body
            request.timeoutInterval = 600
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard status == 200 else {
                throw ImportFileError("the server answered \(status): \(String(decoding: data, as: UTF8.self))")
            }
            return try JSONDecoder().decode(S.ImportResult.self, from: data)
        }, progress: progress)
    }
}
