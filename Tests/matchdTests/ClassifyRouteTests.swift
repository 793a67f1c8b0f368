import Embeddings
import Foundation
import GRDB
import HTTPTypes
import Testing
@testable import matchd

/// `/v1/classify`, its batch form, and the occupation codes postings carry.
@Suite struct ClassifyRouteTests {
    /// The route answers what the coder answers (the coder itself is tested against hand-coded titles).
    @Test func classifyAnswersTheCoder() async throws {
        try await TestService.run(seed: false) { api in
            let reply = try await api.post("/v1/classify", json: S.ClassifyRequest(title: "【深圳】高级Java开发工程师 20-30K", limit: 5))
            #expect(reply.status == .ok)
            let c: S.Classification = try reply.decode()
            let direct = api.engine.coder.classify(title: "【深圳】高级Java开发工程师 20-30K", limit: 5)
            #expect(c.candidates.map(\.code) == direct.candidates.map(\.code))
            #expect(c.occupation?.code == "2-02-10-03")
            #expect(c.occupation?.digital == true)
            #expect(c.reading.level == 6)
            #expect(c.reading.noise.contains { $0.kind == .place })
            #expect(c.modelVersion == api.engine.model.manifest.version)
            #expect(c.threshold == api.engine.coder.configuration.threshold)
            #expect(c.candidates.count == 5)
            #expect(c.occupation?.evidence.isEmpty == false)
        }
    }

    /// A refused item names its index and field; the others are coded in order.
    @Test func aBadBatchItemDoesNotStopTheOthers() async throws {
        try await TestService.run(seed: false) { api in
            let titles = ["电工", "", "Java开发工程师", String(repeating: "长", count: 201), "急招"]
            let body = S.ClassifyBatchRequest(items: titles.map { .init(title: $0) })
            let reply = try await api.post("/v1/classify/batch", json: body)
            #expect(reply.status == .ok)
            let r: S.ClassifyBatchResult = try reply.decode()
            #expect(r.items.map(\.index) == [0, 1, 2, 3, 4])
            #expect(r.items[0].result?.occupation?.code == "6-31-01-03")
            #expect(r.items[1].error?.field == "items[1].title")
            #expect(r.items[1].error?.code == "request.invalid_field")
            #expect(r.items[2].result?.occupation?.code == "2-02-10-03")
            #expect(r.items[3].error?.field == "items[3].title")
            #expect(r.items[4].result?.occupation == nil)
            #expect(r.refused == 2 && r.coded + r.unknown == 3)
            #expect(r.unknown == r.items.filter { $0.result != nil && $0.result?.occupation == nil }.count)
        }
    }

    /// Without a post, a posting counts under the coder's occupation (`inferred`, with its
    /// confidence); with one, under the post's occupation (`given`). Requirements still come only
    /// from what the employer sent.
    @Test func postingsCarryTheirOccupation() async throws {
        try await TestService.run(seed: false) { api in
            let inferred = S.JobInput(id: "j-inferred", title: "Java后端开发工程师（急招）", requirements: [.init(competency: "prog.java", level: 5)])
            let a: S.Job = try await api.post("/v1/jobs", as: .employerA, json: inferred).decode()
            #expect(a.occupation?.code == "2-02-10-03")
            #expect(a.occupation?.source == .inferred)
            let direct = api.engine.coder.classify(title: inferred.title, limit: 1)
            #expect(abs((a.occupation?.confidence ?? -1) - (direct.occupation?.confidence ?? 1)) < 1e-6)
            #expect(a.requirements.allSatisfy { $0.sources?.contains("post") != true }, "an inferred code brings no post template")

            var given = inferred
            given.id = "j-given"
            given.postCode = "4-04-05-05"
            let b: S.Job = try await api.post("/v1/jobs", as: .employerA, json: given).decode()
            #expect(b.occupation?.code == "4-04-05-05")
            #expect(b.occupation?.source == .given)
            #expect(b.occupation?.confidence == nil)

            let unknown = S.JobInput(id: "j-unknown", title: "急招", requirements: [.init(competency: "prog.java", level: 5)])
            let c: S.Job = try await api.post("/v1/jobs", as: .employerA, json: unknown).decode()
            #expect(c.occupation == nil)
        }
    }

    /// Postings coded by another model are re-coded when the engine loads; the rest are left alone.
    @Test func aModelChangeRecodesPostings() async throws {
        try await TestService.run(seed: false) { api in
            let job = S.JobInput(id: "j-old", title: "电工（持证）", requirements: [.init(competency: "prog.java", level: 3)])
            #expect(try await api.post("/v1/jobs", as: .employerA, json: job).status == .created)
            let engine = api.engine
            _ = try await engine.store.commit { db in
                try db.execute(sql: "UPDATE job SET occupationCode = '9-99-99-99', codedWith = 'an older model' WHERE id = 'j-old'")
            }
            try await engine.recodeJobs(logger: testLogger)
            let r = try #require(try await engine.store.job(id: "j-old"))
            #expect(r.occupationCode == "6-31-01-03")
            #expect(r.codedWith == engine.modelFingerprint)
            let again = try await engine.store.recodeJobs(codedWith: engine.modelFingerprint) { _ in
                Issue.record("a current posting was re-coded")
                return .init(code: nil, source: nil, confidence: nil, codedWith: "")
            }
            #expect(again == 0)
        }
    }
}
