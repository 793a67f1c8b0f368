import Embeddings
import Foundation
import Logging
import Matcher

/// Saving the catalogs at shutdown and restoring them at start-up.
///
/// `data/index/` holds `jobs.mvec` and `talents.mvec` (Matcher index files), `entries.json`
/// (the catalogs' attributes and compact profiles) and `manifest.json`, written last, naming the
/// store revision, the model fingerprint and the vector dimension they were saved at. A snapshot
/// is used only when all three still match; any committed write since (even one whose process
/// was killed) bumps the revision and forces a rebuild.
extension Engine {
    /// Bumped whenever the saved entries' shape or the index file format changes, so older
    /// snapshots are rebuilt (3: index files version 2).
    static let snapshotFormat = 3

    struct SnapshotManifest: Codable, Equatable {
        var format: Int
        var revision: Int64
        var modelFingerprint: String
        var dimension: Int
        var latentRank: Int
    }

    private struct SavedEntries: Codable {
        var jobs: [UInt64: JobEntry]
        var talents: [UInt64: TalentEntry]
    }

    private var manifestURL: URL { config.indexDirectory.appendingPathComponent("manifest.json") }

    /// Writes the snapshot. Call when no writes run (shutdown), or accept that a write racing it
    /// makes the next start rebuild.
    func saveSnapshot(logger: Logger) async throws {
        let revision = try await store.revision()
        let directory = config.indexDirectory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: manifestURL)
        let (jobSnapshot, jobEntries) = jobs.view()
        let (talentSnapshot, talentEntries) = talents.view()
        try jobSnapshot.save(to: directory.appendingPathComponent("jobs.mvec").path)
        try talentSnapshot.save(to: directory.appendingPathComponent("talents.mvec").path)
        let encoder = JSONEncoder()
        try encoder.encode(SavedEntries(jobs: jobEntries, talents: talentEntries))
            .write(to: directory.appendingPathComponent("entries.json"), options: .atomic)
        let manifest = SnapshotManifest(format: Self.snapshotFormat, revision: revision, modelFingerprint: modelFingerprint,
                                        dimension: vectorizer.dimension, latentRank: latent.rank)
        try encoder.encode(manifest).write(to: manifestURL, options: .atomic)
        logger.info("index snapshot saved", metadata: ["revision": "\(revision)", "jobs": "\(jobSnapshot.count)",
                                                       "talents": "\(talentSnapshot.count)"])
    }

    /// Removes the saved snapshot (after a deletion, so no file keeps the deleted vectors).
    func discardSnapshot() {
        for name in ["manifest.json", "jobs.mvec", "talents.mvec", "entries.json"] {
            try? FileManager.default.removeItem(at: config.indexDirectory.appendingPathComponent(name))
        }
    }

    /// Fills the catalogs from the saved snapshot if it matches; `false` means rebuild.
    func restoreSnapshot(logger: Logger) async throws -> Bool {
        guard let data = try? Data(contentsOf: manifestURL),
              let manifest = try? JSONDecoder().decode(SnapshotManifest.self, from: data) else { return false }
        let expected = SnapshotManifest(format: Self.snapshotFormat, revision: try await store.revision(), modelFingerprint: modelFingerprint,
                                        dimension: vectorizer.dimension, latentRank: latent.rank)
        guard manifest == expected else {
            logger.info("index snapshot is stale; rebuilding", metadata: ["savedRevision": "\(manifest.revision)",
                                                                          "storeRevision": "\(expected.revision)"])
            return false
        }
        do {
            let directory = config.indexDirectory
            let jobIndex = try FlatIndex.load(from: directory.appendingPathComponent("jobs.mvec").path)
            let talentIndex = try FlatIndex.load(from: directory.appendingPathComponent("talents.mvec").path)
            let saved = try JSONDecoder().decode(SavedEntries.self,
                                                 from: Data(contentsOf: directory.appendingPathComponent("entries.json")))
            guard jobIndex.dimension == vectorizer.dimension, talentIndex.dimension == vectorizer.dimension else { return false }
            try jobs.publish(restoring: jobIndex, entries: saved.jobs)
            try talents.publish(restoring: talentIndex, entries: saved.talents)
            return true
        } catch {
            logger.warning("index snapshot unreadable; rebuilding", metadata: ["error": "\(error)"])
            return false
        }
    }
}

extension Catalog {
    /// Copies a loaded index and its entries into this (empty) catalog.
    func publish(restoring loaded: FlatIndex, entries saved: [UInt64: Entry]) throws(MatcherError) {
        var items: [(key: UInt64, vector: [Float]?, entry: Entry)] = []
        let snapshot = loaded.snapshot
        var missing = false
        snapshot.forEachLive { row, key in
            guard let entry = saved[key] else { missing = true; return }
            items.append((key, snapshot.vector(at: row), entry))
        }
        if missing { throw .fileCorrupt(path: "entries.json", reason: "an indexed key has no entry") }
        try publish(items)
    }
}
