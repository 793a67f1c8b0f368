import Embeddings
import Foundation
import GRDB

/// The store's writes, one intent each. Every one is a `commit`: the change and the revision bump
/// in one transaction, then `publish` (the caller's index update) on the serial writer with what
/// was stored. A missing record is `ServiceError.notFound`, an id in use `.conflict`.
extension Store {
    typealias Publish<T> = @Sendable (T) throws -> Void

    // MARK: Talents

    /// Inserts a new talent; an id in use is refused with `taken`.
    func insertTalent(_ record: TalentRecord, taken: ServiceError, publish: @escaping Publish<TalentRecord>) async throws -> TalentRecord {
        try await commit({ db in
            if try TalentRecord.exists(db, id: record.id) { throw taken }
            var r = record
            try r.insert(db)
            return r
        }, publish: publish)
    }

    /// Changes the stored talent `id` with `change` and saves it.
    func updateTalent(id: String, _ change: @escaping @Sendable (inout TalentRecord) -> Void,
                      publish: @escaping Publish<TalentRecord>) async throws -> TalentRecord {
        try await commit({ db in
            guard var r = try TalentRecord.fetchOne(db, id: id) else { throw ServiceError.notFound(kind: "talent", id: id) }
            change(&r)
            try r.update(db)
            return r
        }, publish: publish)
    }

    /// Saves, in one transaction, the talent `make` returns for each id from the stored one
    /// (`nil` for a new id); `make` gets the id's position in `ids`.
    func upsertTalents(ids: [String], _ make: @escaping @Sendable (Int, TalentRecord?) throws -> TalentRecord,
                       publish: @escaping Publish<[TalentRecord]>) async throws -> [TalentRecord] {
        try await commit({ db in
            try ids.enumerated().map { i, id in
                var r = try make(i, try TalentRecord.fetchOne(db, id: id))
                try r.save(db)
                return r
            }
        }, publish: publish)
    }

    /// Deletes talent `id` and the keys that own it. `inside` runs in the deleting transaction
    /// (a throw there deletes nothing); `publish` gets the deleted row's `seq`.
    /// - Returns: the hashes of the deleted keys.
    func deleteTalent(id: String, inside: @escaping @Sendable () throws -> Void,
                      publish: @escaping Publish<Int64>) async throws -> [String] {
        try await commit({ db -> (Int64, [String]) in
            guard let r = try TalentRecord.fetchOne(db, id: id) else { throw ServiceError.notFound(kind: "talent", id: id) }
            try inside()
            let keys = APIKeyRecord.filter(APIKeyRecord.Columns.talentId == id)
            let hashes = try keys.fetchAll(db).map(\.keyHash)
            try keys.deleteAll(db)
            try r.delete(db)
            return (r.seq!, hashes)
        }, publish: { seq, _ in try publish(seq) }).1
    }

    // MARK: Postings

    /// Inserts a new posting of an existing employer; an id in use is a conflict.
    func insertJob(_ record: JobRecord, publish: @escaping Publish<JobRecord>) async throws -> JobRecord {
        try await commit({ db in
            try Self.requireEmployer(db, record.employerId)
            if try JobRecord.exists(db, id: record.id) { throw ServiceError.conflict(kind: "job", id: record.id) }
            var r = record
            try r.insert(db)
            return r
        }, publish: publish)
    }

    /// Changes the stored posting `id` with `change` and saves it.
    func updateJob(id: String, _ change: @escaping @Sendable (inout JobRecord) -> Void,
                   publish: @escaping Publish<JobRecord>) async throws -> JobRecord {
        try await commit({ db in
            guard var r = try JobRecord.fetchOne(db, id: id) else { throw ServiceError.notFound(kind: "job", id: id) }
            change(&r)
            try r.update(db)
            return r
        }, publish: publish)
    }

    /// Saves, in one transaction, the posting `make` returns for each id from the stored one
    /// (`nil` for a new id); each must belong to an existing employer.
    func upsertJobs(ids: [String], _ make: @escaping @Sendable (Int, JobRecord?) throws -> JobRecord,
                    publish: @escaping Publish<[JobRecord]>) async throws -> [JobRecord] {
        try await commit({ db in
            try ids.enumerated().map { i, id in
                var r = try make(i, try JobRecord.fetchOne(db, id: id))
                try Self.requireEmployer(db, r.employerId)
                try r.save(db)
                return r
            }
        }, publish: publish)
    }

    private static func requireEmployer(_ db: Database, _ id: String) throws {
        guard try EmployerRecord.exists(db, key: id) else { throw ServiceError.notFound(kind: "employer", id: id) }
    }

    // MARK: Courses

    /// Adds or replaces platform courses, keeping each one's first `createdAt`.
    func saveCourses(_ courses: [Course], publish: @escaping Publish<[Course]>) async throws {
        _ = try await commit({ db in
            let now = Date()
            for c in courses {
                let created = try CourseRecord.fetchOne(db, key: c.id)?.createdAt ?? now
                try CourseRecord(id: c.id, data: c, createdAt: created, updatedAt: now).save(db)
            }
            return courses
        }, publish: publish)
    }

    // MARK: Keys and employers

    /// Inserts a key. An employer key names an existing employer (`employerID`) or gets a new one
    /// called `newEmployerName`.
    func insertKey(_ record: APIKeyRecord, employerID: String?, newEmployerName: String) async throws -> APIKeyRecord {
        try await commit { db in
            var r = record
            if r.role == .employer {
                if let e = employerID {
                    try Self.requireEmployer(db, e)
                    r.employerId = e
                } else {
                    let e = APIKeys.newID("emp-")
                    try EmployerRecord(id: e, name: newEmployerName, createdAt: r.createdAt).insert(db)
                    r.employerId = e
                }
            }
            try r.insert(db)
            return r
        }
    }

    /// Creates employer `id` unless it exists.
    func ensureEmployer(id: String, name: String) async throws {
        _ = try await commit { db in
            if try !EmployerRecord.exists(db, key: id) { try EmployerRecord(id: id, name: name, createdAt: Date()).insert(db) }
        }
    }

    /// Revokes a live key. - Returns: its hash.
    func revokeKey(id: String) async throws -> String {
        try await commit { db -> String in
            guard var r = try APIKeyRecord.fetchOne(db, key: id), r.revokedAt == nil else {
                throw ServiceError.notFound(kind: "key", id: id)
            }
            r.revokedAt = Date()
            try r.update(db)
            return r.keyHash
        }
    }
}

extension TalentRecord {
    static func fetchOne(_ db: Database, id: String) throws -> TalentRecord? {
        try filter(Columns.id == id).fetchOne(db)
    }

    static func exists(_ db: Database, id: String) throws -> Bool {
        try filter(Columns.id == id).fetchCount(db) > 0
    }
}

extension JobRecord {
    static func fetchOne(_ db: Database, id: String) throws -> JobRecord? {
        try filter(Columns.id == id).fetchOne(db)
    }

    static func exists(_ db: Database, id: String) throws -> Bool {
        try filter(Columns.id == id).fetchCount(db) > 0
    }
}
