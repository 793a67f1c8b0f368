import ArgumentParser
import CSV
import Foundation
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `matchd import --kind talents|jobs|courses FILE`: upserts records by id from JSON Lines (each
/// line is the body the API's POST takes) or CSV (talents and jobs; columns below). Valid lines
/// are committed; each refused line is reported with its number. Without `--url` it writes to the
/// store directly (stop the server first); with `--url` it sends the lines to a running server's
/// import endpoint, which keeps answering searches meanwhile.
///
/// CSV columns (header row required; lists separated by `;`, skills and requirements as
/// `competency:level`): talents `id,displayName,city,desiredCities,salaryMin,salaryMax,level,
/// searchable,skills,certificates,text`; jobs `id,employerId,title,description,postCode,level,city,
/// salaryMin,salaryMax,requirements`.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Bulk upsert talents, jobs or courses.")

    @OptionGroup var store: StoreOptions
    @Option(help: "talents, jobs or courses.") var kind: String
    @Option(help: "jsonl or csv (default: from the file extension).") var format: String?
    @Option(help: "A running server (e.g. http://127.0.0.1:8080) to import through.") var url: String?
    @Option(help: "Admin key for --url (default: the data directory's admin.key).") var key: String?
    @Argument(help: "The file to import.") var file: String

    func run() async throws {
        guard let kind = ImportKind(rawValue: kind) else { throw ValidationError("--kind must be talents, jobs or courses") }
        let fmt = format ?? (file.lowercased().hasSuffix(".csv") ? "csv" : "jsonl")
        guard ["jsonl", "csv"].contains(fmt) else { throw ValidationError("--format must be jsonl or csv") }
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let ndjson = fmt == "csv" ? try CSVImport.ndjson(kind: kind, csv: String(decoding: data, as: UTF8.self)) : data
        let (lines, errors) = url != nil ? try await remote(kind: kind, body: ndjson) : try await local(kind: kind, body: ndjson)
        for e in errors { print("line \(e.line)\(e.id.map { " (\($0))" } ?? ""): \(e.code): \(e.message)") }
        print("\(lines - errors.count) of \(lines) lines imported, \(errors.count) refused")
        if !errors.isEmpty { throw ExitCode(2) }
    }

    private func local(kind: ImportKind, body: Data) async throws -> (Int, [ImportLineError]) {
        let engine = try await openEngine(store)
        var reader = ImportReader(kind: kind, limit: .max)
        var decoded = try reader.feed(body)
        decoded += reader.finish()
        var errors: [ImportLineError] = []
        var batch: [(line: Int, item: ImportItem)] = []
        let admin = Identity(role: .admin)
        var progress = Progress("import", total: decoded.count)
        for (i, d) in decoded.enumerated() {
            switch d {
            case .item(let line, let item): batch.append((line, item))
            case .error(let e): errors.append(e)
            }
            if batch.count >= Engine.importBatch || i == decoded.count - 1 {
                errors += try await engine.importBatch(batch, by: admin)
                batch.removeAll()
                progress.update(i + 1)
            }
        }
        progress.finish()
        var logger = Logger(label: "matchd")
        logger.logLevel = .warning
        try await engine.saveSnapshot(logger: logger)
        return (reader.lines, errors.sorted { $0.line < $1.line })
    }

    private func remote(kind: ImportKind, body: Data) async throws -> (Int, [ImportLineError]) {
        var config = MatchdConfig()
        try store.resolve(into: &config)
        let adminKey = try key ?? String(decoding: Data(contentsOf: config.adminKeyFile), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard let base = url, let endpoint = URL(string: base + "/v1/import/\(kind.rawValue)") else {
            throw ValidationError("--url is not a URL")
        }
        var request = URLRequest(url: endpoint)
        request.httpMethod = "POST"
        request.setValue("application/x-ndjson", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(adminKey)", forHTTPHeaderField: "Authorization")
        request.httpBody = body
        request.timeoutInterval = 3600
        let (data, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw ValidationError("the server answered \((response as? HTTPURLResponse)?.statusCode ?? 0): \(String(decoding: data, as: UTF8.self))")
        }
        let result = try JSONDecoder().decode(S.ImportResult.self, from: data)
        return (result.lines, result.errors.map { .init(line: $0.line, id: $0.id, code: $0.code, message: $0.message, field: $0.field) })
    }
}

/// CSV rows → the JSON Lines the import reads (so both formats go through one validation).
enum CSVImport {
    static func ndjson(kind: ImportKind, csv text: String) throws -> Data {
        let reader = try CSVReader(string: text, hasHeaderRow: true)
        let header = reader.headerRow ?? []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = Data()
        while let row = reader.next() {
            var fields: [String: String] = [:]
            for (i, name) in header.enumerated() where i < row.count { fields[name] = row[i] }
            func list(_ key: String) -> [String]? {
                fields[key].map { $0.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            }
            func int(_ key: String) -> Int? { fields[key].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
            func pairs(_ key: String) -> [(String, Int?)] {
                (list(key) ?? []).map { item in
                    let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
                    return (parts[0], parts.count > 1 ? Int(parts[1]) : nil)
                }
            }
            let salary = int("salaryMin") == nil && int("salaryMax") == nil ? nil : S.Salary(min: int("salaryMin"), max: int("salaryMax"))
            switch kind {
            case .talents:
                let t = S.TalentInput(id: fields["id"], displayName: fields["displayName"] ?? "", city: fields["city"],
                                      desiredCities: list("desiredCities"), salary: salary, level: int("level"),
                                      searchable: fields["searchable"].map { ["1", "true", "yes"].contains($0.lowercased()) },
                                      profile: .init(skills: pairs("skills").map { .init(competency: $0.0, level: $0.1 ?? 3) },
                                                     certificates: list("certificates"), text: fields["text"]))
                out += try encoder.encode(t)
            case .jobs:
                let j = S.JobInput(id: fields["id"], employerId: fields["employerId"], title: fields["title"] ?? "",
                                   description: fields["description"], postCode: fields["postCode"].flatMap { $0.isEmpty ? nil : $0 },
                                   level: int("level"), city: fields["city"], salary: salary,
                                   requirements: pairs("requirements").map { .init(competency: $0.0, level: $0.1) })
                out += try encoder.encode(j)
            case .courses:
                throw ValidationError("courses have nested fields; import them as JSON Lines")
            }
            out += Data("\n".utf8)
        }
        return out
    }
}
