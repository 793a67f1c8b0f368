import Foundation
import GRDB
import HTTPTypes
import TestSupport
import Testing
@testable import matchd

/// A seeker's deletion on disk: afterwards no file of the data directory (the SQLite file, its
/// WAL and shared memory, the index snapshot) holds the person's name or e-mail address.
@Suite struct DeletionOnDiskTests {
    /// Every regular file under `directory` whose bytes contain one of `needles`, with the needle.
    static func files(in directory: URL, containing needles: [String]) throws -> [String] {
        var hits: [String] = []
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let data = try Data(contentsOf: url)
            for needle in needles where data.range(of: Data(needle.utf8)) != nil {
                hits.append("\(url.lastPathComponent): \(needle)")
            }
        }
        return hits.sorted()
    }

    @Test("a seeker's DELETE leaves none of its bytes in the store, the WAL or the snapshot")
    func deletedBytesLeaveTheDisk() async throws {
        try await TestService.run { api in
            let name = "Zephyrine Quixotebottom"
            let email = "zephyrine.qx7@example.invalid"
            var input = Samples.talent(TestService.talentB, name: name, city: "上海", skills: [("prog.python", 6)])
            input.contact = .init(email: email, phone: "+86 000 0000 0077")
            _ = try await api.createTalent(input, as: .seekerB)
            try await api.engine.saveSnapshot(logger: testLogger)
            let manifest = api.service.directory.appendingPathComponent("index/manifest.json")
            #expect(FileManager.default.fileExists(atPath: manifest.path))
            // The scan finds the bytes while the record exists (in the snapshot's entries and the
            // store or its WAL), so its silence afterwards means something.
            let before = try Self.files(in: api.service.directory, containing: [name, email])
            #expect(before.contains("entries.json: \(name)"), "\(before)")
            #expect(before.contains { $0.hasPrefix("matchd.sqlite") && $0.hasSuffix(email) }, "\(before)")

            let deleted = try await api.delete("/v1/talents/\(TestService.talentB)", as: .seekerB)
            #expect(deleted.status == .noContent, "\(deleted)")
            #expect(!FileManager.default.fileExists(atPath: manifest.path), "the snapshot survived the deletion")
            let after = try Self.files(in: api.service.directory, containing: [name, email])
            #expect(after.isEmpty, "deleted bytes still on disk: \(after)")
            // Everyone else is still there.
            #expect(try await api.get("/v1/talents/\(TestService.talentA)", as: .seekerA).status == .ok)
        }
    }

    @Test("the store runs in WAL mode with synchronous = FULL and secure_delete on, on every connection")
    func storePragmas() async throws {
        let directory = try Fixtures.temporaryDirectory("matchd-pragmas")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store.open(directory: directory)
        let read = try await store.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try Int.fetchOne(db, sql: "PRAGMA secure_delete"))
        }
        let written = try await store.writer.writeWithoutTransaction { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try Int.fetchOne(db, sql: "PRAGMA secure_delete"))
        }
        for (what, pragmas) in [("reader", read), ("writer", written)] {
            #expect(pragmas.0 == "wal", "\(what)")
            #expect(pragmas.1 == 2, "\(what): synchronous is \(pragmas.1.map(String.init) ?? "nil"), not FULL (2)")
            #expect(pragmas.2 == 1, "\(what)")
        }
    }
}
