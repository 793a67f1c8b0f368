import Embeddings
import Foundation
import GRDB
import Logging
import Matcher
import Synchronization
import TestSupport
import Testing
@testable import matchd

/// The index snapshot against the store: a snapshot is restored only when it reflects the
/// store's revision exactly; writes after it (a crash before the next save), writes by another
/// process, and failed publications all lead to a rebuild that finds every record. Engines here
/// are started on a shared data directory the way `Engine.start` does (`Engine.load`), with the
/// process's shared model.
@Suite struct SnapshotRevisionTests {
    /// What a process sees: an engine over `directory`, its catalogs restored or rebuilt.
    static func start(_ directory: URL) async throws -> (engine: Engine, restored: Bool) {
        let shared = try await SharedModel.value
        var config = MatchdConfig()
        config.dataDirectory = directory
        config.modelDirectory = MatchdConfig.bundledModel
        let engine = try Engine(config: config, model: shared.model, latent: shared.latent,
                                store: try Store.open(directory: directory), modelFingerprint: shared.fingerprint,
                                logger: testLogger)
        let restored = try await engine.load(logger: testLogger)
        return (engine, restored)
    }

    static let skills: [[(String, Int)]] = [
        [("ai.pytorch", 6), ("ai.cv", 5)], [("cloud.docker", 5), ("ops.linux", 6)], [("im.plc", 6), ("im.hmi-scada", 5)],
    ]

    /// Writes `talents` searchable talents and `jobs` open postings (employer `emp-s`), ids `prefix-t…`/`prefix-j…`.
    static func write(_ engine: Engine, _ prefix: String, talents: Int, jobs: Int) async throws {
        try await engine.createEmployer(id: "emp-s", name: "Snapshot employer")
        _ = try await engine.upsertTalents((0..<talents).map { i in
            TalentDraft(Samples.talent("\(prefix)-t\(i)", name: "\(prefix) \(i)", skills: skills[i % skills.count]))
        })
        _ = try await engine.upsertJobs((0..<jobs).map { i in
            JobDraft(Samples.job("\(prefix)-j\(i)", title: "\(prefix) posting \(i)", employer: "emp-s",
                                 requirements: skills[i % skills.count]))
        })
    }

    /// The ids the catalogs can find: entries whose key is a live row of the index.
    static func searchable(_ engine: Engine) -> (jobs: Set<String>, talents: Set<String>) {
        func live<E: CatalogEntry>(_ catalog: Catalog<E>, _ id: (E) -> String) -> Set<String> {
            let (snapshot, entries) = catalog.view()
            var ids = Set<String>()
            snapshot.forEachLive { _, key in if let e = entries[key] { ids.insert(id(e)) } }
            return ids
        }
        return (live(engine.jobs, \.id), live(engine.talents, \.id))
    }

    /// The oracle: what the store says must be searchable (open jobs, consenting talents).
    static func stored(_ engine: Engine) async throws -> (jobs: Set<String>, talents: Set<String>) {
        try await engine.store.read { db in
            (Set(try String.fetchAll(db, sql: "SELECT id FROM job WHERE status = 'open'")),
             Set(try String.fetchAll(db, sql: "SELECT id FROM talent WHERE searchable")))
        }
    }

    /// Every record is found, in the catalogs and by a real search (anonymous matching returns
    /// every open posting when `k` exceeds their number).
    static func expectFindsEverything(_ engine: Engine, jobs: Set<String>, talents: Set<String>,
                                      sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let stored = try await stored(engine)
        #expect(stored.jobs == jobs && stored.talents == talents, "the store lost records", sourceLocation: sourceLocation)
        let found = searchable(engine)
        #expect(found.jobs == jobs, "jobs missing from the index: \(jobs.subtracting(found.jobs).sorted())",
                sourceLocation: sourceLocation)
        #expect(found.talents == talents, "talents missing from the index: \(talents.subtracting(found.talents).sorted())",
                sourceLocation: sourceLocation)
        let profile = TalentDraft(Samples.talent(nil, name: "probe", skills: skills[0])).profile
        let matches = try await engine.matchJobs(profile: profile, filters: JobFilters(), k: 100, cursor: nil)
        #expect(Set(matches.items.map(\.id)) == jobs, sourceLocation: sourceLocation)
    }

    static func manifest(_ directory: URL) -> Engine.SnapshotManifest? {
        (try? Data(contentsOf: directory.appendingPathComponent("index/manifest.json")))
            .flatMap { try? JSONDecoder().decode(Engine.SnapshotManifest.self, from: $0) }
    }

    static func ids(_ prefix: String, _ kind: String, _ count: Int) -> Set<String> {
        Set((0..<count).map { "\(prefix)-\(kind)\($0)" })
    }

    @Test("no write after the save: the next start restores the snapshot, with every record")
    func anUnchangedStoreRestores() async throws {
        let directory = try Fixtures.temporaryDirectory("matchd-snapshot")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let (first, restored) = try await Self.start(directory)
            #expect(!restored)
            try await Self.write(first, "a", talents: 7, jobs: 5)
            try await first.saveSnapshot(logger: testLogger)
            #expect(Self.manifest(directory)?.revision == (try await first.store.revision()))
        }
        let (second, restored) = try await Self.start(directory)
        #expect(restored)
        try await Self.expectFindsEverything(second, jobs: Self.ids("a", "j", 5), talents: Self.ids("a", "t", 7))
    }

    @Test("writes after the save and no save (a crash): the next start rebuilds, deletes the stale snapshot, finds every record")
    func writesAfterTheSaveForceARebuild() async throws {
        let directory = try Fixtures.temporaryDirectory("matchd-snapshot")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let (first, _) = try await Self.start(directory)
            try await Self.write(first, "a", talents: 7, jobs: 5)
            try await first.saveSnapshot(logger: testLogger)
            let saved = try #require(Self.manifest(directory))
            // Acknowledged writes, then the process is gone without saving (no deletion, so the
            // snapshot files stay on disk and only the revision tells them stale).
            try await Self.write(first, "b", talents: 4, jobs: 3)
            #expect(try await first.store.revision() > saved.revision)
        }
        #expect(Self.manifest(directory) != nil)
        let (second, restored) = try await Self.start(directory)
        #expect(!restored)
        #expect(Self.manifest(directory) == nil, "the stale snapshot is still on disk")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("index").path)
        #expect(left.isEmpty, "stale snapshot files: \(left)")
        try await Self.expectFindsEverything(second, jobs: Self.ids("a", "j", 5).union(Self.ids("b", "j", 3)),
                                             talents: Self.ids("a", "t", 7).union(Self.ids("b", "t", 4)))
    }

    @Test("another process writes the store after the server's last publication: the server's snapshot claims only what it holds")
    func anotherWriterMakesTheServerSnapshotStale() async throws {
        let directory = try Fixtures.temporaryDirectory("matchd-snapshot")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let (server, _) = try await Self.start(directory)
            try await Self.write(server, "srv", talents: 5, jobs: 4)
            let published = try #require(server.store.publishedRevision)

            // `matchd import` without --url, or `matchd demo`, on the same directory: it
            // rebuilds, commits and saves its own (correct) snapshot.
            let (importer, _) = try await Self.start(directory)
            try await Self.write(importer, "imp", talents: 6, jobs: 2)
            try await importer.saveSnapshot(logger: testLogger)
            #expect(Self.manifest(directory)?.revision == (try await importer.store.revision()))

            // The server stops and saves: it must stamp the revision its catalogs reflect.
            try await server.saveSnapshot(logger: testLogger)
            #expect(Self.manifest(directory)?.revision == published)
            #expect(try await server.store.revision() > published)
        }
        let (next, restored) = try await Self.start(directory)
        #expect(!restored, "the server's snapshot lacks the importer's records but was restored")
        try await Self.expectFindsEverything(next, jobs: Self.ids("srv", "j", 4).union(Self.ids("imp", "j", 2)),
                                             talents: Self.ids("srv", "t", 5).union(Self.ids("imp", "t", 6)))
    }

    @Test("a commit of the server after another process's commit: the revision is unknown, no snapshot is saved")
    func aRevisionGapSavesNoSnapshot() async throws {
        let directory = try Fixtures.temporaryDirectory("matchd-snapshot")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let (server, _) = try await Self.start(directory)
            try await Self.write(server, "srv", talents: 3, jobs: 2)
            try await server.saveSnapshot(logger: testLogger)
            #expect(Self.manifest(directory) != nil)
            let (other, _) = try await Self.start(directory)
            try await Self.write(other, "imp", talents: 2, jobs: 1)
            // The server's next commit follows a revision it did not publish.
            _ = try await server.upsertTalents([TalentDraft(Samples.talent("srv-late", name: "late", skills: Self.skills[1]))])
            #expect(server.store.publishedRevision == nil)
            try await server.saveSnapshot(logger: testLogger)
            #expect(Self.manifest(directory) == nil, "a snapshot was saved for an unknown revision")
        }
        let (next, restored) = try await Self.start(directory)
        #expect(!restored)
        try await Self.expectFindsEverything(next, jobs: Self.ids("srv", "j", 2).union(Self.ids("imp", "j", 1)),
                                             talents: Self.ids("srv", "t", 3).union(Self.ids("imp", "t", 2)).union(["srv-late"]))
    }

    // MARK: Failed publications

    @Test("a publication that fails after its commit is healed: the catalog is rebuilt and the record found")
    func aFailedPublicationRebuildsTheCatalog() async throws {
        let directory = try Fixtures.temporaryDirectory("matchd-snapshot")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (engine, _) = try await Self.start(directory)
        try await Self.write(engine, "a", talents: 3, jobs: 2)
        // A commit whose publication fails in the index (a vector of the wrong dimension).
        let draft = TalentDraft(Samples.talent("broken", name: "broken", skills: Self.skills[2]))
        let has = try engine.validate(draft)
        let record = try await engine.store.commit({ db in
            var r = TalentRecord(seq: nil, id: "broken", displayName: draft.displayName, contact: nil, city: nil,
                                 desiredCities: [], desiredPosts: [], salaryMin: nil, salaryMax: nil, level: nil,
                                 searchable: true, profile: draft.profile, createdAt: Date(), updatedAt: Date())
            try r.insert(db)
            return r
        }, publish: { r in
            try engine.publish([(UInt64(r.seq!), [1, 2, 3], engine.talentEntry(r, capabilities: has))], to: .talents,
                               catalog: engine.talents, ids: [r.id])
        })
        #expect(record.id == "broken")
        try await Self.expectFindsEverything(engine, jobs: Self.ids("a", "j", 2), talents: Self.ids("a", "t", 3).union(["broken"]))
        // The rebuilt catalog holds the vector the record really has.
        let (snapshot, entries) = engine.talents.view()
        let key = UInt64(record.seq!)
        var row: RowID?
        snapshot.forEachLive { r, k in if k == key { row = r } }
        let stored = snapshot.vector(at: try #require(row))
        let expected = engine.vectorizer.searchVector(has)
        #expect(stored.count == expected.count)
        var dot: Float = 0, storedNorm: Float = 0, expectedNorm: Float = 0
        for (x, y) in zip(stored, expected) {
            dot += x * y
            storedNorm += x * x
            expectedNorm += y * y
        }
        let cosine = dot / (storedNorm.squareRoot() * expectedNorm.squareRoot())
        #expect(cosine > 0.9999, "the rebuilt row is not the record's vector")
        #expect(entries[key]?.id == "broken")
        #expect(engine.store.publishedRevision == (try await engine.store.revision()))
    }

    @Test("an upsert naming one id twice publishes it once, with the last version")
    func anUpsertRepeatingAnIDIsPublished() async throws {
        let directory = try Fixtures.temporaryDirectory("matchd-snapshot")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (engine, _) = try await Self.start(directory)
        let first = TalentDraft(Samples.talent("twice", name: "first", skills: Self.skills[0]))
        let second = TalentDraft(Samples.talent("twice", name: "second", skills: Self.skills[1]))
        _ = try await engine.upsertTalents([first, second])
        let entries = engine.talents.view().entries
        #expect(entries.values.map(\.displayName) == ["second"])
        #expect(engine.store.publishedRevision == (try await engine.store.revision()))
    }
}
