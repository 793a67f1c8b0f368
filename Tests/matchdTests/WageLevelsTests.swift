import Foundation
import HTTPTypes
import Testing
@testable import matchd

/// Wage levels against hand-computed percentiles and a naive grouping loop.
@Suite struct WageLevelsTests {
    /// Type-7 percentiles of 10, 20, 30, 40 (h = 3p): P10 = 13, P25 = 17.5, P50 = 25, P75 = 32.5, P90 = 37.
    @Test func handComputedPercentiles() {
        let x: [Double] = [10, 20, 30, 40]
        #expect(WageLevels.percentiles.map { WageLevels.quantile(x, $0) } == [13, 17.5, 25, 32.5, 37])
        #expect(WageLevels.quantile([7], 0.9) == 7)
    }

    @Test func midpointsAndOneBound() {
        #expect(WageLevels.Posting(occupation: "x", salaryMin: 10_000, salaryMax: 20_000).monthly == 15_000)
        #expect(WageLevels.Posting(occupation: "x", salaryMin: 8_000).monthly == 8_000)
        #expect(WageLevels.Posting(occupation: "x", salaryMax: 9_000).monthly == 9_000)
        #expect(WageLevels.Posting(occupation: "x").monthly == nil)
    }

    /// Random postings: every row equals a naive loop that filters all postings for its key and sorts them.
    @Test func groupsEqualANaiveLoop() {
        var rng = SystemRandomNumberGenerator()
        let occupations = ["2-02-10-03", "4-04-05-05", "6-31-01-03"], cities = ["北京", "上海", "杭州", "宁波", "火星", nil]
        let postings = (0..<600).map { _ in
            WageLevels.Posting(occupation: occupations.randomElement(using: &rng)!, city: cities.randomElement(using: &rng)!,
                               level: [3, 5, nil].randomElement(using: &rng)!,
                               salaryMin: Bool.random(using: &rng) ? Int.random(in: 3_000...30_000, using: &rng) : nil,
                               salaryMax: Bool.random(using: &rng) ? Int.random(in: 30_000...60_000, using: &rng) : nil)
        }
        let province: [String?: String] = ["北京": "北京", "上海": "上海", "杭州": "浙江", "宁波": "浙江"]
        for dims in [WageLevels.Dimension.standard, [.occupation], [.city, .level], [.occupation, .province], []] as [Set<WageLevels.Dimension>] {
            let table = WageLevels.table(postings, by: dims, minCount: 5)
            var keys = Set<WageLevels.Key>()
            for p in postings where p.monthly != nil {
                keys.insert(.init(occupation: dims.contains(.occupation) ? p.occupation : nil,
                                  province: dims.contains(.province) ? province[p.city] : nil, city: dims.contains(.city) ? p.city : nil,
                                  level: dims.contains(.level) ? p.level : nil))
            }
            var expected: [WageLevels.Row] = []
            var excludedGroups = 0, excludedPostings = 0
            for key in keys {
                let values = postings.filter {
                    (!dims.contains(.occupation) || $0.occupation == key.occupation) && (!dims.contains(.city) || $0.city == key.city)
                        && (!dims.contains(.province) || province[$0.city] == key.province)
                        && (!dims.contains(.level) || $0.level == key.level)
                }.compactMap(\.monthly).sorted()
                if values.count < 5 { excludedGroups += 1; excludedPostings += values.count; continue }
                // Type 7 from its 1-based definition: position 1 + (n − 1)p.
                func q(_ p: Double) -> Double {
                    let pos = 1 + Double(values.count - 1) * p
                    let j = Int(pos), g = pos - Double(j)
                    return j >= values.count ? values[values.count - 1] : values[j - 1] + g * (values[j] - values[j - 1])
                }
                expected.append(.init(key: key, count: values.count, p10: q(0.1), p25: q(0.25), p50: q(0.5), p75: q(0.75), p90: q(0.9),
                                      mean: values.reduce(0, +) / Double(values.count)))
            }
            expected.sort { $0.key < $1.key }
            #expect(table.rows.count == expected.count)
            for (a, b) in zip(table.rows, expected) {
                #expect(a.key == b.key && a.count == b.count)
                for (x, y) in [(a.p10, b.p10), (a.p25, b.p25), (a.p50, b.p50), (a.p75, b.p75), (a.p90, b.p90), (a.mean, b.mean)] {
                    #expect(abs(x - y) < 1e-6)
                }
            }
            #expect(table.excludedGroups == excludedGroups && table.excludedPostings == excludedPostings)
        }
    }

    /// Through the API: postings with given and inferred occupations, a salary-less one that does not count.
    @Test func theRouteTablesPostingsByOccupationCityAndLevel() async throws {
        try await TestService.run(seed: false) { api in
            let salaries: [(Int?, Int?)] = [(10_000, 20_000), (20_000, 30_000), (30_000, nil), (nil, 40_000)]  // 15k, 25k, 30k, 40k
            for (i, s) in salaries.enumerated() {
                let postCode: String? = i % 2 == 0 ? "2-02-10-03" : nil
                let job = S.JobInput(id: "w\(i)", title: "Java后端开发工程师", postCode: postCode, level: 5, city: "杭州",
                                     salary: S.Salary(min: s.0, max: s.1), requirements: [S.RequirementInput(competency: "prog.java", level: 5)])
                #expect(try await api.post("/v1/jobs", as: .employerA, json: job).status == .created)
            }
            let none = S.JobInput(id: "w-none", title: "Java后端开发工程师", level: 5, city: "杭州",
                                  requirements: [S.RequirementInput(competency: "prog.java", level: 5)])
            #expect(try await api.post("/v1/jobs", as: .employerA, json: none).status == .created)
            let t: S.WageTable = try await api.get("/v1/market/wages?minCount=2", as: .admin).decode()
            let row = try #require(t.items.first)
            #expect(t.items.count == 1)
            #expect(row.occupation?.code == "2-02-10-03" && row.city == "杭州" && row.level == 5 && row.count == 4)
            // 15k, 25k, 30k, 40k: h = 3p.
            #expect([row.p10, row.p25, row.p50, row.p75, row.p90] == [18_000, 22_500, 27_500, 32_500, 37_000])
            #expect(row.mean == 27_500)
            let small: S.WageTable = try await api.get("/v1/market/wages?minCount=5", as: .admin).decode()
            #expect(small.items.isEmpty && small.excluded.groups == 1 && small.excluded.postings == 4)
            let byProvince: S.WageTable = try await api.get("/v1/market/wages?minCount=2&groupBy=province", as: .admin).decode()
            #expect(byProvince.items.map(\.province) == ["浙江"] && byProvince.items.first?.occupation == nil)
            let bad = try await api.get("/v1/market/wages?minCount=0", as: .admin)
            #expect(bad.status == .badRequest)
        }
    }
}
