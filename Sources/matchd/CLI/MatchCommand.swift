import ArgumentParser
import Embeddings
import Foundation

/// `matchd match`: ranked, explained jobs for a stored talent, a profile file or a text, from
/// the terminal, with the same retrieval and scoring as the API.
struct MatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "match", abstract: "Match jobs from the terminal.")

    @OptionGroup var store: StoreOptions
    @Option(help: "A stored talent's id.") var talent: String?
    @Option(help: "A JSON file holding a profile (the API's ProfileInput).") var profile: String?
    @Option(help: "Free text (a résumé or a list of skills).") var text: String?
    @Option(help: "Results.") var k = 10
    @Option(help: "Only jobs in this city.") var city: String?
    @Option(help: "Only jobs of this post or occupation code.") var postCode: String?

    func validate() throws {
        guard [talent, profile, text].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --talent, --profile and --text")
        }
    }

    func run() async throws {
        let engine = try await openEngine(store)
        let input: ProfileInput
        if let talent {
            guard let r = try await engine.store.talent(id: talent) else { throw ValidationError("no talent \(talent)") }
            input = r.profile
        } else if let profile {
            input = ProfileInput(try JSONDecoder().decode(S.ProfileInput.self, from: Data(contentsOf: URL(fileURLWithPath: profile))))
        } else {
            input = ProfileInput(text: text)
        }
        let k = try validateK(k)
        let page = try await engine.matchJobs(profile: input, filters: JobFilters(city: city, postCode: postCode), k: k, cursor: nil)
        if page.items.isEmpty { print("no matching open jobs") }
        for (i, r) in page.items.enumerated() {
            let gaps = r.fit.gaps.prefix(3).map { "\(engine.model.competency(id: $0.competency)?.name.zh ?? $0.competency) \(String(format: "%.1f", $0.have))→\($0.need)" }
            print(String(format: "%2d. %.3f (sim %.3f) ", i + 1, r.score, r.similarity)
                + "\(r.entry.id) \(r.entry.title) · \(r.entry.city ?? "-")"
                + (gaps.isEmpty ? "" : "\n      missing: \(gaps.joined(separator: ", "))"))
        }
    }
}
