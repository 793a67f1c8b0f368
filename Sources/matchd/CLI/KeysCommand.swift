import ArgumentParser
import Foundation
import Logging

/// `matchd keys create`: creates an API key directly in the store (the server need not run).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Manage API keys.",
                                                    subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key and print it (once).")
        @OptionGroup var store: StoreOptions
        @Option(help: "admin, employer or seeker.") var role: String
        @Option(help: "Who holds the key.") var name: String
        @Option(help: "An existing employer (employer keys; default: a new employer named --name).") var employer: String?
        @Option(help: "The talent id a seeker key owns (default: a new id).") var talent: String?

        func run() async throws {
            guard let role = APIKeyRecord.Role(rawValue: role) else { throw ValidationError("--role must be admin, employer or seeker") }
            let engine = try await openEngine(store)
            let (key, record) = try await engine.createKey(.init(role: role, name: name, employerID: employer, talentID: talent))
            print(key)
            FileHandle.standardError.write(Data("key \(record.id): \(role.rawValue)\(record.employerId.map { " for employer \($0)" } ?? "")\(record.talentId.map { " for talent \($0)" } ?? "")\n".utf8))
        }
    }
}

/// An engine over the configured store, quietly (CLI commands). `exclusive` takes the data
/// directory's write lock for the command it names (see `Engine.start`).
func openEngine(_ options: StoreOptions, exclusive: String? = nil) async throws -> Engine {
    var config = MatchdConfig()
    try options.resolve(into: &config)
    do { try config.validate() } catch { throw ValidationError("\(error)") }
    var logger = Logger(label: "matchd")
    logger.logLevel = .warning
    return try await Engine.start(config: config, logger: logger, exclusive: exclusive)
}
