import Embeddings
import Foundation
import Logging
import Matcher

/// Saving the catalogs at shutdown and restoring them at start-up.
///
/// `data/index/` holds `jobs.mvec` and `talents.mvec` (Matcher index files), `entries.json`
/// (the catalogs' attributes and compact profiles) and `manifest.json`, written last, naming the
/// store revision the catalogs reflect (`Store.publishedRevision`, not the store's revision at
/// save time, which another process may have advanced), the model fingerprint and the vector
/// dimension. A snapshot is used only when all of them still match; any committed write since
/// (even one whose process was killed, or one by another process) leaves the store at another
/// revision and forces a rebuild, which first deletes the stale snapshot.
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

    /// Writes the snapshot of the catalogs, stamped with the revision they reflect. It runs on
    /// the store's serial writer, so no commit (a deletion in particular) interleaves. When the
    /// catalogs' revision is unknown (another process committed between two of this one's
    /// commits, or a publication failed and its rebuild too), no snapshot is written and any old
    /// one is deleted: the next start rebuilds.
    func saveSnapshot(logger: Logger) async throws {
        let directory = config.indexDirectory
        let saved = try await store.withPublishedRevision { revision -> (revision: Int64, jobs: Int, talents: Int)? in
            try self.discardSnapshot()
            guard let revision else { return nil }
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let (jobSnapshot, jobEntries) = self.jobs.view()
            let (talentSnapshot, talentEntries) = self.talents.view()
            try jobSnapshot.save(to: directory.appendingPathComponent("jobs.mvec").path)
            try talentSnapshot.save(to: directory.appendingPathComponent("talents.mvec").path)
            let encoder = JSONEncoder()
            try encoder.encode(SavedEntries(jobs: jobEntries, talents: talentEntries))
                .write(to: directory.appendingPathComponent("entries.json"), options: .atomic)
            let manifest = SnapshotManifest(format: Self.snapshotFormat, revision: revision,
                                            modelFingerprint: self.modelFingerprint,
                                            dimension: self.vectorizer.dimension, latentRank: self.latent.rank)
            try encoder.encode(manifest).write(to: self.manifestURL, options: .atomic)
            return (revision, jobSnapshot.count, talentSnapshot.count)
        }
        if let saved {
            logger.info("index snapshot saved", metadata: ["revision": "\(saved.revision)", "jobs": "\(saved.jobs)",
                                                           "talents": "\(saved.talents)"])
        } else {
            logger.warning("the catalogs do not reflect a known store revision (another process wrote the store, or a publication failed); no index snapshot saved, the next start rebuilds")
        }
    }

    /// Deletes the saved snapshot: the manifest first (so a half-deleted snapshot is never
    /// used), then every other file of the index directory (index files, entries, temporary
    /// files a crash left). A file that cannot be removed is a `StoreError`: a deletion must not
    /// be acknowledged while a snapshot still holds the deleted record.
    func discardSnapshot() throws {
        let fm = FileManager.default
        let directory = config.indexDirectory
        func remove(_ url: URL) throws {
            do {
                try fm.removeItem(at: url)
            } catch let error as CocoaError where error.code == .fileNoSuchFile {
                return
            } catch {
                if !fm.fileExists(atPath: url.path) { return }
                throw StoreError.snapshotRemovalFailed(path: url.path, message: "\(error.localizedDescription)")
            }
        }
        try remove(manifestURL)
        guard fm.fileExists(atPath: directory.path) else { return }
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: directory.path) } catch {
            throw StoreError.snapshotRemovalFailed(path: directory.path, message: "\(error.localizedDescription)")
        }
        for name in names.sorted() { try remove(directory.appendingPathComponent(name)) }
    }

    /// Fills the catalogs from the saved snapshot if it matches; `false` means rebuild. It runs
    /// on the store's serial writer, and the catalogs then reflect the manifest's revision.
    func restoreSnapshot(logger: Logger) async throws -> Bool {
        guard let data = try? Data(contentsOf: manifestURL),
              let manifest = try? JSONDecoder().decode(SnapshotManifest.self, from: data) else { return false }
        return try await store.republish { records -> (Bool, Int64?) in
            let expected = SnapshotManifest(format: Self.snapshotFormat, revision: try records.revision(),
                                            modelFingerprint: self.modelFingerprint,
                                            dimension: self.vectorizer.dimension, latentRank: self.latent.rank)
            guard manifest == expected else {
                logger.info("index snapshot is stale; rebuilding", metadata: ["savedRevision": "\(manifest.revision)",
                                                                              "storeRevision": "\(expected.revision)"])
                return (false, nil)
            }
            do {
                let directory = self.config.indexDirectory
                let jobIndex = try FlatIndex.load(from: directory.appendingPathComponent("jobs.mvec").path)
                let talentIndex = try FlatIndex.load(from: directory.appendingPathComponent("talents.mvec").path)
                let saved = try JSONDecoder().decode(SavedEntries.self,
                                                     from: Data(contentsOf: directory.appendingPathComponent("entries.json")))
                guard jobIndex.dimension == self.vectorizer.dimension, talentIndex.dimension == self.vectorizer.dimension else {
                    return (false, nil)
                }
                try self.jobs.publish(restoring: jobIndex, entries: saved.jobs)
                try self.talents.publish(restoring: talentIndex, entries: saved.talents)
                return (true, manifest.revision)
            } catch {
                logger.warning("index snapshot unreadable; rebuilding", metadata: ["error": "\(error)"])
                return (false, nil)
            }
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
