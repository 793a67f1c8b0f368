import Foundation
import GRDB
import Synchronization

/// matchd's embedded store: SQLite through GRDB, owning the schema and every query.
///
/// On disk it is a `DatabasePool` in WAL mode with `synchronous = FULL`: a write is
/// acknowledged only after its WAL frames are fsynced, so it survives a process crash and a
/// power loss (`NORMAL` would survive a process crash only). `secure_delete` is on, so a
/// deleted row's bytes are overwritten in its page rather than left in free space. In tests it
/// is an in-memory `DatabaseQueue`.
///
/// Every write goes through `commit(_:publish:)`: the change and a bump of the store's
/// `revision` run in one transaction, then `publish` runs on the same serial writer, so the
/// in-memory indexes see changes in commit order and only committed ones. The store also keeps
/// `publishedRevision`: the revision the in-memory indexes reflect, which is what a saved index
/// snapshot may claim. It advances only when a commit follows the last published one directly
/// and its publication succeeded; a commit by another process in between (a revision gap) or a
/// failed publication makes it unknown until the indexes are rebuilt.
struct Store: Sendable {
    let writer: any DatabaseWriter
    private let state: PublishState

    /// Called on the serial writer when a publication fails after its commit, with the error
    /// `publish` threw; it rebuilds the in-memory indexes from `records` (which see the commit),
    /// or throws when it cannot. After it returns, the indexes reflect their revision.
    typealias Recovery = @Sendable (_ records: Reader, _ error: any Error) throws -> Void

    /// What rebuilding the in-memory indexes reads, on the serial writer (no commit runs
    /// meanwhile): the searchable records and the revision they make.
    struct Reader {
        fileprivate let db: Database

        func openJobs() throws -> [JobRecord] { try Store.openJobs(db) }
        func searchableTalents() throws -> [TalentRecord] { try Store.searchableTalents(db) }
        func revision() throws -> Int64 { try Store.revision(db) }
    }

    init(writer: any DatabaseWriter) throws {
        self.writer = writer
        self.state = PublishState()
        try Migrations.migrator.migrate(writer)
    }

    /// The store file in `directory` (created if missing).
    static func open(directory: URL) throws -> Store {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        let pool = try DatabasePool(path: directory.appendingPathComponent(fileName).path,
                                    configuration: configuration)
        // GRDB turns on WAL mode after `prepareDatabase` and sets the writer to NORMAL then;
        // the writer connection is the one whose commits must be durable.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return try Store(writer: pool)
    }

    /// The SQLite file's name in the data directory (with its `-wal` and `-shm` companions).
    static let fileName = "matchd.sqlite"

    /// A private in-memory store.
    static func inMemory() throws -> Store {
        try Store(writer: try DatabaseQueue())
    }

    /// Runs `change` in a transaction that also bumps the revision; after the commit, calls
    /// `publish` with its result, still on the serial writer.
    ///
    /// A commit is acknowledged once it is durable, whatever its publication does: when
    /// `publish` throws, the published revision becomes unknown and the `Recovery` installed
    /// with `onPublishFailure` runs (it rebuilds the indexes, after which the revision it
    /// reports is the published one). `commit` then returns normally.
    func commit<T: Sendable>(_ change: @escaping @Sendable (Database) throws -> T,
                             publish: @escaping @Sendable (T) throws -> Void = { _ in }) async throws -> T {
        try await writer.writeWithoutTransaction { db in
            var result: T?
            var previous: Int64 = 0
            try db.inTransaction {
                result = try change(db)
                previous = try Self.revision(db)
                try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'revision'", arguments: ["\(previous + 1)"])
                return .commit
            }
            do {
                try publish(result!)
                state.advance(from: previous, to: previous + 1)
            } catch {
                state.set(nil)
                if let recover = state.recovery {
                    do {
                        try recover(Reader(db: db), error)
                        state.set(try Self.revision(db))
                    } catch {
                        state.set(nil)
                    }
                }
            }
            return result!
        }
    }

    /// Installs what runs when a publication fails after its commit (`commit`).
    func onPublishFailure(_ recovery: @escaping Recovery) {
        state.recovery = recovery
    }

    /// Increases with every committed write.
    func revision() async throws -> Int64 {
        try await writer.read { db in try Self.revision(db) }
    }

    static func revision(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'revision'") ?? 0
    }

    /// Runs `body` on the serial writer (no commit runs meanwhile) to load or rebuild the
    /// in-memory indexes; the revision it returns is the one they now reflect (`nil`: none).
    /// If it throws, the published revision is unknown.
    func republish<T: Sendable>(_ body: @escaping @Sendable (Reader) throws -> (T, Int64?)) async throws -> T {
        try await writer.writeWithoutTransaction { db in
            state.set(nil)
            let (value, revision) = try body(Reader(db: db))
            state.set(revision)
            return value
        }
    }

    /// Runs `body` on the serial writer (no commit runs meanwhile) with the revision the
    /// in-memory indexes reflect, `nil` when unknown. A snapshot of the indexes taken inside
    /// `body` reflects exactly that revision.
    func withPublishedRevision<T: Sendable>(_ body: @escaping @Sendable (Int64?) throws -> T) async throws -> T {
        try await writer.writeWithoutTransaction { _ in try body(state.revision) }
    }

    /// Re-codes, in one transaction, every posting coded by another model than `codedWith`.
    /// The revision stays: occupation codes feed no vector, so the indexes stay current.
    /// - Returns: how many postings were re-coded.
    func recodeJobs(codedWith: String, _ code: @escaping @Sendable (JobRecord) -> JobRecord.Occupation) async throws -> Int {
        try await writer.write { db in
            let stale = try JobRecord.filter(JobRecord.Columns.codedWith == nil || JobRecord.Columns.codedWith != codedWith)
                .fetchAll(db)
            for var r in stale {
                r.assign(code(r))
                try r.update(db)
            }
            return stale.count
        }
    }

    /// The revision the in-memory indexes reflect, `nil` when unknown.
    var publishedRevision: Int64? { state.revision }

    /// Copies the WAL into the database file and truncates the WAL to zero bytes, so that the
    /// frames of rows deleted since leave the disk. Readers in flight can hold it back for a
    /// moment; it retries for up to a second, then throws `StoreError.checkpointIncomplete`.
    func truncateWAL() async throws {
        guard let pool = writer as? DatabasePool else { return }
        let path = pool.path
        try await writer.writeWithoutTransaction { db in
            var attempt = 0
            while true {
                do {
                    let (wal, copied) = try db.checkpoint(.truncate)
                    if wal <= 0 || wal == copied { return }
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                    // a reader holds an older snapshot; retry below
                }
                attempt += 1
                if attempt >= 100 { throw StoreError.checkpointIncomplete(path: path) }
                usleep(10_000)
            }
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read(body)
    }
}

/// A posting as the market view reads it.
struct MarketJobRow: Sendable {
    var seq: Int64
    var id: String
    var status: JobRecord.Status
    var occupationCode: String?
    var city: String?
    var level: Int?
    var salaryMin: Int?
    var salaryMax: Int?
    var createdAt: Date
    var closedAt: Date?
}

/// A searchable talent as the market view reads it (its profile comes from the catalog).
struct MarketTalentRow: Sendable {
    var seq: Int64
    var id: String
    var desiredPosts: [String]
    var level: Int?
    var createdAt: Date
}

/// The store's publication bookkeeping, shared by every copy of a `Store`.
private final class PublishState: Sendable {
    private let value = Mutex<(revision: Int64?, recovery: Store.Recovery?)>((nil, nil))

    var revision: Int64? { value.withLock { $0.revision } }

    var recovery: Store.Recovery? {
        get { value.withLock { $0.recovery } }
        set { value.withLock { $0.recovery = newValue } }
    }

    func set(_ revision: Int64?) { value.withLock { $0.revision = revision } }

    /// `to` when the indexes reflected `from` (no commit of another process came between).
    func advance(from previous: Int64, to revision: Int64) {
        value.withLock { $0.revision = $0.revision == previous ? revision : nil }
    }
}

// MARK: Queries

extension Store {
    /// The open postings and the searchable talents: what the in-memory catalogs hold.
    static func openJobs(_ db: Database) throws -> [JobRecord] {
        try JobRecord.filter(JobRecord.Columns.status == JobRecord.Status.open.rawValue).fetchAll(db)
    }

    static func searchableTalents(_ db: Database) throws -> [TalentRecord] {
        try TalentRecord.filter(TalentRecord.Columns.searchable == true).fetchAll(db)
    }

    /// The courses added through the API or imports.
    func platformCourses() async throws -> [CourseRecord] {
        try await read { db in try CourseRecord.fetchAll(db) }
    }

    func talent(id: String) async throws -> TalentRecord? {
        try await read { db in try TalentRecord.fetchOne(db, id: id) }
    }

    func job(id: String) async throws -> JobRecord? {
        try await read { db in try JobRecord.fetchOne(db, id: id) }
    }

    func jobs(ids: [String]) async throws -> [JobRecord] {
        try await read { db in try JobRecord.filter(ids.contains(JobRecord.Columns.id)).fetchAll(db) }
    }

    func jobs(seqs: [Int64]) async throws -> [JobRecord] {
        try await read { db in try JobRecord.filter(seqs.contains(JobRecord.Columns.seq)).fetchAll(db) }
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

    /// Postings with an occupation code and a salary, as the wage levels read them.
    func wagePostings(occupation: String?, city: String?, level: Int?, status: JobRecord.Status?) async throws -> [WageLevels.Posting] {
        try await read { db in
            typealias C = JobRecord.Columns
            var request = JobRecord.select(C.occupationCode, C.city, C.level, C.salaryMin, C.salaryMax)
                .filter(C.occupationCode != nil)
                .filter(C.salaryMin != nil || C.salaryMax != nil)
            if let occupation { request = request.filter(C.occupationCode == occupation) }
            if let city { request = request.filter(C.city == city) }
            if let level { request = request.filter(C.level == level) }
            if let status { request = request.filter(JobRecord.Columns.status == status.rawValue) }
            return try Row.fetchAll(db, request).map {
                WageLevels.Posting(occupation: $0[0], city: $0[1], level: $0[2], salaryMin: $0[3], salaryMax: $0[4])
            }
        }
    }

    func importRun(id: String) async throws -> ImportRunRecord? {
        try await read { db in try ImportRunRecord.fetchOne(db, key: id) }
    }

    /// Saves an import's progress (outside the revision: it changes no record).
    func saveImportRun(_ run: ImportRunRecord) async throws {
        try await writer.write { db in try run.save(db) }
    }

    /// Marks the imports left running by a previous process as interrupted (at start-up).
    func interruptRunningImports() async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE importRun SET state = 'interrupted' WHERE state = 'running'")
        }
    }

    /// What the market view reads of every posting and of the searchable talents, at one revision.
    func marketRows() async throws -> (revision: Int64, jobs: [MarketJobRow], talents: [MarketTalentRow]) {
        try await read { db in
            typealias J = JobRecord.Columns
            let jobs = try Row.fetchAll(db, JobRecord.select(J.seq, J.id, J.status, J.occupationCode, J.city, J.level,
                                                             J.salaryMin, J.salaryMax, J.createdAt, J.closedAt)).map {
                MarketJobRow(seq: $0[0], id: $0[1], status: JobRecord.Status(rawValue: $0[2]) ?? .closed, occupationCode: $0[3],
                             city: $0[4], level: $0[5], salaryMin: $0[6], salaryMax: $0[7], createdAt: $0[8], closedAt: $0[9])
            }
            typealias T = TalentRecord.Columns
            // The columns the view reads, not the profiles (which the catalog holds already vectorised).
            let decoder = JSONDecoder()
            let talents = try Row.fetchAll(db, TalentRecord.select(T.seq, T.id, T.desiredPosts, T.level, T.createdAt)
                .filter(T.searchable == true)).map { row -> MarketTalentRow in
                let posts: String = row[2]
                return MarketTalentRow(seq: row[0], id: row[1], desiredPosts: try decoder.decode([String].self, from: Data(posts.utf8)),
                                       level: row[3], createdAt: row[4])
            }
            return (try Self.revision(db), jobs, talents)
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
