import Embeddings
import Foundation
import Matcher

/// The job filters a seeker (or an anonymous caller) can set.
struct JobFilters: Sendable, Equatable {
    var city: String?
    var salaryMin: Int?
    var salaryMax: Int?
    var level: Int?
    var postCode: String?

    func validate() throws(ServiceError) {
        try validateSalary(min: salaryMin, max: salaryMax, field: "salary")
        try validateLevel(level, field: "level")
    }

    /// The same filters with `city` replaced by its `cityKey`.
    var normalized: JobFilters {
        var copy = self
        copy.city = city.map(cityKey)
        return copy
    }

    /// Whether an open posting passes: same city; its range reaches `salaryMin` and starts at or
    /// below `salaryMax`; the same level; the same post, or a post of the same occupation.
    /// - Precondition: `city`, if any, is `cityKey`-normalised (`normalized`).
    func allows(_ job: JobEntry) -> Bool {
        if let city, job.cityKey != city { return false }
        if let salaryMin { guard let top = job.salaryMax ?? job.salaryMin, top >= salaryMin else { return false } }
        if let salaryMax { guard let bottom = job.salaryMin ?? job.salaryMax, bottom <= salaryMax else { return false } }
        if let level, job.level != level { return false }
        if let postCode, job.postCode != postCode, job.occupation != postCode { return false }
        return true
    }

    var cacheKey: String {
        "\(city.map(cityKey) ?? "")|\(salaryMin.map(String.init) ?? "")|\(salaryMax.map(String.init) ?? "")|\(level.map(String.init) ?? "")|\(postCode ?? "")"
    }

    var isEmpty: Bool { city == nil && salaryMin == nil && salaryMax == nil && level == nil && postCode == nil }
}


extension Engine {
    /// Ranked, explained open jobs for capabilities `has`.
    func matchJobs(for has: CapabilityProfile, filters: JobFilters, k: Int, cursor: PageCursor?) async throws(ServiceError)
        -> (items: [Explained<JobEntry>], next: PageCursor?) {
        try filters.validate()
        let normalized = filters.normalized
        var scorer = Fit.PersonScorer(have: has, dimension: model.dimension, latent: latent)
        let query = MatchQuery<JobEntry>(vector: vectorizer.searchVector(has),
                                         scope: filters.isEmpty ? nil : MatchScope(key: filters.cacheKey, allows: normalized.allows),
                                         score: { scorer.score($0.requirements) })
        let ranked = try await jobs.match(query, depth: config.retrievalDepth, metrics: .jobs)
        return ranked.page(k: k, after: cursor) { Fit.evaluate(have: has, need: $0.requirements, latent: latent) }
    }

    /// A talent's matches (owner or admin). The capabilities of a talent who consented to be
    /// found are the ones kept in the talents catalog when the record was written; others'
    /// are computed from the stored profile.
    func matchJobs(talentID: String, filters: JobFilters, k: Int, cursor: PageCursor?) async throws -> (items: [Explained<JobEntry>], next: PageCursor?) {
        let has = if let entry = talents.entry(id: talentID) { entry.capabilities } else {
            try capabilities(of: try await talent(id: talentID).profile)
        }
        return try await matchJobs(for: has, filters: filters, k: k, cursor: cursor)
    }

    /// Anonymous matching: the profile is used and forgotten.
    func matchJobs(profile: ProfileInput, filters: JobFilters, k: Int, cursor: PageCursor?) async throws(ServiceError)
        -> (items: [Explained<JobEntry>], next: PageCursor?) {
        try await matchJobs(for: try capabilities(of: profile), filters: filters, k: k, cursor: cursor)
    }
}
