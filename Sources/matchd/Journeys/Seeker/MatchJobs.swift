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

    /// Whether an open posting passes: same city; its range reaches `salaryMin` and starts at or
    /// below `salaryMax`; the same level; the same post, or a post of the same occupation.
    func allows(_ job: JobEntry) -> Bool {
        if let city, !sameCity(job.city, city) { return false }
        if let salaryMin { guard let top = job.salaryMax ?? job.salaryMin, top >= salaryMin else { return false } }
        if let salaryMax { guard let bottom = job.salaryMin ?? job.salaryMax, bottom <= salaryMax else { return false } }
        if let level, job.level != level { return false }
        if let postCode, job.postCode != postCode, job.occupation != postCode { return false }
        return true
    }

    var isEmpty: Bool { city == nil && salaryMin == nil && salaryMax == nil && level == nil && postCode == nil }
}

/// Cities compare without case and surrounding spaces ("上海" = " 上海 ", "Shanghai" = "shanghai").
func sameCity(_ a: String?, _ b: String) -> Bool {
    guard let a else { return false }
    return a.trimmingCharacters(in: .whitespaces).lowercased() == b.trimmingCharacters(in: .whitespaces).lowercased()
}

extension Engine {
    /// Ranked, explained open jobs for capabilities `has`.
    func matchJobs(for has: CapabilityProfile, filters: JobFilters, k: Int, cursor: PageCursor?) throws(ServiceError)
        -> (items: [Ranked<JobEntry>], next: PageCursor?) {
        try filters.validate()
        let (snapshot, entries) = jobs.view()
        let filter = filters.isEmpty ? nil : snapshot.filter { key in entries[key].map(filters.allows) ?? false }
        let started = ContinuousClock.now
        let ranked = try Ranking.rank(query: vectorizer.searchVector(has), snapshot: snapshot, entries: entries,
                                      filter: filter, depth: config.retrievalDepth, id: \.id) { job in
            Fit.evaluate(have: has, need: job.requirements, latent: latent)
        }
        SearchMetrics.record(index: .jobs, seconds: (ContinuousClock.now - started).seconds)
        return Ranking.page(ranked, k: k, after: cursor)
    }

    /// A talent's matches (owner or admin).
    func matchJobs(talentID: String, filters: JobFilters, k: Int, cursor: PageCursor?,
                   by identity: Identity) async throws -> (items: [Ranked<JobEntry>], next: PageCursor?) {
        let talent = try await talent(id: talentID, by: identity)
        return try matchJobs(for: try capabilities(of: talent.profile), filters: filters, k: k, cursor: cursor)
    }

    /// Anonymous matching: the profile is used and forgotten.
    func matchJobs(profile: ProfileInput, filters: JobFilters, k: Int, cursor: PageCursor?) throws(ServiceError)
        -> (items: [Ranked<JobEntry>], next: PageCursor?) {
        try matchJobs(for: try capabilities(of: profile), filters: filters, k: k, cursor: cursor)
    }
}
