import Embeddings
import Foundation
import HTTPTypes
import Testing
@testable import matchd

/// The seeker's match filters (`salaryMax`, `level`, `postCode`), each checked against the
/// postings filtered by hand, and a shortlist that strays into another employer's posting.
@Suite struct SeekerFilterTests {
    /// A posting of the filter fixture: what it states about salary, level and post.
    struct Posting: Sendable {
        var id: String
        var salary: (min: Int?, max: Int?)?
        var level: Int?
        var post: String?
    }

    /// Every posting needs Python, so seeker A (Python 6, MySQL 4) retrieves all of them; they
    /// differ in what the filters read. `2-02-38-01.cv/.nlp/.llm` are posts of occupation
    /// `2-02-38-01`, `2-02-38-03.analysis` of `2-02-38-03`.
    static let postings: [Posting] = [
        Posting(id: "f-01", salary: (8_000, 12_000), level: 3, post: "2-02-38-01"),
        Posting(id: "f-02", salary: (12_000, 18_000), level: 5, post: "2-02-38-01.cv"),
        Posting(id: "f-03", salary: (20_000, 30_000), level: 5, post: "2-02-38-01.nlp"),
        Posting(id: "f-04", salary: (16_000, nil), level: 6, post: "2-02-38-03"),
        Posting(id: "f-05", salary: (nil, 11_000), level: nil, post: "2-02-38-03.analysis"),
        Posting(id: "f-06", salary: nil, level: 5, post: nil),
        Posting(id: "f-07", salary: (30_000, 50_000), level: 7, post: "2-02-38-01.llm"),
        Posting(id: "f-08", salary: (10_000, 10_000), level: 3, post: "2-02-38-04"),
    ]

    /// The seeded posting `jA`: 15 000–25 000, no level, no post.
    static let seeded = Posting(id: TestService.jobA, salary: (15_000, 25_000), level: nil, post: nil)

    static func post(_ api: API) async throws {
        for p in postings {
            _ = try await api.createJob(S.JobInput(
                id: p.id, title: "Filter posting \(p.id)", postCode: p.post, level: p.level, city: "上海",
                salary: p.salary.map { S.Salary(min: $0.min, max: $0.max) },
                requirements: [.init(competency: "prog.python", level: 5)]))
        }
    }

    /// The ids of every match for seeker A under `query` (one page holds them all).
    static func matches(_ api: API, _ query: String) async throws -> Set<String> {
        let page: S.JobMatchPage = try await api.get("/v1/talents/tA/matches?k=100&\(query)", as: .seekerA).decode()
        #expect(page.nextCursor == nil)
        return Set(page.items.map(\.job.id))
    }

    static var all: [Posting] { postings + [seeded] }

    @Test func withoutFiltersEveryPostingMatches() async throws {
        try await TestService.run { api in
            try await Self.post(api)
            #expect(try await Self.matches(api, "") == Set(Self.all.map(\.id)))
        }
    }

    /// `salaryMax = s`: postings whose stated range starts at or below `s` (a range with only a
    /// maximum starts there); postings stating no salary are left out.
    @Test(arguments: [7_999, 8_000, 10_000, 11_000, 12_000, 15_000, 20_000, 100_000])
    func salaryMax(_ limit: Int) async throws {
        try await TestService.run { api in
            try await Self.post(api)
            let expected = Self.all.filter { p in
                guard let s = p.salary, let start = s.min ?? s.max else { return false }
                return start <= limit
            }
            #expect(try await Self.matches(api, "salaryMax=\(limit)") == Set(expected.map(\.id)), "salaryMax=\(limit)")
        }
    }

    @Test(arguments: [3, 5, 6, 7, 8])
    func level(_ level: Int) async throws {
        try await TestService.run { api in
            try await Self.post(api)
            let expected = Self.all.filter { $0.level == level }.map(\.id)
            #expect(try await Self.matches(api, "level=\(level)") == Set(expected), "level=\(level)")
        }
    }

    /// A post code selects that post; an occupation code selects every post of the occupation.
    @Test(arguments: [
        ("2-02-38-01", ["f-01", "f-02", "f-03", "f-07"]),
        ("2-02-38-01.cv", ["f-02"]),
        ("2-02-38-03", ["f-04", "f-05"]),
        ("2-02-38-03.analysis", ["f-05"]),
        ("2-02-38-04", ["f-08"]),
        ("2-02-38-04.ops", []),
    ])
    func postCode(_ code: String, _ expected: [String]) async throws {
        try await TestService.run { api in
            try await Self.post(api)
            // The hand list agrees with the model's occupations.
            let model = api.engine.model
            let byModel = Self.all.filter { p in
                guard let post = p.post else { return false }
                return post == code || model.post(id: post)?.occupation == code
            }
            #expect(Set(byModel.map(\.id)) == Set(expected))
            #expect(try await Self.matches(api, "postCode=\(encoded(code))") == Set(expected), "postCode=\(code)")
        }
    }

    @Test func filtersCombine() async throws {
        try await TestService.run { api in
            try await Self.post(api)
            #expect(try await Self.matches(api, "level=5&salaryMax=15000") == ["f-02"])
            #expect(try await Self.matches(api, "postCode=2-02-38-01&salaryMin=20000&salaryMax=30000") == ["f-03", "f-07"])
            #expect(try await Self.matches(api, "postCode=2-02-38-01&level=3&salaryMax=9000") == ["f-01"])
        }
    }

    // MARK: Shortlists

    /// A shortlist naming one of the caller's postings and another employer's is refused whole:
    /// 403, and nothing of either shortlist in the reply.
    @Test(arguments: [["jA", "jB"], ["jB", "jA"]])
    func aShortlistWithAnotherEmployersPostingIsForbidden(_ ids: [String]) async throws {
        try await TestService.run { api in
            _ = try await api.createJob(Samples.job("jB", title: "Opening B", city: "上海", requirements: [("prog.python", 5)]),
                                        as: .employerB)
            let own = try await api.post("/v1/shortlists", as: .employerA, json: S.ShortlistRequest(jobIds: ["jA"]))
            #expect(own.status == .ok && own.text.contains("\"tA\""), "\(own)")

            let mixed = try await api.post("/v1/shortlists", as: .employerA, json: S.ShortlistRequest(jobIds: ids))
            #expect(mixed.status == .forbidden, "\(mixed)")
            #expect(mixed.error?.code == ErrorCode.forbidden.rawValue)
            #expect(mixed.allKeys.isDisjoint(with: ["shortlists", "candidates", "talent", "gaps"]), "\(mixed)")
            #expect(!mixed.text.contains("\"tA\""), "\(mixed)")
        }
    }
}
