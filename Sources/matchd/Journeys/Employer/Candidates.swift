import Embeddings
import Foundation
import Matcher

/// Where candidates must be: a city (where they live or want to work), or anywhere.
enum CandidateArea: Sendable, Equatable, Hashable {
    case anywhere
    case city(String)

    func allows(_ talent: TalentEntry) -> Bool {
        switch self {
        case .anywhere: true
        case .city(let c): sameCity(talent.city, c) || talent.desiredCities.contains { sameCity($0, c) }
        }
    }

    /// The area for a posting: the explicit city, else anywhere when asked, else the posting's city.
    static func resolve(city: String?, anyCity: Bool?, job: JobRecord) -> CandidateArea {
        if let city { return .city(city) }
        if anyCity == true { return .anywhere }
        return job.city.map { .city($0) } ?? .anywhere
    }
}

extension Engine {
    /// A posting's requirements: from the catalog when open, else computed from the record.
    func requirements(ofJob job: JobRecord) throws(ServiceError) -> RequirementProfile {
        if let seq = job.seq, let entry = jobs.view().entries[UInt64(seq)] { return entry.requirements }
        return try requirements(of: job)
    }

    /// Ranked, explained candidates for a posting, among consenting talents (owner or admin).
    func matchCandidates(jobID: String, area: (JobRecord) -> CandidateArea, k: Int, cursor: PageCursor?,
                         by identity: Identity) async throws -> (items: [Ranked<TalentEntry>], next: PageCursor?) {
        let job = try await job(id: jobID, by: identity)
        try identity.requireJobOwner(employerID: job.employerId)
        let needs = try requirements(ofJob: job)
        let (snapshot, entries) = talents.view()
        let where_ = area(job)
        let filter = where_ == .anywhere ? nil : snapshot.filter { key in entries[key].map(where_.allows) ?? false }
        let started = ContinuousClock.now
        let ranked = try Ranking.rank(query: vectorizer.searchVector(needs), snapshot: snapshot, entries: entries,
                                      filter: filter, depth: config.retrievalDepth, id: \.id) { talent in
            Fit.evaluate(have: talent.capabilities, need: needs, latent: latent)
        }
        SearchMetrics.record(index: .talents, seconds: (ContinuousClock.now - started).seconds)
        return Ranking.page(ranked, k: k, after: cursor)
    }
}
