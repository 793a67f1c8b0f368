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
    func matchJobs(for has: CapabilityProfile, filters: JobFilters, k: Int, cursor: PageCursor?) throws(ServiceError)
        -> (items: [Explained<JobEntry>], next: PageCursor?) {
        try filters.validate()
        let (snapshot, entries) = jobs.view()
        let filter = filters.isEmpty ? nil : jobs.filter(key: filters.cacheKey, snapshot: snapshot, entries: entries,
                                                                     allows: filters.normalized.allows)
        let started = ContinuousClock.now
        let ranked = try Ranking.rank(query: vectorizer.searchVector(has), snapshot: snapshot, entries: entries,
                                      filter: filter, depth: config.retrievalDepth, id: \.id) { job in
            Fit.score(have: has, need: job.requirements, latent: latent)
        }
        let page = Ranking.page(ranked, k: k, after: cursor) { Fit.evaluate(have: has, need: $0.requirements, latent: latent) }
        SearchMetrics.record(index: .jobs, seconds: (ContinuousClock.now - started).seconds)
        return page
    }

    /// A talent's matches (owner or admin).
    func matchJobs(talentID: String, filters: JobFilters, k: Int, cursor: PageCursor?) async throws -> (items: [Explained<JobEntry>], next: PageCursor?) {
        let talent = try await talent(id: talentID)
        return try matchJobs(for: try capabilities(of: talent.profile), filters: filters, k: k, cursor: cursor)
    }

    /// Anonymous matching: the profile is used and forgotten.
    func matchJobs(profile: ProfileInput, filters: JobFilters, k: Int, cursor: PageCursor?) throws(ServiceError)
        -> (items: [Explained<JobEntry>], next: PageCursor?) {
        try matchJobs(for: try capabilities(of: profile), filters: filters, k: k, cursor: cursor)
    }
}
