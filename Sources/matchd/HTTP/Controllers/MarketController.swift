import Embeddings

extension APIHandler {
    func marketWages(_ input: Operations.MarketWages.Input) async throws -> Operations.MarketWages.Output {
        try identity.require(.admin)
        let q = input.query
        let minCount = q.minCount ?? 5
        guard (1...1000).contains(minCount) else { throw ServiceError.invalid(field: "minCount", message: "must be 1 to 1000, got \(minCount)") }
        if let level = q.level, !(0...8).contains(level) { throw ServiceError.invalid(field: "level", message: "must be 0 to 8, got \(level)") }
        let dimensions = q.groupBy.map { Set($0.map { WageLevels.Dimension(rawValue: $0.rawValue)! }) } ?? WageLevels.Dimension.standard
        let postings = try await engine.store.wagePostings(occupation: q.occupation, city: q.city, level: q.level,
                                                            status: q.status.map { JobRecord.Status(rawValue: $0.rawValue)! })
        let table = WageLevels.table(postings, by: dimensions, minCount: minCount)
        return .ok(.init(body: .json(.init(
            items: table.rows.map { r in
                .init(occupation: r.key.occupation.map { code in
                          let label = model.occupationLabel(code: code)
                          return .init(code: code, name: label.name, digital: label.digital)
                      },
                      province: r.key.province, city: r.key.city, level: r.key.level, count: r.count,
                      p10: r.p10, p25: r.p25, p50: r.p50, p75: r.p75, p90: r.p90, mean: r.mean)
            },
            excluded: .init(groups: table.excludedGroups, postings: table.excludedPostings), minCount: minCount))))
    }
}
