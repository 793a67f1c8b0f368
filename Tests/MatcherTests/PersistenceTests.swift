import Dispatch
import Foundation
@testable import Matcher
import Synchronization
import TestSupport
import Testing

struct PersistenceTests {
    @Test("save then load gives the same rows, ids, metric and answers", arguments: [Metric.innerProduct, .cosine])
    func roundTrip(metric: Metric) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let twin = try Twin.make(n: 9000, d: 13, metric: metric, integers: false, seed: 5)
        twin.index.delete(ids: twin.ids.prefix(100)) // tombstones are not saved
        let path = dir.appendingPathComponent("index.mvec").path
        try twin.index.save(to: path)
        let loaded = try FlatIndex.load(from: path)
        #expect(loaded.metric == metric && loaded.dimension == 13 && loaded.count == 8900)
        var rng = SplitMix64(seed: 6)
        for _ in 0..<5 {
            let q = rng.gaussianVector(13)
            #expect(try loaded.snapshot.search(q, k: 50) == twin.index.snapshot.search(q, k: 50))
        }
        #expect(loaded.contains(twin.ids[200]) && !loaded.contains(twin.ids[0]))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files == ["index.mvec"], "no temporary file left behind")
        // A loaded index takes further writes.
        try loaded.upsert(id: twin.ids[0], vector: [Float](repeating: 1, count: 13))
        #expect(loaded.count == 8901)
    }

    @Test("an empty index round-trips")
    func empty() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("e.mvec").path
        try FlatIndex(dimension: 4, metric: .cosine).save(to: path)
        let loaded = try FlatIndex.load(from: path)
        #expect(loaded.count == 0 && loaded.dimension == 4 && loaded.metric == .cosine)
    }

    /// Every truncation length and single flipped bits across header, ids, vectors and trailer:
    /// each gives a typed error, never a crash or a silently different index.
    @Test("truncated, corrupt and foreign files give typed errors")
    func damage() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let twin = try Twin.make(n: 50, d: 3, metric: .innerProduct, integers: true, seed: 8)
        let path = dir.appendingPathComponent("i.mvec").path
        try twin.index.save(to: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        // Header, ids, zeros up to the next multiple of 64 (464 → 512), vectors, trailer.
        #expect(good.count == 512 + 50 * 3 * 4 + 16)
        let bad = dir.appendingPathComponent("bad.mvec").path

        for length in stride(from: 0, to: good.count, by: 7) {
            try good.prefix(length).write(to: URL(fileURLWithPath: bad))
            #expect(throws: MatcherError.self) { _ = try FlatIndex.load(from: bad) }
            do { _ = try FlatIndex.load(from: bad) } catch {
                #expect(error.code == "matcher.file_truncated" || (length < 64 && error.code == "matcher.file_corrupt"),
                        "length \(length): \(error)")
            }
        }
        for offset in stride(from: 0, to: good.count, by: 5) {
            var data = good
            data[offset] ^= 0x10
            try data.write(to: URL(fileURLWithPath: bad))
            do {
                _ = try FlatIndex.load(from: bad)
                Issue.record("flipped bit at \(offset) went unnoticed")
            } catch {
                #expect(["matcher.file_corrupt", "matcher.unsupported_file_version", "matcher.file_truncated"].contains(error.code),
                        "offset \(offset): \(error)")
            }
        }
        var versioned = good
        versioned[8] = 9
        try versioned.write(to: URL(fileURLWithPath: bad))
        #expect(throws: MatcherError.unsupportedFileVersion(path: bad, found: 9, supported: 2)) { _ = try FlatIndex.load(from: bad) }
        try (good + Data([0])).write(to: URL(fileURLWithPath: bad))
        #expect(throws: MatcherError.fileCorrupt(path: bad, reason: "1 unexpected bytes after the index")) { _ = try FlatIndex.load(from: bad) }
        try Data("not an index at all, just some text padding it out to beyond sixty-four bytes....".utf8)
            .write(to: URL(fileURLWithPath: bad))
        #expect(throws: MatcherError.fileCorrupt(path: bad, reason: "bad magic: not a matchd index file")) { _ = try FlatIndex.load(from: bad) }
        #expect(throws: MatcherError.self) { _ = try FlatIndex.load(from: dir.appendingPathComponent("missing").path) }
    }

    /// Full chunks of a loaded index are read in place from the mapped file, a final partial
    /// one is copied: writes, deletes and compaction must behave as on the index that was
    /// saved, and the loaded index must not depend on the file staying where it was.
    @Test("a loaded index takes writes, deletes and compaction, and outlives its file", arguments: [8192, 8292])
    func mappedChunks(n: Int) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let twin = try Twin.make(n: n, d: 7, metric: .innerProduct, integers: true, seed: 21)
        let path = dir.appendingPathComponent("index.mvec").path
        try twin.index.save(to: path)
        let loaded = try FlatIndex.load(from: path)
        // The file is replaced, then removed: the loaded index still reads its own rows.
        try FlatIndex(dimension: 7, metric: .innerProduct).save(to: path)
        try FileManager.default.removeItem(atPath: path)

        var rng = SplitMix64(seed: 22)
        func agree(_ step: String) throws {
            for _ in 0..<3 {
                let q = (0..<7).map { _ in Float(Int.random(in: -3...3, using: &rng)) }
                #expect(try loaded.snapshot.search(q, k: 40) == twin.index.snapshot.search(q, k: 40), "\(step)")
            }
            #expect(loaded.count == twin.index.count, "\(step)")
        }
        try agree("loaded")
        // Replace rows that live in mapped chunks (their old rows die), then add new ones.
        for (i, id) in [twin.ids[3], twin.ids[5000], twin.ids[n - 1], 1 << 40, 1 << 41].enumerated() {
            let v = (0..<7).map { Float(($0 + i) % 5 - 2) }
            try loaded.upsert(id: id, vector: v)
            try twin.index.upsert(id: id, vector: v)
        }
        try agree("after upserts")
        let gone = Array(twin.ids[100..<4000])
        #expect(loaded.delete(ids: gone).removed == gone.count)
        twin.index.delete(ids: gone)
        try agree("after deletes")
        loaded.compact()
        try agree("after compaction")
    }

    @Test("saving over an existing file replaces it whole")
    func atomicReplace() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("i.mvec").path
        let index = try FlatIndex(dimension: 2, metric: .innerProduct)
        try index.upsert(id: 1, vector: [1, 2])
        try index.save(to: path)
        try index.upsert(id: 2, vector: [3, 4])
        try index.save(to: path)
        #expect(try FlatIndex.load(from: path).count == 2)
        #expect(throws: MatcherError.self) { try index.save(to: dir.appendingPathComponent("no/such/dir/i.mvec").path) }
    }

    /// Eight saves of one path at once, each of a different index: each writes its own
    /// temporary file, so every save succeeds, the file left is exactly one of the eight, and no
    /// temporary file is left behind.
    @Test("concurrent saves of one path from one process never share a temporary file")
    func concurrentSavesOfOnePath() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("i.mvec").path
        let indexes = try (0..<8).map { i in
            let index = try FlatIndex(dimension: 16, metric: .innerProduct)
            try index.upsert(ids: (0..<(500 + 100 * i)).map { UInt64($0) },
                             vectors: (0..<(500 + 100 * i)).map { r in (0..<16).map { Float(r % 7 + i + $0) } })
            return index
        }
        let failures = Mutex([String]())
        DispatchQueue.concurrentPerform(iterations: indexes.count) { i in
            do { try indexes[i].save(to: path) } catch { failures.withLock { $0.append("save \(i): \(error)") } }
        }
        #expect(failures.withLock { $0 } == [])
        let loaded = try FlatIndex.load(from: path)
        let match = indexes.firstIndex { $0.count == loaded.count }
        try #require(match != nil, "the file holds none of the saved indexes (\(loaded.count) rows)")
        let query = [Float](repeating: 1, count: 16)
        #expect(try loaded.snapshot.search(query, k: 50) == indexes[match!].snapshot.search(query, k: 50))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["i.mvec"])
        #expect(IndexFile.temporaryPath(for: path) != IndexFile.temporaryPath(for: path))
    }

    @Test("a directory that cannot be opened for its fsync is an error naming it")
    func directorySyncFailureIsReported() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("gone").path
        #expect(throws: MatcherError.io(path: missing, operation: "open directory", errno: ENOENT)) {
            try IndexFile.syncDirectory(of: missing + "/i.mvec")
        }
        try IndexFile.syncDirectory(of: dir.appendingPathComponent("i.mvec").path)
    }

    @Test("the checksum is independent of how bytes are split into 32-byte-multiple updates")
    func checksumSplits() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        bytes.withUnsafeBytes { b in
            var whole = Checksum()
            whole.update(b.baseAddress!, count: 1000)
            var parts = Checksum()
            parts.update(b.baseAddress!, count: 320)
            parts.update(b.baseAddress! + 320, count: 640)
            parts.update(b.baseAddress! + 960, count: 40)
            #expect(whole.value == parts.value)
            var shorter = Checksum()
            shorter.update(b.baseAddress!, count: 999)
            #expect(shorter.value != whole.value)
        }
    }
}
