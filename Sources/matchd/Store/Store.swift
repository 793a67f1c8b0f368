import Foundation
import GRDB

/// matchd's embedded store: SQLite through GRDB, owning the schema and every query.
///
/// On disk it is a `DatabasePool` in WAL mode with `synchronous = FULL`: a write is
/// acknowledged only after its WAL frames are fsynced, so it survives a process crash and a
/// power loss (`NORMAL` would survive a process crash only). In tests it is an in-memory
/// `DatabaseQueue`.
///
/// Every write goes through `commit(_:publish:)`: the change and a bump of the store's
/// `revision` run in one transaction, then `publish` runs on the same serial writer, so the
/// in-memory indexes see changes in commit order and only committed ones.
struct Store: Sendable {
    let writer: any DatabaseWriter

    init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try Migrations.migrator.migrate(writer)
    }

    /// The store file in `directory` (created if missing).
    static func open(directory: URL) throws -> Store {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool = try DatabasePool(path: directory.appendingPathComponent("matchd.sqlite").path,
                                    configuration: configuration)
        return try Store(writer: pool)
    }

    /// A private in-memory store.
    static func inMemory() throws -> Store {
        try Store(writer: try DatabaseQueue())
    }

    /// Runs `change` in a transaction that also bumps the revision; after the commit, calls
    /// `publish` with its result, still on the serial writer.
    func commit<T: Sendable>(_ change: @escaping @Sendable (Database) throws -> T,
                             publish: @escaping @Sendable (T) -> Void = { _ in }) async throws -> T {
        try await writer.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction {
                result = try change(db)
                try db.execute(sql: "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")
                return .commit
            }
            publish(result!)
            return result!
        }
    }

    /// Increases with every committed write; the saved index snapshots record it.
    func revision() async throws -> Int64 {
        try await writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'revision'") ?? 0
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read(body)
    }
}

// MARK: Queries

extension Store {
    func talent(id: String) async throws -> TalentRecord? {
        try await read { db in try TalentRecord.filter(TalentRecord.Columns.id == id).fetchOne(db) }
    }

    func job(id: String) async throws -> JobRecord? {
        try await read { db in try JobRecord.filter(JobRecord.Columns.id == id).fetchOne(db) }
    }

    func jobs(ids: [String]) async throws -> [JobRecord] {
        try await read { db in try JobRecord.filter(ids.contains(JobRecord.Columns.id)).fetchAll(db) }
    }

    func talents(seqs: [Int64]) async throws -> [TalentRecord] {
        try await read { db in try TalentRecord.filter(seqs.contains(TalentRecord.Columns.seq)).fetchAll(db) }
    }

    func employer(id: String) async throws -> EmployerRecord? {
        try await read { db in try EmployerRecord.fetchOne(db, key: id) }
    }

    /// A live key by its hash.
    func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await read { db in
            try APIKeyRecord.filter(APIKeyRecord.Columns.keyHash == hash && APIKeyRecord.Columns.revokedAt == nil)
                .fetchOne(db)
        }
    }

    func keys(talentID: String) async throws -> [APIKeyRecord] {
        try await read { db in try APIKeyRecord.filter(APIKeyRecord.Columns.talentId == talentID).fetchAll(db) }
    }

    func hasAdminKey() async throws -> Bool {
        try await read { db in
            try APIKeyRecord.filter(APIKeyRecord.Columns.role == APIKeyRecord.Role.admin.rawValue
                && APIKeyRecord.Columns.revokedAt == nil).fetchCount(db) > 0
        }
    }

    /// Jobs, newest first, optionally one employer's or one status.
    func jobs(employerID: String?, status: JobRecord.Status?, limit: Int, offset: Int) async throws -> (items: [JobRecord], total: Int) {
        try await read { db in
            var request = JobRecord.all()
            if let employerID { request = request.filter(JobRecord.Columns.employerId == employerID) }
            if let status { request = request.filter(JobRecord.Columns.status == status.rawValue) }
            let total = try request.fetchCount(db)
            let items = try request.order(JobRecord.Columns.seq.desc).limit(limit, offset: offset).fetchAll(db)
            return (items, total)
        }
    }

    func counts() async throws -> (jobs: Int, openJobs: Int, talents: Int, courses: Int) {
        try await read { db in
            (try JobRecord.fetchCount(db),
             try JobRecord.filter(JobRecord.Columns.status == JobRecord.Status.open.rawValue).fetchCount(db),
             try TalentRecord.fetchCount(db),
             try CourseRecord.fetchCount(db))
        }
    }

    func isEmpty() async throws -> Bool {
        let c = try await counts()
        return c.jobs == 0 && c.talents == 0
    }
}
