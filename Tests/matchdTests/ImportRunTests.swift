import ArgumentParser
import Foundation
import HTTPTypes
import Testing
@testable import matchd

/// Named imports: progress kept under the client's id, a broken request left interrupted, and
/// the same body sent again resumed after the last committed line, committing nothing twice.
@Suite struct ImportRunTests {
    static func line(_ n: Int, valid: Bool = true) -> String {
        valid ? #"{"id":"t-run-\#(n)","displayName":"Run \#(n)","profile":{"skills":[{"competency":"prog.python","level":4}]}}"#
            : #"{"id":"t-run-\#(n)","displayName":"Run \#(n)","profile":{"skills":[{"competency":"no.such","level":4}]}}"#
    }

    @Test func aNamedImportReportsItsProgressAndRefusesASecondRun() async throws {
        try await TestService.run { api in
            let body = [Self.line(1), Self.line(2, valid: false), Self.line(3)].joined(separator: "\n") + "\n"
            let first = try await api.send(.post, "/v1/import/talents?importId=imp-1", as: .admin, raw: body, contentType: "application/x-ndjson")
            let result: S.ImportResult = try first.decode()
            #expect(result.importId == "imp-1" && result.skipped == 0 && result.accepted == 2 && result.rejected == 1)
            let run: S.ImportRun = try await api.get("/v1/imports/imp-1", as: .admin).decode()
            #expect(run.state == .completed && run.kind == .talents && run.linesReceived == 3 && run.linesCommitted == 2
                    && run.linesFailed == 1 && run.lastLine == 3 && run.errors.map(\.line) == [2])
            let again = try await api.send(.post, "/v1/import/talents?importId=imp-1", as: .admin, raw: body, contentType: "application/x-ndjson")
            #expect(again.status == .conflict && again.error?.code == "record.conflict", "\(again)")
            let otherKind = try await api.send(.post, "/v1/import/jobs?importId=imp-1", as: .admin, raw: body, contentType: "application/x-ndjson")
            #expect(otherKind.status == .unprocessableContent && otherKind.error?.field == "importId", "\(otherKind)")
            let badID = try await api.send(.post, "/v1/import/talents?importId=-x", as: .admin, raw: body, contentType: "application/x-ndjson")
            #expect(badID.status == .badRequest && badID.error?.field == "importId", "\(badID)")
        }
    }

    /// A body over the byte limit, announced by its length, is refused before any line is
    /// read: no run is left and nothing is committed, so the client may send it again in parts.
    @Test func aBodyOverTheLimitIsRefusedBeforeAnyLineLands() async throws {
        let lines = (1...1200).map { Self.line($0) }
        let limit = lines.prefix(800).reduce(0) { $0 + $1.utf8.count + 1 }
        try await TestService.run(configure: { $0.maxImportBytes = limit }) { api in
            let reply = try await api.send(.post, "/v1/import/talents?importId=imp-big", as: .admin,
                                           raw: lines.joined(separator: "\n") + "\n", contentType: "application/x-ndjson")
            #expect(reply.status == .contentTooLarge, "\(reply)")
            #expect(try await api.get("/v1/imports/imp-big", as: .admin).status == .notFound)
            #expect(try await api.service.engine.store.talent(id: "t-run-1") == nil)
        }
    }

    /// After a crash (a run left `running`, then marked interrupted at start-up), the same body
    /// resumes after `lastLine`: the lines before it are skipped, the rest committed.
    @Test func theSameBodyResumesAfterTheLastCommittedLine() async throws {
        try await TestService.run { api in
            let store = api.service.engine.store
            let body = (1...5).map { Self.line($0) }.joined(separator: "\n") + "\n"
            // Lines 1–2 landed before the crash.
            _ = try await api.send(.post, "/v1/import/talents", as: .admin,
                                   raw: [Self.line(1), Self.line(2)].joined(separator: "\n"), contentType: "application/x-ndjson")
            try await store.saveImportRun(ImportRunRecord(id: "imp-crash", kind: "talents", state: .running, linesReceived: 2,
                                                          linesCommitted: 2, linesFailed: 0, lastLine: 2, errors: [],
                                                          startedAt: Date(), updatedAt: Date()))
            try await store.interruptRunningImports()
            #expect(try await store.importRun(id: "imp-crash")?.state == .interrupted)
            let reply = try await api.send(.post, "/v1/import/talents?importId=imp-crash", as: .admin, raw: body,
                                           contentType: "application/x-ndjson")
            let result: S.ImportResult = try reply.decode()
            #expect(result.skipped == 2 && result.accepted == 3 && result.rejected == 0, "\(reply)")
            let run: S.ImportRun = try await api.get("/v1/imports/imp-crash", as: .admin).decode()
            #expect(run.state == .completed && run.linesCommitted == 5 && run.lastLine == 5)
            for n in 1...5 { #expect(try await store.talent(id: "t-run-\(n)") != nil) }
        }
    }
}

/// `matchd import --from-line` resumes a file import: the records that start before the line are skipped.
@Suite struct ImportFromLineTests {
    @Test func recordsBeforeTheLineAreSkipped() async throws {
        let directory = try FileManager.default.url(for: .itemReplacementDirectory, in: .userDomainMask,
                                                    appropriateFor: URL(fileURLWithPath: NSTemporaryDirectory()), create: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("talents.jsonl")
        try (1...4).map { ImportRunTests.line($0) }.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("data")
        let command = try ImportCommand.parse(["--data", data.path, "--kind", "talents", "--from-line", "3", file.path])
        try await command.run()
        let store = try Store.open(directory: data)
        for (n, present) in [(1, false), (2, false), (3, true), (4, true)] {
            #expect((try await store.talent(id: "t-run-\(n)") != nil) == present, "t-run-\(n)")
        }
    }
}
