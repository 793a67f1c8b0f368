import Embeddings
import Foundation
import Logging
import Matcher
import Synchronization

/// The service's state: the model and its vectorizer, the store, and the two searchable
/// catalogs (open jobs; talents who consented to be found). Journeys are its extensions.
///
/// Write path: validate → vectorise → commit → publish to the catalog (`Store.commit`), so an
/// acknowledged write is committed and searchable. A publication that fails after its commit is
/// logged with the record ids and the catalog is rebuilt from the store on the spot
/// (`recoverCatalogs`). Start-up: load the model, open the store, restore the catalogs from the
/// saved snapshot when it matches the store and the model, otherwise delete it and rebuild them
/// from the records; only then does the server accept traffic.
final class Engine: Sendable {
    let config: MatchdConfig
    let model: CompetencyModel
    let latent: LatentSpace
    let vectorizer: Vectorizer
    /// Codes job titles to occupations of the classification (`/v1/classify`, jobs' inferred codes).
    let coder: OccupationCoder
    let protectedAttributes = ProtectedAttributes()
    let store: Store
    let jobs: Catalog<JobEntry>
    let talents: Catalog<TalentEntry>
    /// Platform courses by id (the model's own courses come from `model`).
    let platformCourses: Mutex<[String: Course]>
    /// Identities of recently seen keys by hash; cleared when a key is revoked or its owner deleted.
    let keyCache = Mutex<[String: Identity]>([:])
    /// SHA-256 of the model files: a saved snapshot is only reused for the same model.
    let modelFingerprint: String
    let logger: Logger
    /// The data directory's write lock, when this engine's command writes the store.
    let directoryLock: DataDirectoryLock?
    /// The market view's reports, computed per store revision in the background.
    let market: MarketService
    /// Ids of the imports a request is streaming now.
    let liveImports = Mutex<Set<String>>([])

    init(config: MatchdConfig, model: CompetencyModel, latent: LatentSpace, store: Store,
         modelFingerprint: String, logger: Logger = Logger(label: "matchd"),
         directoryLock: DataDirectoryLock? = nil) throws {
        self.config = config
        self.model = model
        self.latent = latent
        self.vectorizer = Vectorizer(model: model, latent: latent)
        self.coder = OccupationCoder(model: model, vectorizer: vectorizer)
        self.store = store
        self.modelFingerprint = modelFingerprint
        self.logger = logger
        self.directoryLock = directoryLock
        self.market = MarketService(configuration: config.market)
        let dimension = vectorizer.dimension
        jobs = Catalog(index: try FlatIndex(dimension: dimension, metric: .cosine),
                       searches: SearchCoalescer(index: .jobs, lanes: config.searchLanes, gatherWindow: config.gatherWindow))
        talents = Catalog(index: try FlatIndex(dimension: dimension, metric: .cosine),
                          searches: SearchCoalescer(index: .talents, lanes: config.searchLanes, gatherWindow: config.gatherWindow))
        platformCourses = Mutex([:])
        store.onPublishFailure { [weak self] records, error in
            guard let self else { throw error }
            try self.recoverCatalogs(records, after: error)
        }
    }

    /// Loads everything and fills the catalogs. `store` defaults to the one in the data directory.
    /// With `exclusive`, the data directory's write lock is taken first, naming `exclusive` as
    /// its holder (the commands that write the store: `serve`, `import`, `demo`); another
    /// process holding it makes this throw `StoreError.dataDirectoryInUse`.
    static func start(config: MatchdConfig, store: Store? = nil, logger: Logger,
                      exclusive holder: String? = nil) async throws -> Engine {
        let started = ContinuousClock.now
        let lock = try holder.map { try DataDirectoryLock(directory: config.dataDirectory, holder: $0) }
        let model = try CompetencyModel.load(from: config.modelDirectory)
        let latent = try LatentSpace.build(model: model, rank: config.latentRank)
        let store = try store ?? Store.open(directory: config.dataDirectory)
        let engine = try Engine(config: config, model: model, latent: latent, store: store,
                                modelFingerprint: try Self.fingerprint(of: config.modelDirectory),
                                logger: logger, directoryLock: lock)
        // Imports a previous server left running ended with it.
        if lock != nil { try await store.interruptRunningImports() }
        let restored = try await engine.load(logger: logger)
        logger.info("engine ready", metadata: [
            "model": "\(model.manifest.id) v\(model.manifest.version)",
            "openJobs": "\(engine.jobs.count)", "searchableTalents": "\(engine.talents.count)",
            "restoredFromSnapshot": "\(restored)", "seconds": "\((ContinuousClock.now - started).seconds)",
        ])
        return engine
    }

    /// SHA-256 over the model directory's files, in name order.
    static func fingerprint(of directory: URL) throws -> String {
        var hasher = SHA256Hasher()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        for name in names {
            hasher.update(Data(name.utf8))
            hasher.update(try Data(contentsOf: directory.appendingPathComponent(name)))
        }
        return hasher.hex
    }

    /// Fills the (empty) catalogs: from the saved snapshot when it matches the store and the
    /// model, otherwise by deleting the snapshot and re-vectorising every record. Returns
    /// whether the snapshot was used.
    func load(logger: Logger) async throws -> Bool {
        try await loadPlatformCourses()
        try await recodeJobs(logger: logger)
        if try await restoreSnapshot(logger: logger) { return true }
        try discardSnapshot()
        try await rebuildCatalogs(logger: logger)
        return false
    }

    // MARK: Courses

    private func loadPlatformCourses() async throws {
        let records = try await store.platformCourses()
        platformCourses.withLock { map in for r in records { map[r.id] = r.data } }
    }

    /// A model or platform course.
    func course(id: String) -> Course? {
        platformCourses.withLock { $0[id] } ?? model.course(id: id)
    }

    /// Every course: the model's, then the platform's (which replace model courses of the same id).
    func allCourses() -> [Course] {
        let platform = platformCourses.withLock { $0 }
        return model.courses.filter { platform[$0.id] == nil } + platform.values.sorted { $0.id < $1.id }
    }

    // MARK: Vectorising records

    /// A profile's capabilities; completed platform courses count like model courses.
    func capabilities(of profile: ProfileInput) throws(ServiceError) -> CapabilityProfile {
        var modelOnly = profile
        var extra: [Course] = []
        modelOnly.completedCourses = []
        for (k, id) in profile.completedCourses.enumerated() {
            if model.course(id: id) != nil, platformCourses.withLock({ $0[id] }) == nil {
                modelOnly.completedCourses.append(id)
            } else if let course = platformCourses.withLock({ $0[id] }) {
                extra.append(course)
            } else {
                throw .embeddings(.unknownCourse(field: "profile.completedCourses[\(k)]", id: id))
            }
        }
        var result: CapabilityProfile
        do { result = try vectorizer.capabilities(for: modelOnly) } catch { throw .embeddings(error.prefixed("profile.")) }
        for course in extra {
            guard let taught = try? vectorizer.teaching(of: course) else { continue }
            for t in taught.entries {
                let level = t.level * vectorizer.configuration.courseFactor
                if let i = result.entries.firstIndex(where: { $0.index == t.index }) {
                    result.entries[i].level = max(result.entries[i].level, level)
                } else {
                    result.entries.append(.init(competency: t.competency, index: t.index, level: level, evidence: []))
                }
            }
        }
        return result
    }

    /// A posting's requirements.
    func requirements(of job: JobRecord) throws(ServiceError) -> RequirementProfile {
        do { return try vectorizer.requirements(for: job.postingInput) } catch { throw .embeddings(error) }
    }

    func jobEntry(_ job: JobRecord, requirements: RequirementProfile) -> JobEntry {
        JobEntry(id: job.id, employerId: job.employerId, title: job.title, city: job.city,
                 cityKey: job.city.map(cityKey), salaryMin: job.salaryMin,
                 salaryMax: job.salaryMax, level: job.level, postCode: job.postCode,
                 occupation: job.postCode.flatMap { model.post(id: $0)?.occupation },
                 requirements: requirements.compact)
    }

    func talentEntry(_ talent: TalentRecord, capabilities: CapabilityProfile) -> TalentEntry {
        TalentEntry(id: talent.id, displayName: talent.displayName, city: talent.city,
                    desiredCities: talent.desiredCities,
                    cityKeys: Array(Set(([talent.city].compactMap { $0 } + talent.desiredCities).map(cityKey))).sorted(),
                    level: talent.level, capabilities: capabilities.compact)
    }

    /// What the jobs catalog should hold for `job`: its vector and entry when open, else removal.
    func jobItem(_ job: JobRecord) throws(ServiceError) -> (key: UInt64, vector: [Float]?, entry: JobEntry) {
        let needs = try requirements(of: job)
        let vector = vectorizer.searchVector(needs)
        let searchable = job.status == .open && vector.contains { $0 != 0 }
        return (UInt64(job.seq!), searchable ? vector : nil, jobEntry(job, requirements: needs))
    }

    /// What the talents catalog should hold: vector and entry when the talent consented, else removal.
    func talentItem(_ talent: TalentRecord) throws(ServiceError) -> (key: UInt64, vector: [Float]?, entry: TalentEntry) {
        let has = try capabilities(of: talent.profile)
        let vector = vectorizer.searchVector(has)
        let searchable = talent.searchable && vector.contains { $0 != 0 }
        return (UInt64(talent.seq!), searchable ? vector : nil, talentEntry(talent, capabilities: has))
    }

    /// The two catalogs, by name (logs and recovery).
    enum CatalogKind: String, Sendable, CaseIterable { case jobs, talents }

    /// Re-vectorises every record into the catalogs (start-up without a usable snapshot), which
    /// then hold exactly the store's searchable records. It runs on the store's serial writer,
    /// so no commit interleaves, and the catalogs reflect the revision read.
    func rebuildCatalogs(logger: Logger) async throws {
        let counts = try await store.republish { records in
            let counts = try self.rebuildCatalogs(records, Set(CatalogKind.allCases))
            return (counts, try records.revision())
        }
        logger.info("catalogs rebuilt from the store", metadata: [
            "jobs": "\(counts[.jobs] ?? 0)", "talents": "\(counts[.talents] ?? 0)"])
    }

    /// Replaces the contents of the `kinds` catalogs with the searchable `records`; returns how
    /// many each now holds.
    @discardableResult
    func rebuildCatalogs(_ records: Store.Reader, _ kinds: Set<CatalogKind>) throws -> [CatalogKind: Int] {
        var counts: [CatalogKind: Int] = [:]
        if kinds.contains(.jobs) {
            let items = try concurrentMap(try records.openJobs()) { try self.jobItem($0) }
            try jobs.replace(with: items)
            counts[.jobs] = jobs.count
        }
        if kinds.contains(.talents) {
            let items = try concurrentMap(try records.searchableTalents()) { try self.talentItem($0) }
            try talents.replace(with: items)
            counts[.talents] = talents.count
        }
        return counts
    }

    /// A publication that failed after its commit: logged with the record ids (never their
    /// contents), then the affected catalog is rebuilt from `records`, which hold the commit, so the
    /// acknowledged write is searchable after all. Runs on the store's serial writer.
    func recoverCatalogs(_ records: Store.Reader, after error: any Error) throws {
        let failure = error as? PublishFailure
        let kinds = failure.map { [$0.catalog] } ?? CatalogKind.allCases
        logger.error("index publication failed after a commit; rebuilding the catalog from the store", metadata: [
            "catalog": "\(kinds.map(\.rawValue).joined(separator: ","))",
            "ids": "\(failure?.ids.prefix(20).joined(separator: ",") ?? "")",
            "error": "\(failure.map { "\($0.error.code)" } ?? "\(type(of: error))")",
        ])
        do {
            let counts = try rebuildCatalogs(records, Set(kinds))
            logger.notice("catalog rebuilt after a failed publication", metadata: [
                "catalog": "\(kinds.map(\.rawValue).joined(separator: ","))",
                "entries": "\(kinds.map { counts[$0] ?? 0 })"])
        } catch {
            logger.critical("catalog rebuild failed; searches miss records until the next start", metadata: [
                "error": "\(error)"])
            throw error
        }
    }

    /// Publishes to a catalog; a failure is thrown as a `PublishFailure` naming the catalog and
    /// the record ids, for `recoverCatalogs`. Items repeating a key keep the last (an upsert
    /// batch naming one id twice saves it twice under one `seq`).
    func publish<Entry>(_ items: [(key: UInt64, vector: [Float]?, entry: Entry)], to kind: CatalogKind,
                        catalog: Catalog<Entry>, ids: [String]) throws(PublishFailure) {
        var last: [UInt64: Int] = [:]
        for (i, item) in items.enumerated() { last[item.key] = i }
        let unique = last.count == items.count ? items : items.enumerated().filter { last[$0.element.key] == $0.offset }.map(\.element)
        do { try catalog.publish(unique) } catch { throw PublishFailure(catalog: kind, ids: ids, error: error) }
    }

    struct PublishFailure: Error {
        var catalog: CatalogKind
        var ids: [String]
        var error: MatcherError
    }
}

/// Maps `items` on all cores, keeping order (synchronously: it runs on the store's writer).
func concurrentMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) throws -> R) throws -> [R] {
    let workers = max(1, min(SearchTuningCores.count, items.count / 64 + 1))
    let parts = Mutex([Result<[R], any Error>?](repeating: nil, count: workers))
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        let lo = items.count * w / workers, hi = items.count * (w + 1) / workers
        let part = Result { try items[lo..<hi].map(transform) }
        parts.withLock { $0[w] = part }
    }
    return try parts.withLock { $0 }.flatMap { try $0!.get() }
}

enum SearchTuningCores {
    static let count = max(1, ProcessInfo.processInfo.activeProcessorCount)
}

extension EmbeddingsError {
    /// The same error with its field placed under `prefix` (e.g. `profile.`).
    func prefixed(_ prefix: String) -> EmbeddingsError {
        switch self {
        case .unknownCompetency(let f, let id): .unknownCompetency(field: prefix + f, id: id)
        case .unknownCertificate(let f, let id): .unknownCertificate(field: prefix + f, id: id)
        case .unknownCourse(let f, let id): .unknownCourse(field: prefix + f, id: id)
        case .unknownPost(let f, let id): .unknownPost(field: prefix + f, id: id)
        case .invalidValue(let f, let m): .invalidValue(field: prefix + f, message: m)
        default: self
        }
    }
}

extension Duration {
    var seconds: Double {
        let (s, a) = components
        return Double(s) + Double(a) * 1e-18
    }
}
