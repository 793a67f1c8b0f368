import Embeddings
import Foundation

/// The selections the market endpoints and `matchd market` make from a `MarketReport`, in the
/// shapes of `openapi.yaml`. One place, so the API and the CLI answer alike.
struct MarketViews {
    let report: MarketReport
    let model: CompetencyModel
    let storeRevision: Int64

    /// A region as a query names it: a province without 省/市/自治区, a city as `Regions` names it
    /// ("杭州市" and "浙江杭州" are 杭州), else as written.
    static func region(kind: RegionKind, name: String?) -> RegionKey? {
        guard let name = name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            return kind == .country ? .country : nil
        }
        switch kind {
        case .country: return .country
        case .province:
            var n = Substring(name)
            for suffix in ["省", "市", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区"] where n.hasSuffix(suffix) && n.count > suffix.count {
                n = n.dropLast(suffix.count)
            }
            return RegionKey(kind: .province, name: String(n), province: nil)
        case .city:
            let place = Place(city: name)
            return RegionKey(kind: .city, name: place.city, province: place.province)
        }
    }

    var meta: S.MarketMeta {
        S.MarketMeta(revision: Int(report.revision), storeRevision: Int(storeRevision), stale: storeRevision != report.revision,
                     computedAt: report.computedAt, threshold: report.configuration.threshold,
                     minCount: report.configuration.minCount)
    }

    func region(_ r: RegionKey) -> S.MarketRegion {
        S.MarketRegion(kind: .init(rawValue: r.kind.rawValue)!, name: r.name, province: r.province)
    }

    func occupation(_ code: String) -> S.OccupationRef {
        let label = model.occupationLabel(code: code)
        return S.OccupationRef(code: code, name: label.name, digital: label.digital)
    }

    func competency(_ index: Int) -> S.CompetencyRef {
        let c = model.competencies[index]
        return S.CompetencyRef(id: c.id, name: S.LocalizedText(zh: c.name.zh, en: c.name.en))
    }

    func isDigital(_ code: String) -> Bool { model.occupationLabel(code: code).digital }

    // MARK: Supply

    enum BandSelection: Equatable { case total, each, one(LevelBand) }

    /// Rows of `kind` (one region when named), in the report's order: by region, shortage index
    /// (largest first), code.
    func supply(kind: RegionKind, region: RegionKey?, occupation: String?, band: BandSelection, digital: Bool?) -> [S.SupplyRow] {
        report.supply.filter { row in
            row.region.kind == kind && (region == nil || row.region == region)
                && (occupation == nil || row.occupation == occupation)
                && (digital == nil || isDigital(row.occupation) == digital)
                && {
                    switch band {
                    case .total: row.band == nil
                    case .each: row.band != nil
                    case .one(let b): row.band == b
                    }
                }()
        }
        .map(supplyRow)
    }

    func supplyRow(_ r: SupplyRow) -> S.SupplyRow {
        var suppressed: [S.SupplyRow.SuppressedPayloadPayload] = []
        if r.ready == nil { suppressed.append(.ready) }
        if r.oneCourse == nil { suppressed.append(.oneCourse) }
        if r.rest == nil { suppressed.append(.rest) }
        if r.seekers == nil { suppressed.append(.seekers) }
        return S.SupplyRow(region: region(r.region), occupation: occupation(r.occupation),
                           band: .init(rawValue: r.band?.rawValue ?? "total")!, demand: r.demand, ready: r.ready,
                           oneCourse: r.oneCourse, rest: r.rest, seekers: r.seekers, shortageIndex: r.shortageIndex,
                           indexIsLowerBound: r.indexIsLowerBound, suppressed: suppressed)
    }

    // MARK: Trends

    func trends(kind: RegionKind, region: RegionKey?, occupation: String?, digital: Bool?) -> [S.TrendRow] {
        report.trends.filter { t in
            t.region.kind == kind && (region == nil || t.region == region) && (occupation == nil || t.occupation == occupation)
                && (digital == nil || isDigital(t.occupation) == digital)
        }.map { t in
            S.TrendRow(region: self.region(t.region), occupation: self.occupation(t.occupation), openPostings: t.openPostings,
                       newPostings: t.newPostings, newSeekers: t.newSeekers, earlierSeekers: t.earlierSeekers, slope: t.slope,
                       forecast: t.forecast.map {
                           .init(monthsAhead: .init(rawValue: $0.monthsAhead)!, openPostings: $0.openPostings, seekers: $0.seekers,
                                 shortageIndex: $0.shortageIndex)
                       })
        }
    }

    // MARK: Shortages

    /// The degree (紧缺程度) of a shortage index: four or more postings per ready talent is acute,
    /// two or more serious; `nil` at or below balance.
    static func degree(_ index: Double) -> S.ShortageEntry.DegreePayload? {
        if index >= log(4) { return .acute }
        if index >= log(2) { return .serious }
        if index > 0 { return .shortage }
        return nil
    }

    func shortages(region r: RegionKey, digital: Bool?) -> [S.ShortageEntry] {
        let trend = Dictionary(report.trends.filter { $0.region == r }.map { ($0.occupation, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = report.supply.filter { $0.region == r && $0.band == nil && $0.demand > 0 }
            .filter { digital == nil || isDigital($0.occupation) == digital }
            .compactMap { row in Self.degree(row.shortageIndex).map { (row, $0) } }
            .sorted { ($1.0.shortageIndex, $1.0.demand, $0.0.occupation) < ($0.0.shortageIndex, $0.0.demand, $1.0.occupation) }
        return rows.enumerated().map { n, pair in
            let (row, degree) = pair
            let t = trend[row.occupation]
            return S.ShortageEntry(rank: n + 1, occupation: occupation(row.occupation), degree: degree, demand: row.demand,
                                   ready: row.ready, oneCourse: row.oneCourse, seekers: row.seekers,
                                   jobsPerSeeker: row.seekers.flatMap { $0 > 0 ? Double(row.demand) / Double($0) : nil },
                                   shortageIndex: row.shortageIndex, indexIsLowerBound: row.indexIsLowerBound,
                                   slope: t?.slope ?? 0, forecastIndex: t?.forecast.last?.shortageIndex,
                                   medianWage: report.medianWage[r]?[row.occupation])
        }
    }

    // MARK: Competencies

    func competencies(region r: RegionKey, limit: Int) -> S.CompetencyDemand {
        let d = report.competencies[r] ?? CompetencyDemand(openPostings: 0, demanded: [], rising: [], missing: [])
        return S.CompetencyDemand(
            meta: meta, region: region(r), openPostings: d.openPostings,
            demanded: d.demanded.prefix(limit).map { .init(competency: competency($0.index), postings: $0.postings, share: $0.share) },
            rising: d.rising.prefix(limit).map {
                .init(competency: competency($0.index), recent: $0.recent, previous: $0.previous, growth: $0.growth)
            },
            missing: d.missing.prefix(limit).map { .init(competency: competency($0.index), talents: $0.talents) })
    }

    // MARK: Courses

    func courses(region r: RegionKey, subsidyOnly: Bool) -> [S.CourseImpactEntry] {
        let list = (report.courses[r] ?? []).filter { !subsidyOnly || report.courseList[$0.course].subsidyEligible == true }
        return list.enumerated().map { n, impact in
            let c = report.courseList[impact.course]
            return S.CourseImpactEntry(rank: n + 1,
                                       course: .init(id: c.id, title: S.LocalizedText(zh: c.title.zh, en: c.title.en),
                                                     provider: c.provider.name),
                                       hours: c.hours, subsidyEligible: c.subsidyEligible, liftedTalents: impact.liftedTalents,
                                       postings: impact.postings,
                                       provinces: impact.provinces.isEmpty ? nil
                                           : impact.provinces.map { .init(name: $0.name, talents: $0.talents) })
        }
    }
}
