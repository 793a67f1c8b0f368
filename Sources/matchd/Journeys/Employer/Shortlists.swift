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
    /// Shortlists for several postings at once: postings that share a candidate area are scored
    /// in one batch search (one pass over the talents for the whole group), then re-ranked.
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
        let (snapshot, entries) = talents.view()
        var results = [Shortlist?](repeating: nil, count: jobs.count)
        let groups = Dictionary(grouping: jobs.indices) { CandidateArea.resolve(city: nil, anyCity: nil, job: jobs[$0]) }
        let started = ContinuousClock.now
        for (area, members) in groups {
            let queries = members.map { vectorizer.searchVector(needs[$0]) }
            let filter = area == .anywhere ? nil : talents.filter(key: area.cacheKey, snapshot: snapshot,
                                                                                entries: entries, allows: area.allows)
            let hits: [[SearchHit]]
            if snapshot.count == 0 || queries.allSatisfy({ !$0.contains { $0 != 0 } }) {
                hits = members.map { _ in [] }
            } else {
                do {
                    let safe = queries.map { q in q.contains { $0 != 0 } ? q : [Float](repeating: 1, count: q.count) }
                    hits = try snapshot.search(queries: try Matrix(rowVectors: safe), k: min(config.retrievalDepth, FlatIndex.maxK),
                                               filter: filter)
                } catch { throw ServiceError.matcher(error) }
            }
            for (m, jobIndex) in members.enumerated() {
                let need = needs[jobIndex]
                let empty = !queries[m].contains { $0 != 0 }
                let ranked = Ranking.order(empty ? [] : hits[m].compactMap { hit in
                    entries[hit.id].map { t in
                        Ranked(entry: t, id: t.id, score: Fit.score(have: t.capabilities, need: need, latent: latent),
                               similarity: hit.score)
                    }
                })
                results[jobIndex] = Shortlist(job: jobs[jobIndex], requirements: need, candidates: Array(ranked.prefix(k)))
            }
        }
        SearchMetrics.record(index: .talents, seconds: (ContinuousClock.now - started).seconds, batch: true)
        return results.map { $0! }
    }
}
