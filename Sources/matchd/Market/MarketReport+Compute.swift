import Embeddings
import Foundation

extension MarketReport {
    /// Computes every report from `input`.
    static func compute(_ input: MarketInput, model: CompetencyModel, latent: LatentSpace?, courseFactor: Double,
                        configuration: MarketConfiguration,
                        progress: @Sendable (Double) -> Void = { _ in }) throws -> MarketReport {
        try compute(input, previous: nil, model: model, latent: latent, courseFactor: courseFactor,
                    configuration: configuration, progress: progress).report
    }

    /// Computes every report from `input`, reusing `previous` pairs where they still hold.
    static func compute(_ input: MarketInput, previous: MarketPairs?, model: CompetencyModel, latent: LatentSpace?,
                        courseFactor: Double, configuration: MarketConfiguration,
                        progress: @Sendable (Double) -> Void = { _ in }) throws -> (report: MarketReport, pairs: MarketPairs) {
        let started = ContinuousClock.now
        let k = configuration.minCount
        let suppress = Suppression(minCount: k)

        // Areas: the cities people and postings name, as matching compares them; the postings'
        // first, so that their ids stay when only talents change.
        var areaIDs: [String: Int] = [:]
        func area(_ key: String) -> Int {
            if let a = areaIDs[key] { return a }
            areaIDs[key] = areaIDs.count
            return areaIDs.count - 1
        }
        let open = input.postings.indices.filter { input.postings[$0].isOpen }
        let postingKeys = open.map { i in
            MarketPairs.PostingKey(id: input.postings[i].id,
                                   area: input.postings[i].city.map(cityKey).flatMap { $0.isEmpty ? nil : $0 },
                                   requirements: input.postings[i].requirements!)
        }
        let postings = postingKeys.map { FitJoin.Posting(requirements: $0.requirements, area: $0.area.map(area)) }
        let people = input.talents.map { t in FitJoin.Person(capabilities: t.capabilities, areas: t.cityKeys.map(area)) }
        var join = FitJoin.Configuration()
        join.threshold = configuration.threshold
        join.nearMargin = configuration.nearMargin
        join.courseFactor = courseFactor
        join.workers = configuration.workers
        let settings = [configuration.threshold, configuration.nearMargin, courseFactor]
        let talentKeys = input.talents.map { MarketPairs.TalentKey(capabilities: $0.capabilities, cityKeys: $0.cityKeys) }

        let result: FitJoin.Result
        var reused = 0
        if let previous, previous.postings == postingKeys, previous.courses == input.courses, previous.settings == settings {
            // Score the talents added or changed; keep the others' pairs, renumbered.
            var index: [String: Int32] = [:]
            for (i, t) in input.talents.enumerated() { index[t.id] = Int32(i) }
            let changed = input.talents.indices.filter { previous.talents[input.talents[$0].id] != talentKeys[$0] }
            let keep: [Int32?] = previous.talentIDs.map { id in
                guard let i = index[id], previous.talents[id] == talentKeys[Int(i)] else { return nil }
                return i
            }
            reused = input.talents.count - changed.count
            let fresh = try FitJoin.run(people: changed.map { people[$0] }, postings: postings, courses: input.courses,
                                        model: model, latent: latent, configuration: join, progress: progress)
            var merged = fresh
            merged.ready = zip(previous.result.ready, fresh.ready).map { old, new in
                (old.compactMap { keep[Int($0)] } + new.map { Int32(changed[Int($0)]) }).sorted()
            }
            merged.near = (previous.result.near.compactMap { p -> FitJoin.NearPair? in
                keep[Int(p.person)].map { var q = p; q.person = $0; return q }
            } + fresh.near.map { var q = $0; q.person = Int32(changed[Int($0.person)]); return q })
                .sorted { ($0.person, $0.posting) < ($1.person, $1.posting) }
            merged.lifts = (previous.result.lifts.compactMap { l -> FitJoin.Lift? in
                keep[Int(l.person)].map { var m = l; m.person = $0; return m }
            } + fresh.lifts.map { var m = $0; m.person = Int32(changed[Int($0.person)]); return m })
                .sorted { ($0.person, $0.posting, $0.course) < ($1.person, $1.posting, $1.course) }
            result = merged
        } else {
            result = try FitJoin.run(people: people, postings: postings, courses: input.courses, model: model,
                                     latent: latent, configuration: join, progress: progress)
        }
        let pairs = MarketPairs(postings: postingKeys, courses: input.courses, settings: settings,
                                talents: Dictionary(zip(input.talents.map(\.id), talentKeys), uniquingKeysWith: { a, _ in a }),
                                talentIDs: input.talents.map(\.id), result: result)

        let postingPlace = input.postings.map { Place(city: $0.city) }
        let talentPlaces = input.talents.map { t in Array(Set(t.cityKeys.map { Place(city: $0) })) }
        func regions(ofTalent t: Int) -> Set<RegionKey> {
            Set([.country] + talentPlaces[t].flatMap { RegionKey.all(of: $0) })
        }
        var lifted = [Set<Int32>](repeating: [], count: open.count)
        for l in result.lifts { lifted[Int(l.posting)].insert(l.person) }

        // Cells of supply and demand.
        struct CellKey: Hashable { var region: RegionKey; var occupation: String; var band: LevelBand? }
        struct Cell { var demand = 0; var ready = Set<Int32>(); var lifted = Set<Int32>(); var seekers = Set<Int32>() }
        var cells: [CellKey: Cell] = [:]
        var uncoded = 0
        for (j, i) in open.enumerated() {
            let p = input.postings[i]
            guard let o = p.occupation else { uncoded += 1; continue }
            for r in RegionKey.all(of: postingPlace[i]) {
                for b in [LevelBand(level: p.level), nil] {
                    let key = CellKey(region: r, occupation: o, band: b)
                    cells[key, default: Cell()].demand += 1
                    cells[key]!.ready.formUnion(result.ready[j])
                    cells[key]!.lifted.formUnion(lifted[j])
                }
            }
        }
        for (t, talent) in input.talents.enumerated() {
            let rs = regions(ofTalent: t)
            for o in talent.occupations {
                for r in rs {
                    for b in [LevelBand(level: talent.level), nil] {
                        cells[CellKey(region: r, occupation: o, band: b), default: Cell()].seekers.insert(Int32(t))
                    }
                }
            }
        }
        let keys = cells.keys.sorted { ($0.region, $0.occupation, $0.band ?? .unspecified, $0.band == nil ? 0 : 1)
            < ($1.region, $1.occupation, $1.band ?? .unspecified, $1.band == nil ? 0 : 1) }
        let row = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        var actual: [[Int]] = [[], [], [], []]  // ready, oneCourse, rest, seekers
        for key in keys {
            let c = cells[key]!
            let oneCourse = c.lifted.subtracting(c.ready)
            actual[0].append(c.ready.count)
            actual[1].append(oneCourse.count)
            actual[2].append(c.seekers.subtracting(c.ready).subtracting(oneCourse).count)
            actual[3].append(c.seekers.count)
        }
        // Groups with a total: bands of a region × occupation; cities of a province; provinces of the country.
        var groups: [(total: Int, parts: [Int])] = []
        var bandParts: [CellKey: [Int]] = [:], cityParts: [CellKey: [Int]] = [:], provinceParts: [CellKey: [Int]] = [:]
        for (n, key) in keys.enumerated() {
            if key.band != nil { bandParts[CellKey(region: key.region, occupation: key.occupation, band: nil), default: []].append(n) }
            switch key.region.kind {
            case .city:
                cityParts[CellKey(region: RegionKey(kind: .province, name: key.region.province!, province: nil),
                                  occupation: key.occupation, band: key.band), default: []].append(n)
            case .province:
                provinceParts[CellKey(region: .country, occupation: key.occupation, band: key.band), default: []].append(n)
            case .country: break
            }
        }
        for parts in [bandParts, cityParts, provinceParts] {
            for (total, members) in parts { if let t = row[total] { groups.append((t, members)) } }
        }
        var published = actual.map { column in column.map { suppress.isSmall($0) ? nil : Optional($0) } }
        for m in published.indices { Suppression.complement(&published[m], actual: actual[m], groups: groups) }

        var supply: [SupplyRow] = []
        supply.reserveCapacity(keys.count)
        for (n, key) in keys.enumerated() {
            let demand = cells[key]!.demand
            let (index, bound) = shortageIndex(demand: demand, ready: published[0][n], minCount: k)
            supply.append(SupplyRow(region: key.region, occupation: key.occupation, band: key.band, demand: demand,
                                    ready: published[0][n], oneCourse: published[1][n], rest: published[2][n],
                                    seekers: published[3][n], shortageIndex: index, indexIsLowerBound: bound))
        }

        // Months.
        let months = monthStarts(ending: input.now, count: configuration.months)
        func month(of date: Date) -> Int? {
            // The last start not after `date`; `nil` before the first, `count` never (the last month is open-ended).
            guard date >= months[0] else { return nil }
            var lo = 0, hi = months.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if months[mid] <= date { lo = mid } else { hi = mid - 1 }
            }
            return lo
        }
        let m = configuration.months
        struct Series { var open: [Int]; var new: [Int]; var seekers: [Int]; var earlier = 0 }
        var series: [CellKey: Series] = [:]
        let empty = Series(open: Array(repeating: 0, count: m), new: Array(repeating: 0, count: m), seekers: Array(repeating: 0, count: m))
        for (i, p) in input.postings.enumerated() {
            guard let o = p.occupation else { continue }
            let first = month(of: p.postedAt) ?? 0
            let last = p.closedAt.map { month(of: $0) ?? -1 } ?? (m - 1)
            let posted = month(of: p.postedAt)
            guard last >= first || posted != nil else { continue }
            for r in RegionKey.all(of: postingPlace[i]) {
                let key = CellKey(region: r, occupation: o, band: nil)
                var s = series[key] ?? empty
                if last >= first { for x in first...last { s.open[x] += 1 } }
                if let posted { s.new[posted] += 1 }
                series[key] = s
            }
        }
        for key in keys where key.band == nil {
            var s = series[key] ?? empty
            for t in cells[key]!.seekers {
                if let x = month(of: input.talents[Int(t)].registeredAt) { s.seekers[x] += 1 } else { s.earlier += 1 }
            }
            series[key] = s
        }
        var trends: [TrendRow] = []
        for key in series.keys.sorted(by: { ($0.region, $0.occupation) < ($1.region, $1.occupation) }) {
            let s = series[key]!
            var cellsOfSeries: [Int?] = ([s.earlier] + s.seekers).map { suppress.isSmall($0) ? nil : $0 }
            let n = row[key]
            let total = n.flatMap { published[3][$0] }
            var withTotal = cellsOfSeries + [total]
            Suppression.complement(&withTotal, actual: [s.earlier] + s.seekers + [n.map { actual[3][$0] } ?? 0],
                                   groups: [(withTotal.count - 1, Array(0..<(withTotal.count - 1)))])
            cellsOfSeries = Array(withTotal.dropLast())
            let window = Array(s.open.suffix(12))
            let (a, b) = leastSquares(window)
            let seekersNow = n.map { actual[3][$0] } ?? 0
            let ready = n.flatMap { published[0][$0] }
            let recentFlow = s.seekers.suffix(6).reduce(0, +)
            var forecast: [TrendRow.Forecast] = []
            for (label, ahead) in [("1-3", [1, 2, 3]), ("4-6", [4, 5, 6])] {
                let x = ahead.map { Double(window.count - 1 + $0) }
                let demand = max(0, x.map { a + b * $0 }.reduce(0, +) / Double(x.count))
                let seekers = recentFlow >= k ? Int((Double(seekersNow) + Double(recentFlow) / 6 * Double(ahead.last!)).rounded()) : nil
                var index: Double?
                if let seekers, seekersNow > 0 {
                    let r = Double(ready ?? (k - 1)) * Double(seekers) / Double(seekersNow)
                    index = log((demand + 1) / (r + 1))
                }
                forecast.append(.init(monthsAhead: label, openPostings: demand, seekers: seekers, shortageIndex: index))
            }
            trends.append(TrendRow(region: key.region, occupation: key.occupation, openPostings: s.open, newPostings: s.new,
                                   newSeekers: Array(cellsOfSeries.dropFirst()), earlierSeekers: cellsOfSeries[0],
                                   slope: b, forecast: forecast))
        }

        // Competencies.
        var demanded: [RegionKey: [Int: Int]] = [:], openIn: [RegionKey: Int] = [:]
        var recent: [RegionKey: [Int: Int]] = [:], previous: [RegionKey: [Int: Int]] = [:]
        let recentStart = months[max(0, m - 3)], previousStart = months[max(0, m - 6)]
        for (i, p) in input.postings.enumerated() {
            let rs = RegionKey.all(of: postingPlace[i])
            let comps = Set(p.competencies ?? [])
            if p.isOpen {
                for r in rs {
                    openIn[r, default: 0] += 1
                    for c in comps { demanded[r, default: [:]][c, default: 0] += 1 }
                }
            }
            guard p.competencies != nil, p.postedAt >= previousStart else { continue }
            let isRecent = p.postedAt >= recentStart
            for r in rs { for c in comps { if isRecent { recent[r, default: [:]][c, default: 0] += 1 } else { previous[r, default: [:]][c, default: 0] += 1 } } }
        }
        var missing: [RegionKey: [Int: Set<Int32>]] = [:]
        for pair in result.near {
            for r in RegionKey.all(of: postingPlace[open[Int(pair.posting)]]) {
                for c in Set(pair.missing) { missing[r, default: [:]][Int(c), default: []].insert(pair.person) }
            }
        }
        var competencies: [RegionKey: CompetencyDemand] = [:]
        for r in Set(demanded.keys).union(recent.keys).union(missing.keys) {
            let total = openIn[r] ?? 0
            let d = (demanded[r] ?? [:]).map { CompetencyDemand.Demanded(index: $0.key, postings: $0.value, share: total > 0 ? Double($0.value) / Double(total) : 0) }
                .sorted { ($1.postings, $0.index) < ($0.postings, $1.index) }
            let rising = (recent[r] ?? [:]).filter { $0.value >= CompetencyDemand.risingMinimum }.map { c, n in
                let before = previous[r]?[c] ?? 0
                return CompetencyDemand.Rising(index: c, recent: n, previous: before, growth: Double(n + 1) / Double(before + 1))
            }.sorted { ($1.growth, $1.recent, $0.index) < ($0.growth, $0.recent, $1.index) }
            let miss = (missing[r] ?? [:]).map { (index: $0.key, count: $0.value.count) }
                .sorted { ($1.count, $0.index) < ($0.count, $1.index) }
                .map { CompetencyDemand.Missing(index: $0.index, talents: suppress.isSmall($0.count) ? nil : $0.count) }
            competencies[r] = CompetencyDemand(openPostings: total, demanded: d, rising: rising, missing: miss)
        }

        // Courses.
        var liftedBy: [RegionKey: [Int: (talents: Set<Int32>, postings: Set<Int32>)]] = [:]
        var byProvince: [Int: [String: Set<Int32>]] = [:]
        for l in result.lifts {
            let place = postingPlace[open[Int(l.posting)]]
            for r in RegionKey.all(of: place) {
                var entry = liftedBy[r, default: [:]][Int(l.course)] ?? ([], [])
                entry.talents.insert(l.person)
                entry.postings.insert(l.posting)
                liftedBy[r, default: [:]][Int(l.course)] = entry
            }
            byProvince[Int(l.course), default: [:]][place.province, default: []].insert(l.person)
        }
        var courses: [RegionKey: [CourseImpact]] = [:]
        for (r, list) in liftedBy {
            courses[r] = list.map { c, e in
                let total = e.talents.count
                var provinces: [(name: String, talents: Int?)] = []
                if r == .country {
                    // The provinces of a published total: complementary suppression as for supply.
                    let counts = (byProvince[c] ?? [:]).map { (name: $0.key, n: $0.value.count) }.sorted { ($1.n, $0.name) < ($0.n, $1.name) }
                    var cells: [Int?] = [suppress.isSmall(total) ? nil : total] + counts.map { suppress.isSmall($0.n) ? nil : $0.n }
                    Suppression.complement(&cells, actual: [total] + counts.map(\.n), groups: [(0, Array(1..<cells.count))])
                    provinces = zip(counts, cells.dropFirst()).map { (name: $0.name, talents: $1) }
                }
                return CourseImpact(course: c, liftedTalents: suppress.isSmall(total) ? nil : total,
                                    postings: e.postings.count, provinces: provinces)
            }.sorted { a, b in
                let x = list[a.course]!, y = list[b.course]!
                return (y.talents.count, y.postings.count, a.course) < (x.talents.count, x.postings.count, b.course)
            }
        }

        // Median wages of the last 12 months.
        var salaries: [RegionKey: [String: [Double]]] = [:]
        let wageStart = months[max(0, m - 12)]
        for (i, p) in input.postings.enumerated() where p.postedAt >= wageStart {
            guard let o = p.occupation,
                  let s = WageLevels.Posting(occupation: o, city: p.city, level: p.level, salaryMin: p.salaryMin,
                                             salaryMax: p.salaryMax).monthly else { continue }
            for r in RegionKey.all(of: postingPlace[i]) { salaries[r, default: [:]][o, default: []].append(s) }
        }
        var medianWage: [RegionKey: [String: Double]] = [:]
        for (r, byOccupation) in salaries {
            for (o, values) in byOccupation where values.count >= 5 {
                medianWage[r, default: [:]][o] = WageLevels.quantile(values.sorted(), 0.5)
            }
        }

        let labels = months.map { d -> String in
            let c = calendar.dateComponents([.year, .month], from: d)
            return String(format: "%04d-%02d", c.year!, c.month!)
        }
        // In the order the views list them, so a request filters without sorting.
        supply.sort { ($0.region, -$0.shortageIndex, $0.occupation, $0.band ?? .unspecified, $0.band == nil ? 0 : 1)
            < ($1.region, -$1.shortageIndex, $1.occupation, $1.band ?? .unspecified, $1.band == nil ? 0 : 1) }
        let report = MarketReport(revision: input.revision, computedAt: Date(), seconds: (ContinuousClock.now - started).seconds,
                            configuration: configuration, months: labels, supply: supply, trends: trends,
                            competencies: competencies, courses: courses, medianWage: medianWage,
                            courseList: input.courses, uncodedPostings: uncoded,
                            join: Join(people: people.count, openPostings: open.count,
                                       columns: result.columns,
                                       scoredPairs: result.scoredPairs, rescoredPairs: result.rescoredPairs,
                                       flops: result.flops, productSeconds: result.productSeconds,
                                       totalSeconds: result.totalSeconds, reusedPeople: reused))
        return (report, pairs)
    }

    /// The first instants of the `count` months ending with `now`'s, in Beijing time.
    static func monthStarts(ending now: Date, count: Int) -> [Date] {
        let c = calendar.dateComponents([.year, .month], from: now)
        let current = calendar.date(from: DateComponents(year: c.year, month: c.month, day: 1))!
        return (0..<count).map { calendar.date(byAdding: .month, value: $0 - (count - 1), to: current)! }
    }

    /// Intercept and slope of the least-squares line through `(x, y[x])`, `x = 0…n−1`.
    static func leastSquares(_ y: [Int]) -> (Double, Double) {
        let n = Double(y.count)
        guard y.count > 1 else { return (Double(y.first ?? 0), 0) }
        let mx = (n - 1) / 2
        let my = Double(y.reduce(0, +)) / n
        var sxy = 0.0, sxx = 0.0
        for (x, v) in y.enumerated() {
            sxy += (Double(x) - mx) * (Double(v) - my)
            sxx += (Double(x) - mx) * (Double(x) - mx)
        }
        let b = sxy / sxx
        return (my - b * mx, b)
    }
}
