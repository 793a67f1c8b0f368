import Embeddings
import Foundation
import HTTPTypes
import TestSupport
import Testing
@testable import matchd

/// The employer's what-if against a recount with `Fit.score` on every changed posting, and the
/// dates postings and profiles carry into the market view.
@Suite struct RelaxationsAndDatesTests {
    /// Python 6 (weight 0.6) and MySQL 4 (0.4), threshold 0.7; people by hand:
    /// - A: Python 6, MySQL 4 → 1.0, qualified already;
    /// - B: Python 5, MySQL 4 → 0.6·5/6 + 0.4 = 0.9, qualified;
    /// - C: Python 3, MySQL 4 → 0.6·0.5 + 0.4 = 0.7, qualified (exactly at the threshold);
    /// - D: Python 6 only → 0.6; MySQL lowered to 1…3 keeps D at 0.6; MySQL dropped → 1.0;
    /// - E: MySQL 4 only → 0.4; Python dropped → 1.0.
    @Test func eachOptionCountsWhatFitScoreSays() async throws {
        let model = try await SharedModel.value.model
        func need(_ items: [(String, Int, Double)]) -> RequirementProfile {
            RequirementProfile(entries: items.map { .init(competency: $0.0, index: model.index(ofCompetency: $0.0)!, level: $0.1, weight: $0.2) })
        }
        func have(_ items: [(String, Double)]) -> CapabilityProfile {
            CapabilityProfile(entries: items.map { .init(competency: $0.0, index: model.index(ofCompetency: $0.0)!, level: $0.1) })
        }
        let posting = need([("prog.python", 6, 0.6), ("data.mysql", 4, 0.4)])
        let people = [have([("prog.python", 6), ("data.mysql", 4)]), have([("prog.python", 5), ("data.mysql", 4)]),
                      have([("prog.python", 3), ("data.mysql", 4)]), have([("prog.python", 6)]), have([("data.mysql", 4)])]
        let (qualified, items) = Relaxations.count(people: people, need: posting, threshold: 0.7, latent: nil)
        #expect(qualified == 3)
        #expect(items.map(\.requirement.competency) == ["prog.python", "data.mysql"])
        let python = items[0].options, mysql = items[1].options
        #expect(python.map(\.level) == [5, 4, 3, 2, 1, nil] && mysql.map(\.level) == [3, 2, 1, nil])
        // Python dropped: only MySQL counts (weight 1) → A, B, C, E qualify; D does not.
        #expect(python.last!.qualified == 4)
        // MySQL dropped: Python alone → A 1, B 5/6, C 0.5, D 1 → A, B, D.
        #expect(mysql.last!.qualified == 3)
        // Python lowered to 3: C covers it fully (1.0), D unchanged (0.6), E 0.4 → 3 qualified.
        #expect(python.first { $0.level == 3 }!.qualified == 3)
        // Python lowered to 1: E still 0.4 (no Python) → 3.
        #expect(python.first { $0.level == 1 }!.qualified == 3)

        // The same against a recount with latent credit on a larger sample.
        let shared = try await SharedModel.value
        var rng = SplitMix64(seed: 3)
        let ids = ["prog.python", "data.mysql", "prog.java", "data.sql", "prog.golang", "ai.pytorch"]
        let sample = (0..<120).map { _ in
            have(ids.filter { _ in rng.next() % 2 == 0 }.map { ($0, Double(1 + rng.next() % 8)) })
        }
        let big = need([("prog.python", 6, 0.3), ("data.sql", 5, 0.3), ("prog.java", 4, 0.2), ("ai.pytorch", 3, 0.2)])
        let (_, options) = Relaxations.count(people: sample, need: big, threshold: 0.6, latent: shared.latent)
        for item in options {
            let k = big.entries.firstIndex { $0.competency == item.requirement.competency }!
            for option in item.options {
                var changed = big
                if let level = option.level {
                    changed.entries[k].level = level
                } else {
                    let w = changed.entries.remove(at: k).weight
                    for j in changed.entries.indices { changed.entries[j].weight /= 1 - w }
                }
                let expected = sample.filter { Fit.score(have: $0, need: changed, latent: shared.latent) >= 0.6 }.count
                #expect(option.qualified == expected, "\(item.requirement.competency) → \(String(describing: option.level))")
            }
        }
    }

    @Test func postingsAndProfilesKeepTheirDatesAndRefuseImpossibleOnes() async throws {
        try await TestService.run { api in
            let posted = "2026-03-01T08:00:00Z", closed = "2026-04-15T08:00:00Z"
            let created = try await api.send(.post, "/v1/jobs", as: .employerA, raw:
                #"{"title":"数据分析师","city":"杭州","postedAt":"\#(posted)","closedAt":"\#(closed)"}"#)
            #expect(created.status == .created, "\(created)")
            let job: S.Job = try created.decode()
            #expect(job.status == .closed && job.createdAt == ISO8601DateFormatter().date(from: posted)
                    && job.closedAt == ISO8601DateFormatter().date(from: closed))

            let backwards = try await api.send(.post, "/v1/jobs", as: .employerA, raw:
                #"{"title":"数据分析师","postedAt":"\#(closed)","closedAt":"\#(posted)"}"#)
            #expect(backwards.status == .unprocessableContent && backwards.error?.field == "closedAt", "\(backwards)")
            let future = try await api.send(.post, "/v1/jobs", as: .employerA, raw: #"{"title":"数据分析师","postedAt":"2099-01-01T00:00:00Z"}"#)
            #expect(future.status == .unprocessableContent && future.error?.field == "postedAt", "\(future)")
            let talent = try await api.send(.post, "/v1/talents", as: .admin, raw:
                #"{"displayName":"X","registeredAt":"2099-01-01T00:00:00Z","profile":{}}"#)
            #expect(talent.status == .unprocessableContent && talent.error?.field == "registeredAt", "\(talent)")

            // Closing a posting records when.
            let before = Date()
            let closing = try await api.send(.post, "/v1/jobs/\(TestService.jobA)/close", as: .employerA)
            let closedJob: S.Job = try closing.decode()
            #expect(closedJob.closedAt.map { $0 >= before.addingTimeInterval(-1) } == true)

            let registered = try await api.send(.post, "/v1/talents", as: .admin, raw:
                #"{"id":"t-dated","displayName":"Dated","registeredAt":"2025-09-09T00:00:00Z","profile":{}}"#)
            let t: S.Talent = try registered.decode()
            #expect(t.createdAt == ISO8601DateFormatter().date(from: "2025-09-09T00:00:00Z"))
        }
    }
}
