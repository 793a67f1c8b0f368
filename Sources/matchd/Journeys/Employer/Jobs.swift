import Embeddings
import Foundation
import Logging

/// A job posting as a caller sends it (create or replace).
struct JobDraft: Sendable, Codable, Equatable {
    var id: String?
    var employerId: String?
    var title: String
    var description: String?
    var postCode: String?
    var level: Int?
    var city: String?
    var salaryMin: Int?
    var salaryMax: Int?
    var requirements: [RequirementInput] = []
    /// When it was published (default: when first stored).
    var postedAt: Date?
    /// When it closed; a draft with it is stored closed.
    var closedAt: Date?

    /// Applies the draft's dates to `r`: `postedAt` replaces the publication date, `closedAt` closes it.
    func applyDates(to r: inout JobRecord) {
        if let postedAt { r.createdAt = postedAt }
        if let closedAt {
            r.status = .closed
            r.closedAt = closedAt
        }
    }
}

extension JobRecord {
    /// A new open posting of `employer` from a draft, posted `now` unless the draft dates it.
    init(id: String, employer: String, _ draft: JobDraft, coded: Occupation, now: Date) {
        self.init(seq: nil, id: id, employerId: employer, title: draft.title, status: .open, requirements: [], createdAt: now,
                  updatedAt: now)
        take(draft, coded: coded, now: now)
    }

    /// Takes every field a draft sets, its occupation code and its dates.
    mutating func take(_ d: JobDraft, coded: Occupation, now: Date) {
        title = d.title
        description = d.description
        postCode = d.postCode
        level = d.level
        city = d.city
        salaryMin = d.salaryMin
        salaryMax = d.salaryMax
        requirements = d.requirements
        assign(coded)
        updatedAt = now
        d.applyDates(to: &self)
    }
}

extension Engine {
    /// The occupation a posting counts under: its post's when it names one, else the coder's answer
    /// (none when the coder answers unknown). The inferred code is for counting and filtering only:
    /// requirements come from a post only when the employer names it.
    func occupation(of d: JobDraft) -> JobRecord.Occupation {
        occupation(title: d.title, description: d.description, postCode: d.postCode)
    }

    func occupation(title: String, description: String?, postCode: String?) -> JobRecord.Occupation {
        if let postCode, let post = model.post(id: postCode) {
            return .init(code: post.occupation, source: .given, confidence: nil, codedWith: modelFingerprint)
        }
        let c = coder.classify(title: title, description: description, limit: 1)
        guard let o = c.occupation else { return .init(code: nil, source: nil, confidence: nil, codedWith: modelFingerprint) }
        return .init(code: o.code, source: .inferred, confidence: o.confidence, codedWith: modelFingerprint)
    }

    /// Re-codes the postings a different model coded (at start-up, after a model change).
    func recodeJobs(logger: Logger) async throws {
        let started = ContinuousClock.now
        let n = try await store.recodeJobs(codedWith: modelFingerprint) { r in
            self.occupation(title: r.title, description: r.description, postCode: r.postCode)
        }
        if n > 0 { logger.info("postings coded", metadata: ["count": "\(n)", "seconds": "\((ContinuousClock.now - started).seconds)"]) }
    }

    /// Checks a draft, refusing postings that demand protected attributes; returns its requirements.
    func validate(_ draft: JobDraft) throws(ServiceError) -> RequirementProfile {
        if let id = draft.id { try validateRecordID(id, field: "id") }
        if let e = draft.employerId { try validateRecordID(e, field: "employerId") }
        if draft.title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .invalid(field: "title", message: "must not be empty")
        }
        // The document's limits (openapi.yaml, JobInput).
        try validateLength(draft.title, field: "title", max: 200)
        try validateLength(draft.description, field: "description", max: 20000)
        try validateLength(draft.city, field: "city", max: 64)
        try validateCount(draft.requirements.count, field: "requirements", max: 200)
        for (k, r) in draft.requirements.enumerated() {
            if let w = r.weight, !(w > 0 && w <= 100) {
                throw .invalid(field: "requirements[\(k)].weight", message: "\(w) is outside (0, 100]")
            }
        }
        try validateSalary(min: draft.salaryMin, max: draft.salaryMax, field: "salary")
        try validateLevel(draft.level, field: "level")
        try validatePast(draft.postedAt, field: "postedAt")
        try validatePast(draft.closedAt, field: "closedAt")
        if let p = draft.postedAt, let c = draft.closedAt, c < p {
            throw .unprocessable(field: "closedAt", message: "is before postedAt")
        }
        let findings = protectedAttributes.findings(in: draft.title).map { ProtectedFinding(field: "title", finding: $0) }
            + protectedAttributes.findings(in: draft.description ?? "").map { ProtectedFinding(field: "description", finding: $0) }
        if !findings.isEmpty { throw .protectedAttribute(findings: findings) }
        let input = PostingInput(postCode: draft.postCode, level: draft.level, requirements: draft.requirements,
                                 text: [draft.title, draft.description].compactMap { $0 }.joined(separator: "\n"))
        do { return try vectorizer.requirements(for: input) } catch { throw .embeddings(error) }
    }

    /// The employer a new posting belongs to: the employer key's own, or the admin's `employerId`.
    private func owner(of draft: JobDraft, by identity: Identity) throws(ServiceError) -> String {
        if identity.role == .employer {
            let own = identity.employerID!
            if let e = draft.employerId, e != own { throw .forbidden("this employer key may only post for employer \(own)") }
            return own
        }
        guard let e = draft.employerId else { throw .unprocessable(field: "employerId", message: "an admin must name the employer") }
        return e
    }

    func createJob(_ draft: JobDraft, by identity: Identity) async throws -> JobRecord {
        let employer = try owner(of: draft, by: identity)
        let needs = try validate(draft)
        let record = JobRecord(id: draft.id ?? APIKeys.newID("job-"), employer: employer, draft, coded: occupation(of: draft), now: Date())
        return try await store.insertJob(record) { r in try self.publishJob(r, requirements: needs) }
    }

    func updateJob(id: String, _ draft: JobDraft, by identity: Identity) async throws -> JobRecord {
        let existing = try await job(id: id)
        try identity.requireJobOwner(employerID: existing.employerId)
        if let bodyID = draft.id { try validateRecordID(bodyID, field: "id") }
        if let e = draft.employerId { try validateRecordID(e, field: "employerId") }
        if let bodyID = draft.id, bodyID != id {
            throw ServiceError.unprocessable(field: "id", message: "body id \(bodyID) differs from the path's \(id)")
        }
        if let e = draft.employerId, e != existing.employerId {
            throw ServiceError.unprocessable(field: "employerId", message: "a posting cannot move to another employer")
        }
        let needs = try validate(draft)
        let coded = occupation(of: draft)
        return try await store.updateJob(id: id, { $0.take(draft, coded: coded, now: Date()) }) { r in
            try self.publishJob(r, requirements: needs)
        }
    }

    func closeJob(id: String, by identity: Identity) async throws -> JobRecord {
        let existing = try await job(id: id)
        try identity.requireJobOwner(employerID: existing.employerId)
        return try await store.updateJob(id: id, { r in
            r.status = .closed
            r.updatedAt = Date()
            r.closedAt = r.closedAt ?? r.updatedAt
        }) { r in self.jobs.remove([UInt64(r.seq!)]) }
    }

    /// Upserts postings by id (bulk import: each names its employer, which must exist).
    func upsertJobs(_ drafts: [JobDraft]) async throws -> [JobRecord] {
        let prepared = try drafts.map { d throws(ServiceError) in (d, try validate(d), occupation(of: d)) }
        return try await store.upsertJobs(ids: prepared.map { $0.0.id! }, { i, stored in
            let (d, coded, now) = (prepared[i].0, prepared[i].2, Date())
            let employer = d.employerId!
            guard var r = stored else { return JobRecord(id: d.id!, employer: employer, d, coded: coded, now: now) }
            if r.employerId != employer {
                throw ServiceError.unprocessable(field: "employerId", message: "job \(r.id) belongs to employer \(r.employerId)")
            }
            r.take(d, coded: coded, now: now)
            return r
        }, publish: { records in
            let items = zip(records, prepared).map { r, p in
                (key: UInt64(r.seq!), vector: self.jobVector(r, p.1), entry: self.jobEntry(r, requirements: p.1))
            }
            try self.publish(items, to: .jobs, catalog: self.jobs, ids: records.map(\.id))
        })
    }

    func jobVector(_ r: JobRecord, _ needs: RequirementProfile) -> [Float]? {
        guard r.status == .open else { return nil }
        let v = vectorizer.searchVector(needs)
        return v.contains { $0 != 0 } ? v : nil
    }

    private func publishJob(_ r: JobRecord, requirements needs: RequirementProfile) throws(PublishFailure) {
        try publish([(UInt64(r.seq!), jobVector(r, needs), jobEntry(r, requirements: needs))], to: .jobs,
                    catalog: jobs, ids: [r.id])
    }

    /// A posting (any key may read one).
    func job(id: String) async throws -> JobRecord {
        guard let r = try await store.job(id: id) else { throw ServiceError.notFound(kind: "job", id: id) }
        return r
    }

    /// Postings: an employer's own; an admin's choice of employer or all.
    func listJobs(employerID: String?, status: JobRecord.Status?, limit: Int, offset: Int,
                  by identity: Identity) async throws -> (items: [JobRecord], total: Int) {
        var employer = employerID
        if identity.role == .employer {
            if let e = employerID, e != identity.employerID { throw ServiceError.forbidden("an employer key lists its own postings only") }
            employer = identity.employerID
        }
        return try await store.jobs(employerID: employer, status: status, limit: limit, offset: offset)
    }
}

extension JobRecord {
    init(seq: Int64?, id: String, employerId: String, title: String, status: Status, requirements: [RequirementInput],
         createdAt: Date, updatedAt: Date) {
        self.init(seq: seq, id: id, employerId: employerId, title: title, description: nil, postCode: nil, level: nil,
                  city: nil, salaryMin: nil, salaryMax: nil, status: status, requirements: requirements,
                  createdAt: createdAt, updatedAt: updatedAt)
    }
}
