import Embeddings
import Foundation
import Matcher

/// One posting's shortlist: its requirements (the gap matrix's columns) and its best candidates.
struct Shortlist: Sendable {
    var job: JobRecord
    var requirements: RequirementProfile
    var candidates: [Ranked<TalentEntry>]

    /// `need − have` (≥ 0) of each candidate for each requirement, in `requirements` order.
    var gapMatrix: [[Double]] {
        candidates.map { c in
            requirements.entries.map { r in max(0, Double(r.level) - c.entry.capabilities.level(of: r.competency)) }
        }
    }
}

extension Engine {
    /// Shortlists for several postings at once: postings that share a candidate area are
    /// retrieved in one batched search (one pass over the talents for the whole group), then re-ranked.
    func shortlists(jobIDs: [String], k: Int, by identity: Identity) async throws -> [Shortlist] {
        guard !jobIDs.isEmpty, jobIDs.count <= 20 else {
            throw ServiceError.invalid(field: "jobIds", message: "give 1…20 posting ids, got \(jobIDs.count)")
        }
        for (k, id) in jobIDs.enumerated() { try validateRecordID(id, field: "jobIds[\(k)]") }
        if Set(jobIDs).count != jobIDs.count { throw ServiceError.invalid(field: "jobIds", message: "ids repeat") }
        let records = try await store.jobs(ids: jobIDs)
        var byID: [String: JobRecord] = [:]
        for r in records { byID[r.id] = r }
        var jobs: [JobRecord] = []
        for (i, id) in jobIDs.enumerated() {
            guard let r = byID[id] else { throw ServiceError.notFound(kind: "job", id: id) }
            do { try identity.requireJobOwner(employerID: r.employerId) } catch {
                throw ServiceError.forbidden("jobIds[\(i)]: \(error.description)")
            }
            jobs.append(r)
        }
        let needs = try jobs.map { j throws(ServiceError) in try requirements(ofJob: j) }
        let queries = jobs.indices.map { candidateQuery(needs[$0], area: CandidateArea.resolve(city: nil, anyCity: nil, postingCity: jobs[$0].city)) }
        let lists = try await talents.match(queries, depth: config.retrievalDepth, metrics: .talents)
        return jobs.indices.map { Shortlist(job: jobs[$0], requirements: needs[$0], candidates: lists[$0].top(k)) }
    }
}
