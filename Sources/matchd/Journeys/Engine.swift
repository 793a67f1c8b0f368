import GRDB
import Embeddings
import Foundation
import Logging
import Matcher
import Synchronization

/// The service's state: the model and its vectorizer, the store, and the two searchable
/// catalogs (open jobs; talents who consented to be found). Journeys are its extensions.
///
/// Write path: validate → vectorise → commit → publish to the catalog (`Store.commit`), so an
/// acknowledged write is committed and searchable. Start-up: load the model, open the store,
/// restore the catalogs from the saved snapshot when it matches the store and the model,
/// otherwise rebuild them from the records; only then does the server accept traffic.
final class Engine: Sendable {
    let config: MatchdConfig
    let model: CompetencyModel
    let latent: LatentSpace
    let vectorizer: Vectorizer
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

    init(config: MatchdConfig, model: CompetencyModel, latent: LatentSpace, store: Store,
         modelFingerprint: String) throws {
        self.config = config
        self.model = model
        self.latent = latent
        self.vectorizer = Vectorizer(model: model, latent: latent)
        self.store = store
        self.modelFingerprint = modelFingerprint
        let dimension = vectorizer.dimension
        jobs = Catalog(index: try FlatIndex(dimension: dimension, metric: .cosine))
        talents = Catalog(index: try FlatIndex(dimension: dimension, metric: .cosine))
        platformCourses = Mutex([:])
    }

    /// Loads everything and fills the catalogs. `store` defaults to the one in the data directory.
    static func start(config: MatchdConfig, store: Store? = nil, logger: Logger) async throws -> Engine {
        let started = ContinuousClock.now
        let model = try CompetencyModel.load(from: config.modelDirectory)
        let latent = try LatentSpace.build(model: model, rank: config.latentRank)
        let store = try store ?? Store.open(directory: config.dataDirectory)
        let engine = try Engine(config: config, model: model, latent: latent, store: store,
                                modelFingerprint: try Self.fingerprint(of: config.modelDirectory))
        try await engine.loadPlatformCourses()
        let restored = try await engine.restoreSnapshot(logger: logger)
        if !restored { try await engine.rebuildCatalogs(logger: logger) }
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

    // MARK: Courses

    private func loadPlatformCourses() async throws {
        let records = try await store.read { db in try CourseRecord.fetchAll(db) }
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

    /// Re-vectorises every record into fresh catalogs (start-up without a usable snapshot).
    func rebuildCatalogs(logger: Logger) async throws {
        let jobRecords = try await store.read { db in
            try JobRecord.filter(JobRecord.Columns.status == JobRecord.Status.open.rawValue).fetchAll(db)
        }
        let talentRecords = try await store.read { db in
            try TalentRecord.filter(TalentRecord.Columns.searchable == true).fetchAll(db)
        }
        let jobItems = try await parallelMap(jobRecords) { try self.jobItem($0) }
        let talentItems = try await parallelMap(talentRecords) { try self.talentItem($0) }
        try jobs.publish(jobItems)
        try talents.publish(talentItems)
        logger.info("catalogs rebuilt from the store", metadata: [
            "jobs": "\(jobRecords.count)", "talents": "\(talentRecords.count)"])
    }
}

/// Maps `items` on all cores, keeping order.
func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @escaping @Sendable (T) throws -> R) async throws -> [R] {
    let workers = max(1, min(SearchTuningCores.count, items.count / 64 + 1))
    return try await withThrowingTaskGroup(of: (Int, [R]).self) { group in
        for w in 0..<workers {
            let lo = items.count * w / workers, hi = items.count * (w + 1) / workers
            group.addTask { (w, try items[lo..<hi].map(transform)) }
        }
        var parts = [[R]](repeating: [], count: workers)
        for try await (w, part) in group { parts[w] = part }
        return parts.flatMap { $0 }
    }
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
