import Embeddings
import Foundation
import HTTPTypes
import Testing
@testable import matchd

/// The market reports against naive loops over the same input: every supply cell, series,
/// competency list, course impact and median recomputed pair by pair with `Fit.score`.
@Suite struct MarketReportTests {
    /// A fixed end of history, so that months do not move with the clock.
    static let now = ISO8601DateFormatter().date(from: "2026-11-20T04:00:00Z")!

    /// A small demo store (the demo generator's data, dated up to `now`).
    static func demo(_ engine: Engine, talents: Int, jobs: Int, employers: Int = 12, seed: UInt64 = 5) async throws {
        var generator = DemoGenerator(model: engine.model, seed: seed, now: now)
        let companies = generator.employers(count: employers)
        for c in companies { try await engine.createEmployer(id: c.id, name: c.name) }
        _ = try await engine.upsertJobs((0..<jobs).map { generator.job(index: $0, employerID: companies[$0 % employers].id) })
        _ = try await engine.upsertTalents((0..<talents).map { generator.talent(index: $0) })
    }

    static func input(_ engine: Engine, courses: Int) async throws -> MarketInput {
        var input = try await engine.marketInput(now: now)
        input.courses = Array(input.courses.prefix(courses))
        return input
    }

    static func compute(_ engine: Engine, _ input: MarketInput, minCount: Int, threshold: Double = 0.7) throws -> MarketReport {
        var configuration = MarketConfiguration()
        configuration.minCount = minCount
        configuration.threshold = threshold
        return try MarketReport.compute(input, model: engine.model, latent: engine.latent,
                                        courseFactor: engine.vectorizer.configuration.courseFactor, configuration: configuration)
    }

    // MARK: The naive reading of the documented definitions

    struct Naive {
        var cells: [String: (demand: Int, ready: Int, oneCourse: Int, rest: Int, seekers: Int)] = [:]
        var open: [String: [Int]] = [:]
        var new: [String: [Int]] = [:]
        var demanded: [RegionKey: [Int: Int]] = [:]
        var lifted: [RegionKey: [Int: Int]] = [:]
        var median: [RegionKey: [String: Double]] = [:]
    }

    static func key(_ r: RegionKey, _ o: String, _ b: LevelBand?) -> String { "\(r.kind)|\(r.name)|\(o)|\(b?.rawValue ?? "total")" }

    static func naive(_ input: MarketInput, engine: Engine, threshold: Double = 0.7) -> Naive {
        let latent = engine.latent
        let factor = engine.vectorizer.configuration.courseFactor
        var out = Naive()
        func regions(_ city: String?) -> [RegionKey] {
            let p = Place(city: city)
            return [.country, RegionKey(kind: .province, name: p.province, province: nil),
                    RegionKey(kind: .city, name: p.city, province: p.province)]
        }
        func canTake(_ t: MarketInput.Talent, _ p: MarketInput.Posting) -> Bool {
            guard let city = p.city.map(cityKey), !city.isEmpty else { return true }
            return t.cityKeys.isEmpty || t.cityKeys.contains(city)
        }
        func after(_ have: CapabilityProfile, _ course: Course) -> CapabilityProfile {
            var out = have
            for t in course.teaches {
                guard let i = engine.model.index(ofCompetency: t.competency) else { continue }
                if let k = out.entries.firstIndex(where: { $0.index == i }) {
                    out.entries[k].level = max(out.entries[k].level, factor * Double(t.level))
                } else {
                    out.entries.append(.init(competency: t.competency, index: i, level: factor * Double(t.level)))
                }
            }
            return out
        }
        // Pairs.
        var readyFor: [Int: Set<Int>] = [:], liftedFor: [Int: Set<Int>] = [:]
        var courseTalents: [RegionKey: [Int: Set<Int>]] = [:]
        for (j, p) in input.postings.enumerated() where p.isOpen {
            for (t, talent) in input.talents.enumerated() where canTake(talent, p) {
                let fit = Fit.score(have: talent.capabilities, need: p.requirements!, latent: latent)
                if fit >= threshold { readyFor[j, default: []].insert(t); continue }
                var levels: [String: Double] = [:]
                for e in talent.capabilities.entries { levels[e.competency] = max(levels[e.competency] ?? 0, e.level) }
                for (k, c) in input.courses.enumerated() where CoursePlanner.canFollow(c, levels) {
                    if Fit.score(have: after(talent.capabilities, c), need: p.requirements!, latent: latent) >= threshold {
                        liftedFor[j, default: []].insert(t)
                        for r in regions(p.city) { courseTalents[r, default: [:]][k, default: []].insert(t) }
                    }
                }
            }
        }
        out.lifted = courseTalents.mapValues { $0.mapValues(\.count) }
        // Cells: every region × occupation × band a posting or a seeker names.
        var keys: Set<String> = []
        var parts: [String: (RegionKey, String, LevelBand?)] = [:]
        for p in input.postings where p.isOpen {
            guard let o = p.occupation else { continue }
            for r in regions(p.city) { for b in [LevelBand(level: p.level), nil] { let k = key(r, o, b); keys.insert(k); parts[k] = (r, o, b) } }
        }
        for t in input.talents {
            let rs = Set([RegionKey.country] + t.cityKeys.flatMap { regions($0) })
            for o in t.occupations { for r in rs { for b in [LevelBand(level: t.level), nil] { let k = key(r, o, b); keys.insert(k); parts[k] = (r, o, b) } } }
        }
        for k in keys {
            let (r, o, b) = parts[k]!
            let inCell = input.postings.indices.filter { j in
                let p = input.postings[j]
                return p.isOpen && p.occupation == o && regions(p.city).contains(r) && (b == nil || LevelBand(level: p.level) == b)
            }
            let ready = Set(inCell.flatMap { readyFor[$0] ?? [] })
            let lifted = Set(inCell.flatMap { liftedFor[$0] ?? [] }).subtracting(ready)
            let seekers = Set(input.talents.indices.filter { t in
                let talent = input.talents[t]
                let rs = Set([RegionKey.country] + talent.cityKeys.flatMap { regions($0) })
                return talent.occupations.contains(o) && rs.contains(r) && (b == nil || LevelBand(level: talent.level) == b)
            })
            out.cells[k] = (inCell.count, ready.count, lifted.count, seekers.subtracting(ready).subtracting(lifted).count, seekers.count)
        }
        // Months: open at any time in the month, and posted in it (Beijing time).
        let starts = MarketReport.monthStarts(ending: input.now, count: 18)
        for p in input.postings {
            guard let o = p.occupation else { continue }
            for r in regions(p.city) {
                let k = key(r, o, nil)
                var open = out.open[k] ?? Array(repeating: 0, count: 18), new = out.new[k] ?? Array(repeating: 0, count: 18)
                for m in 0..<18 {
                    let end = m + 1 < 18 ? starts[m + 1] : Date.distantFuture
                    if p.postedAt < end && (p.closedAt == nil || p.closedAt! >= starts[m]) { open[m] += 1 }
                    if p.postedAt >= starts[m] && p.postedAt < end { new[m] += 1 }
                }
                out.open[k] = open
                out.new[k] = new
            }
        }
        // Competencies demanded by open postings; medians of the last 12 months.
        var salaries: [RegionKey: [String: [Double]]] = [:]
        for p in input.postings {
            for r in regions(p.city) {
                if p.isOpen { for c in Set(p.requirements!.entries.map(\.index)) { out.demanded[r, default: [:]][c, default: 0] += 1 } }
                if p.postedAt >= starts[6], let o = p.occupation {
                    let s: Double? = switch (p.salaryMin, p.salaryMax) {
                    case let (a?, b?): Double(a + b) / 2
                    case let (a?, nil): Double(a)
                    case let (nil, b?): Double(b)
                    default: nil
                    }
                    if let s { salaries[r, default: [:]][o, default: []].append(s) }
                }
            }
        }
        for (r, byO) in salaries {
            for (o, v) in byO where v.count >= 5 {
                let x = v.sorted()
                let h = Double(x.count - 1) * 0.5
                let lo = Int(h)
                out.median[r, default: [:]][o] = x[lo] + (h - Double(lo)) * (x[min(lo + 1, x.count - 1)] - x[lo])
            }
        }
        return out
    }

    @Test func everyReportEqualsANaiveLoopOnASmallDemo() async throws {
        try await TestService.run(seed: false) { api in
            let engine = api.service.engine
            try await Self.demo(engine, talents: 160, jobs: 110)
            let input = try await Self.input(engine, courses: 60)
            // A lower threshold than the default, so that a store this small has ready talents too.
            let report = try Self.compute(engine, input, minCount: 1, threshold: 0.5)
            let naive = Self.naive(input, engine: engine, threshold: 0.5)

            #expect(report.supply.count == naive.cells.count)
            for row in report.supply {
                let k = Self.key(row.region, row.occupation, row.band)
                guard let n = naive.cells[k] else { Issue.record("no naive cell \(k)"); continue }
                #expect(row.demand == n.demand && row.ready == n.ready && row.oneCourse == n.oneCourse
                        && row.rest == n.rest && row.seekers == n.seekers, "\(k): \(row.demand) \(String(describing: row.ready)) \(String(describing: row.oneCourse)) \(String(describing: row.rest)) \(String(describing: row.seekers)) vs \(n)")
                #expect(abs(row.shortageIndex - log(Double(n.demand + 1) / Double(n.ready + 1))) < 1e-12)
            }
            // The demo is one where the answers are not trivial.
            #expect(report.supply.contains { ($0.ready ?? 0) > 0 })
            #expect(report.supply.contains { ($0.oneCourse ?? 0) > 0 })
            #expect(report.supply.contains { $0.demand > 0 && $0.ready == 0 })

            for t in report.trends {
                let k = Self.key(t.region, t.occupation, nil)
                #expect(t.openPostings == naive.open[k] ?? Array(repeating: 0, count: 18), "open postings of \(k)")
                #expect(t.newPostings == naive.new[k] ?? Array(repeating: 0, count: 18), "new postings of \(k)")
                let (_, slope) = MarketReport.leastSquares(Array(t.openPostings.suffix(12)))
                #expect(t.slope == slope)
            }
            // Every region × occupation with postings has a series (and those of seekers only, with none).
            let missingSeries = Set(naive.open.keys).subtracting(report.trends.map { Self.key($0.region, $0.occupation, nil) })
            #expect(missingSeries.isEmpty, "\(missingSeries.count) series missing, e.g. \(missingSeries.prefix(3))")

            for (r, d) in report.competencies where !d.demanded.isEmpty {
                #expect(Dictionary(uniqueKeysWithValues: d.demanded.map { ($0.index, $0.postings) }) == naive.demanded[r] ?? [:], "\(r)")
            }
            for (r, list) in report.courses {
                #expect(Dictionary(uniqueKeysWithValues: list.map { ($0.course, $0.liftedTalents!) }) == naive.lifted[r] ?? [:], "\(r)")
            }
            #expect(Set(report.courses.keys) == Set(naive.lifted.keys))
            #expect(report.medianWage == naive.median)
        }
    }

    /// Published counts: none of 1…minCount−1 people, no group (bands of a row, cities of a
    /// province, provinces of the country, months of a series) with exactly one suppressed count
    /// beside a published total, and an index that says nothing about a suppressed ready count.
    @Test func smallCountsAreSuppressedWithTheirComplements() async throws {
        try await TestService.run(seed: false) { api in
            let engine = api.service.engine
            try await Self.demo(engine, talents: 160, jobs: 110)
            let input = try await Self.input(engine, courses: 40)
            let k = 10
            let report = try Self.compute(engine, input, minCount: k)
            let full = try Self.compute(engine, input, minCount: 1)
            var suppressedSomewhere = false
            let truthOf = Dictionary(uniqueKeysWithValues: full.supply.map { (Self.key($0.region, $0.occupation, $0.band), $0) })
            #expect(report.supply.count == full.supply.count)
            for row in report.supply {
                let truth = truthOf[Self.key(row.region, row.occupation, row.band)]!
                for (shown, actual) in [(row.ready, truth.ready!), (row.oneCourse, truth.oneCourse!), (row.rest, truth.rest!),
                                        (row.seekers, truth.seekers!)] {
                    if let shown { #expect(shown == actual && !(1..<k).contains(shown)) } else { suppressedSomewhere = true }
                    if shown == nil { #expect(actual > 0, "a zero is published") }
                }
                if row.ready == nil {
                    #expect(row.indexIsLowerBound && row.shortageIndex == log(Double(row.demand + 1) / Double(k)))
                }
            }
            #expect(suppressedSomewhere)
            // Differencing: total − published parts never isolates one suppressed count.
            func value(_ r: SupplyRow, _ m: Int) -> Int?? {
                [r.ready, r.oneCourse, r.rest, r.seekers][m]
            }
            let byKey = Dictionary(uniqueKeysWithValues: report.supply.map { (Self.key($0.region, $0.occupation, $0.band), $0) })
            for total in report.supply {
                var parts: [SupplyRow] = []
                if total.band == nil {
                    parts = LevelBand.allCases.compactMap { byKey[Self.key(total.region, total.occupation, $0)] }
                    checkGroup(total, parts)
                }
                if total.region.kind == .province {
                    parts = report.supply.filter { $0.region.kind == .city && $0.region.province == total.region.name
                        && $0.occupation == total.occupation && $0.band == total.band }
                    checkGroup(total, parts)
                }
                if total.region.kind == .country {
                    parts = report.supply.filter { $0.region.kind == .province && $0.occupation == total.occupation && $0.band == total.band }
                    checkGroup(total, parts)
                }
            }
            func checkGroup(_ total: SupplyRow, _ parts: [SupplyRow]) {
                for m in 0..<4 where value(total, m)! != nil {
                    let hidden = parts.filter { value($0, m)! == nil }
                    #expect(hidden.count != 1, "\(total.region.name) \(total.occupation) count \(m): one suppressed part")
                }
            }
            for impact in report.courses[.country] ?? [] where impact.liftedTalents != nil {
                let hidden = impact.provinces.filter { $0.talents == nil }.count
                #expect(hidden != 1, "course \(impact.course): one suppressed province beside a published total")
                for p in impact.provinces { if let n = p.talents { #expect(!(1..<k).contains(n)) } }
            }
            for t in report.trends {
                guard let row = byKey[Self.key(t.region, t.occupation, nil)], row.seekers != nil else { continue }
                let cells = [t.earlierSeekers] + t.newSeekers
                for c in cells { if let c { #expect(!(1..<k).contains(c)) } }
                #expect(cells.filter { $0 == nil }.count != 1, "series \(t.region.name) \(t.occupation)")
            }
        }
    }

    /// The attack in so many words: one ready talent in 宁波 and twelve in 杭州, both 浙江. The
    /// province's count and 杭州's would give 宁波's by subtraction; 杭州's is suppressed with it.
    @Test func aLoneTalentCannotBeFoundByDifferencingTwoQueries() async throws {
        try await TestService.run(seed: false) { api in
            let engine = api.service.engine
            try await engine.createEmployer(id: "emp-z", name: "Z")
            let admin = Identity(role: .admin, keyID: "test")
            for (i, city) in ["杭州", "宁波"].enumerated() {
                _ = try await engine.createJob(JobDraft(id: "j\(i)", employerId: "emp-z", title: "Python开发工程师", city: city,
                                                        requirements: [RequirementInput(competency: "prog.python", level: 5)]),
                                               by: admin)
            }
            for n in 0..<13 {
                _ = try await engine.createTalent(TalentDraft(id: "t\(n)", displayName: "T\(n)", city: n == 0 ? "宁波" : "杭州",
                                                              searchable: true,
                                                              profile: ProfileInput(skills: [SkillInput(competency: "prog.python", level: 6, verified: true)])),
                                                  by: admin)
            }
            let report = try Self.compute(engine, try await engine.marketInput(now: Self.now), minCount: 10)
            let views = MarketViews(report: report, model: engine.model, storeRevision: report.revision)
            let province = views.supply(kind: .province, region: RegionKey(kind: .province, name: "浙江"), occupation: nil, band: .total, digital: nil)
            let cities = views.supply(kind: .city, region: nil, occupation: nil, band: .total, digital: nil)
            #expect(province.count == 1 && province[0].ready == 13)
            let hangzhou = cities.first { $0.region.name == "杭州" }!, ningbo = cities.first { $0.region.name == "宁波" }!
            #expect(ningbo.ready == nil && hangzhou.ready == nil, "杭州 \(String(describing: hangzhou.ready)), 宁波 \(String(describing: ningbo.ready))")
            #expect(hangzhou.suppressed.contains(.ready))
        }
    }

    @Test func theDemoSpreadsOverRegionsMonthsAndClosings() throws {
        let model = try CompetencyModel.load(from: MatchdConfig.bundledModel)
        var g = DemoGenerator(model: model, seed: 3, now: Self.now)
        let jobs = (0..<3000).map { g.job(index: $0, employerID: "e") }
        let places = Set(jobs.map { Place(city: $0.city) })
        #expect(places.count >= 30 && Set(places.map(\.province)).count >= 10)
        let months = MarketReport.monthStarts(ending: Self.now, count: 18)
        let postedMonths = Set(jobs.map { j in months.lastIndex { $0 <= j.postedAt! } ?? -1 })
        #expect(postedMonths == Set(0..<18))
        #expect(jobs.allSatisfy { $0.postedAt! <= Self.now && ($0.closedAt.map { $0 >= $0 && $0 <= Self.now } ?? true) })
        let closed = jobs.filter { $0.closedAt != nil }.count
        #expect(closed > 600 && closed < 2400)
        // Rising posts: their share of the postings of the last six months is well above that of the first six.
        let rising = Set(model.posts.indices.filter(DemoGenerator.isRising).map { model.posts[$0].id })
        func share(_ range: Range<Int>) -> Double {
            let inRange = jobs.filter { j in range.contains(months.lastIndex { $0 <= j.postedAt! }!) }
            let named = inRange.compactMap(\.postCode)
            return Double(named.filter(rising.contains).count) / Double(max(named.count, 1))
        }
        #expect(share(12..<18) > 2 * share(0..<6))
        // Salaries by city tier: tier-1 medians above tier-3 at the same level.
        func median(_ tier: Int) -> Double {
            let s = jobs.filter { ($0.level ?? 0) == 5 && Regions.region(ofCity: $0.city!)?.tier == tier }
                .map { Double($0.salaryMin! + $0.salaryMax!) / 2 }.sorted()
            return s[s.count / 2]
        }
        #expect(median(1) > median(3) * 1.2)
    }

    /// The routes: JSON and CSV from the same rows, and bad parameters refused by name.
    @Test func theRoutesServeJSONAndCSVAndRefuseBadParameters() async throws {
        try await TestService.run(seed: false) { api in
            try await Self.demo(api.service.engine, talents: 60, jobs: 40)
            let json = try await api.get("/v1/market/shortages?regionKind=country", as: .admin)
            #expect(json.status == .ok, "\(json)")
            let list: S.ShortageList = try json.decode()
            let csv = try await api.get("/v1/market/shortages?regionKind=country&format=csv", as: .admin)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let text = String(decoding: csv.body, as: UTF8.self)
            #expect(text.hasPrefix("\u{FEFF}序号,职业编码,职业名称,紧缺程度"))
            #expect(text.split(separator: "\r\n").count == list.items.count + 1)
            let supply: S.SupplyTable = try await api.get("/v1/market/supply?regionKind=city&band=each&limit=3&offset=1", as: .admin).decode()
            #expect(supply.items.count <= 3 && supply.items.allSatisfy { $0.band != .total && $0.region.kind == .city })
            let status: S.MarketStatus = try await api.get("/v1/market/status", as: .admin).decode()
            #expect(status.revision == status.storeRevision && status.state == .idle)
            for (uri, field) in [("/v1/market/supply?limit=0", "limit"), ("/v1/market/supply?offset=-1", "offset"),
                                 ("/v1/market/trends?limit=-3", "limit"), ("/v1/market/courses?limit=100000", "limit"),
                                 ("/v1/market/competencies?limit=0", "limit"), ("/v1/market/shortages?limit=0", "limit"),
                                 ("/v1/market/supply?region=" + String(repeating: "x", count: 65), "region"),
                                 ("/v1/jobs/job-00001/relaxations?threshold=2", "threshold")] {
                let r = try await api.get(uri, as: .admin)
                #expect(r.status == .badRequest && r.error?.field == field, "\(uri): \(r)")
            }
            // A well-formed code the model does not have fits the document: 422.
            let unknown = try await api.get("/v1/market/supply?occupation=9-99-99-99", as: .admin)
            #expect(unknown.status == .unprocessableContent && unknown.error?.field == "occupation", "\(unknown)")
        }
    }

    /// A computation that reuses the previous pairs (only talents changed) equals one from scratch.
    @Test func reusingThePairsOfUnchangedTalentsEqualsAFullComputation() async throws {
        try await TestService.run(seed: false) { api in
            let engine = api.service.engine
            try await Self.demo(engine, talents: 160, jobs: 110)
            var configuration = MarketConfiguration()
            configuration.threshold = 0.5
            func compute(_ input: MarketInput, _ previous: MarketPairs?) throws -> (report: MarketReport, pairs: MarketPairs) {
                try MarketReport.compute(input, previous: previous, model: engine.model, latent: engine.latent,
                                         courseFactor: engine.vectorizer.configuration.courseFactor, configuration: configuration)
            }
            let first = try compute(try await Self.input(engine, courses: 40), nil)
            // Five profiles rewritten, three added, one deleted.
            var other = DemoGenerator(model: engine.model, seed: 99, now: Self.now)
            _ = try await engine.upsertTalents((0..<5).map { other.talent(index: $0) } + (160..<163).map { other.talent(index: $0) })
            try await engine.deleteTalent(id: "t-00007")
            let input = try await Self.input(engine, courses: 40)
            let reused = try compute(input, first.pairs)
            let full = try compute(input, nil)
            #expect(reused.report.join.reusedPeople > 100 && full.report.join.reusedPeople == 0)
            #expect(reused.report.supply == full.report.supply)
            #expect(reused.report.trends == full.report.trends)
            #expect(reused.report.competencies == full.report.competencies)
            #expect(reused.report.courses == full.report.courses)
            #expect(reused.pairs.result.ready == full.pairs.result.ready && reused.pairs.result.lifts == full.pairs.result.lifts)
            // Near pairs carry the product's fit, whose rounding depends on the product's shape.
            #expect(reused.pairs.result.near.map { [$0.person, $0.posting] + $0.missing }
                    == full.pairs.result.near.map { [$0.person, $0.posting] + $0.missing })
            #expect(zip(reused.pairs.result.near, full.pairs.result.near).allSatisfy { abs($0.fit - $1.fit) <= 1e-4 })
            // A posting changed: nothing is reused.
            _ = try await engine.closeJob(id: input.postings.first { $0.isOpen }!.id, by: Identity(role: .admin, keyID: "test"))
            let after = try compute(try await Self.input(engine, courses: 40), reused.pairs)
            #expect(after.report.join.reusedPeople == 0)
        }
    }
}

