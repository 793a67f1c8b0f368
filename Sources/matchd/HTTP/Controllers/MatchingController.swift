import Embeddings
import Foundation

extension APIHandler {
    func matchJobs(_ input: Operations.MatchJobs.Input) async throws -> Operations.MatchJobs.Output {
        let q = input.query
        let k = try validateK(q.k)
        for (name, value) in [("salaryMin", q.salaryMin), ("salaryMax", q.salaryMax)] {
            if let value, !(0...Int(Int32.max)).contains(value) {
                throw ServiceError.invalid(field: name, message: "\(value) is outside 0…\(Int32.max)")
            }
        }
        let cursor = try q.cursor.map { c throws(ServiceError) in try PageCursor(encoded: c) }
        let filters = JobFilters(city: q.city, salaryMin: q.salaryMin, salaryMax: q.salaryMax, level: q.level, postCode: q.postCode)
        let page = try await engine.matchJobs(talentID: input.path.talentId, filters: filters, k: k, cursor: cursor)
        return .ok(.init(body: .json(S.JobMatchPage(page, model: model))))
    }

    func matchAnonymous(_ input: Operations.MatchAnonymous.Input) async throws -> Operations.MatchAnonymous.Output {
        guard case .json(let body) = input.body else { throw ServiceError.invalid(field: "body", message: "expected JSON") }
        let k = try validateK(body.k)
        try validateProfile(ProfileInput(body.profile), field: "profile")
        let f = body.filters
        try validateLength(f?.city, field: "filters.city", max: 64)
        try validateLength(f?.postCode, field: "filters.postCode", max: 64)
        try validateLevel(f?.level, field: "filters.level")
        for (name, value) in [("filters.salaryMin", f?.salaryMin), ("filters.salaryMax", f?.salaryMax)] {
            if let value, !(0...Int(Int32.max)).contains(value) {
                throw ServiceError.invalid(field: name, message: "\(value) is outside 0…\(Int32.max)")
            }
        }
        try validateLength(body.cursor, field: "cursor", max: 200)
        let cursor = try body.cursor.map { c throws(ServiceError) in try PageCursor(encoded: c) }
        let filters = JobFilters(city: f?.city, salaryMin: f?.salaryMin, salaryMax: f?.salaryMax, level: f?.level,
                                 postCode: f?.postCode)
        let page = try await engine.matchJobs(profile: ProfileInput(body.profile), filters: filters, k: k, cursor: cursor)
        return .ok(.init(body: .json(S.JobMatchPage(page, model: model))))
    }

    func matchCandidates(_ input: Operations.MatchCandidates.Input) async throws -> Operations.MatchCandidates.Output {
        let q = input.query
        let k = try validateK(q.k)
        let cursor = try q.cursor.map { c throws(ServiceError) in try PageCursor(encoded: c) }
        let page = try await engine.matchCandidates(jobID: input.path.jobId,
                                                    area: { CandidateArea.resolve(city: q.city, anyCity: q.anyCity, postingCity: $0) },
                                                    k: k, cursor: cursor, by: identity)
        return .ok(.init(body: .json(S.CandidatePage(page, model: model))))
    }

    func createShortlist(_ input: Operations.CreateShortlist.Input) async throws -> Operations.CreateShortlist.Output {
        guard case .json(let body) = input.body else { throw ServiceError.invalid(field: "body", message: "expected JSON") }
        let k = try validateK(body.k, max: 50)
        let lists = try await engine.shortlists(jobIDs: body.jobIds, k: k, by: identity)
        return .ok(.init(body: .json(.init(shortlists: lists.map { list in
            let gaps = list.gapMatrix
            return .init(jobId: list.job.id,
                         competencies: list.requirements.entries.map { S.Requirement($0, model: model) },
                         candidates: list.candidates.enumerated().map { i, c in
                             .init(talent: S.CandidateSummary(c.entry), score: c.score, gaps: gaps[i].map(presentedLevel))
                         })
        }))))
    }
}
