import Embeddings
import Foundation
import OpenAPIRuntime

extension APIHandler {
    /// The market views of the current reports (admin); starts the next computation when the store moved on.
    private func marketViews() async throws -> MarketViews {
        let revision = try await engine.store.revision()
        let report = try await engine.market.report(engine: engine, storeRevision: revision)
        return MarketViews(report: report, model: model, storeRevision: revision)
    }

    private func regionKey(_ kind: RegionKind, _ name: String?, default fallback: RegionKey?) throws(ServiceError) -> RegionKey? {
        guard let name else { return fallback }
        try validateLength(name, field: "region", max: 64)
        if name.trimmingCharacters(in: .whitespaces).isEmpty { throw .invalid(field: "region", message: "must not be blank") }
        guard let key = MarketViews.region(kind: kind, name: name) else {
            throw .unprocessable(field: "region", message: "names no \(kind.rawValue)")
        }
        return key
    }

    /// The rows' region kind (default provinces).
    private func regionKind(_ raw: String?) -> RegionKind { RegionKind(rawValue: raw ?? "province")! }

    /// The one region a list is for (default the country).
    private func listRegion(_ raw: String?, _ name: String?) throws(ServiceError) -> RegionKey {
        try regionKey(regionKind(raw), name, default: .country) ?? .country
    }

    private func checkOccupation(_ code: String?) throws(ServiceError) {
        if let code, model.occupation(code: code) == nil, !model.posts.contains(where: { $0.occupation == code }) {
            throw .unprocessable(field: "occupation", message: "\(code) is no occupation code of the model")
        }
    }

    private static func csvBody(_ text: String) -> HTTPBody { HTTPBody(text) }

    func marketStatus(_ input: Operations.MarketStatus.Input) async throws -> Operations.MarketStatus.Output {
        let status = engine.market.status()
        let revision = try await engine.store.revision()
        let r = status.report
        return .ok(.init(body: .json(.init(
            state: status.computing == nil ? .idle : .computing, progress: status.progress,
            computing: status.computing.map(Int.init), revision: r.map { Int($0.revision) }, storeRevision: Int(revision),
            computedAt: r?.computedAt, seconds: r?.seconds, error: status.error,
            minCount: engine.market.configuration.minCount, threshold: engine.market.configuration.threshold,
            join: r.map { j in
                .init(talents: j.join.people, openPostings: j.join.openPostings, columns: j.join.columns,
                      scoredPairs: j.join.scoredPairs, rescoredPairs: j.join.rescoredPairs, productSeconds: j.join.productSeconds,
                      gflops: j.join.productSeconds > 0 ? j.join.flops / j.join.productSeconds / 1e9 : 0,
                      reusedTalents: j.join.reusedPeople)
            }))))
    }

    func marketSupply(_ input: Operations.MarketSupply.Input) async throws -> Operations.MarketSupply.Output {
        let q = input.query
        let views = try await marketViews()
        try checkOccupation(q.occupation)
        let kind = regionKind(q.regionKind?.rawValue)
        let region = try regionKey(kind, q.region, default: nil)
        let band: MarketViews.BandSelection = switch q.band ?? .total {
        case .total: .total
        case .each: .each
        case let other: .one(LevelBand(rawValue: other.rawValue)!)
        }
        let p = try page(limit: q.limit, offset: q.offset, defaultLimit: 200, maxLimit: 5000, maxOffset: 1_000_000)
        let rows = views.supply(kind: kind, region: region, occupation: q.occupation, band: band, digital: q.digital)
        let window = rows.window(p)
        if q.format == .csv { return .ok(.init(body: .csv(Self.csvBody(MarketCSV.supply(window))))) }
        return .ok(.init(body: .json(.init(meta: views.meta, items: window, total: rows.count))))
    }

    func marketTrends(_ input: Operations.MarketTrends.Input) async throws -> Operations.MarketTrends.Output {
        let q = input.query
        let limit = try page(limit: q.limit, offset: nil, defaultLimit: 200, maxLimit: 5000).limit
        let views = try await marketViews()
        try checkOccupation(q.occupation)
        let kind = regionKind(q.regionKind?.rawValue)
        let rows = views.trends(kind: kind, region: try regionKey(kind, q.region, default: nil), occupation: q.occupation,
                                digital: q.digital)
        return .ok(.init(body: .json(.init(meta: views.meta, months: views.report.months, items: Array(rows.prefix(limit))))))
    }

    func marketShortages(_ input: Operations.MarketShortages.Input) async throws -> Operations.MarketShortages.Output {
        let q = input.query
        let limit = try page(limit: q.limit, offset: nil, defaultLimit: 200, maxLimit: 5000).limit
        let views = try await marketViews()
        let region = try listRegion(q.regionKind?.rawValue, q.region)
        let items = Array(views.shortages(region: region, digital: q.digital).prefix(limit))
        if q.format == .csv { return .ok(.init(body: .csv(Self.csvBody(MarketCSV.shortages(items))))) }
        return .ok(.init(body: .json(.init(meta: views.meta, region: views.region(region), items: items))))
    }

    func marketCompetencies(_ input: Operations.MarketCompetencies.Input) async throws -> Operations.MarketCompetencies.Output {
        let q = input.query
        let limit = try page(limit: q.limit, offset: nil, defaultLimit: 20, maxLimit: 1000).limit
        let views = try await marketViews()
        let region = try listRegion(q.regionKind?.rawValue, q.region)
        return .ok(.init(body: .json(views.competencies(region: region, limit: limit))))
    }

    func marketCourses(_ input: Operations.MarketCourses.Input) async throws -> Operations.MarketCourses.Output {
        let q = input.query
        let limit = try page(limit: q.limit, offset: nil, defaultLimit: 200, maxLimit: 5000).limit
        let views = try await marketViews()
        let region = try listRegion(q.regionKind?.rawValue, q.region)
        let items = Array(views.courses(region: region, subsidyOnly: q.subsidyOnly ?? false).prefix(limit))
        if q.format == .csv { return .ok(.init(body: .csv(Self.csvBody(MarketCSV.courses(items))))) }
        return .ok(.init(body: .json(.init(meta: views.meta, region: views.region(region), items: items))))
    }

    func marketWages(_ input: Operations.MarketWages.Input) async throws -> Operations.MarketWages.Output {
        let q = input.query
        let table = try await engine.wageTable(occupation: q.occupation, city: q.city, level: q.level,
                                               status: q.status.map { JobRecord.Status(rawValue: $0.rawValue)! },
                                               groupBy: q.groupBy?.map(\.rawValue), minCount: q.minCount ?? 5)
        return .ok(.init(body: .json(table)))
    }
}

extension Engine {
    /// The wage-level table (`GET /v1/market/wages`, `matchd market wages`).
    func wageTable(occupation: String?, city: String?, level: Int?, status: JobRecord.Status?, groupBy: [String]?,
                   minCount: Int) async throws -> S.WageTable {
        guard (1...1000).contains(minCount) else { throw ServiceError.invalid(field: "minCount", message: "must be 1 to 1000, got \(minCount)") }
        if let level, !(0...8).contains(level) { throw ServiceError.invalid(field: "level", message: "must be 0 to 8, got \(level)") }
        var dimensions = WageLevels.Dimension.standard
        if let groupBy {
            guard !groupBy.isEmpty else { throw ServiceError.invalid(field: "groupBy", message: "names no dimension") }
            dimensions = []
            for (k, name) in groupBy.enumerated() {
                guard let d = WageLevels.Dimension(rawValue: name) else {
                    throw ServiceError.invalid(field: "groupBy[\(k)]", message: "\(name) is none of occupation, province, city, level")
                }
                dimensions.insert(d)
            }
        }
        let postings = try await store.wagePostings(occupation: occupation, city: city, level: level, status: status)
        let table = WageLevels.table(postings, by: dimensions, minCount: minCount)
        return S.WageTable(
            items: table.rows.map { r in
                .init(occupation: r.key.occupation.map { code in
                          let label = model.occupationLabel(code: code)
                          return .init(code: code, name: label.name, digital: label.digital)
                      },
                      province: r.key.province, city: r.key.city, level: r.key.level, count: r.count,
                      p10: r.p10, p25: r.p25, p50: r.p50, p75: r.p75, p90: r.p90, mean: r.mean)
            },
            excluded: .init(groups: table.excludedGroups, postings: table.excludedPostings), minCount: minCount)
    }
}

extension APIHandler {
    func relaxJob(_ input: Operations.RelaxJob.Input) async throws -> Operations.RelaxJob.Output {
        let r = try await engine.relaxations(jobID: input.path.jobId, threshold: input.query.threshold ?? 0.7, by: identity)
        return .ok(.init(body: .json(.init(
            jobId: r.jobID, threshold: r.threshold, candidates: r.candidates, qualified: r.qualified,
            items: r.items.map { item in
                let c = model.competency(id: item.requirement.competency)
                return .init(competency: item.requirement.competency,
                             name: S.LocalizedText(zh: c?.name.zh ?? item.requirement.competency, en: c?.name.en ?? item.requirement.competency),
                             level: item.requirement.level, weight: item.requirement.weight,
                             options: item.options.map {
                                 .init(change: $0.level == nil ? .drop : .lower, level: $0.level, qualified: $0.qualified,
                                       gain: $0.qualified - r.qualified)
                             })
            }))))
    }
}
