import Embeddings
import Foundation

/// What the market view reads: every posting (open or closed, for the months), the searchable
/// talents with the capability profiles matching uses, and the courses. Aggregates only leave it.
struct MarketInput: Sendable {
    struct Posting: Sendable {
        var id: String
        var occupation: String?
        /// The city as written, and its place in `Regions` when known.
        var city: String?
        var level: Int?
        var salaryMin: Int?
        var salaryMax: Int?
        var postedAt: Date
        var closedAt: Date?
        /// The resolved requirements; `nil` for a closed posting.
        var requirements: RequirementProfile?
        /// The competency indices it requires: known for open postings and for closed ones posted
        /// in the last six months (the rising competencies compare those months).
        var competencies: [Int]?
        var isOpen: Bool { requirements != nil }
    }

    struct Talent: Sendable {
        var id: String
        /// `cityKey`s of where the person lives and wants to work; empty: anywhere.
        var cityKeys: [String]
        /// The occupations of the posts the person aims at.
        var occupations: [String]
        var level: Int?
        var registeredAt: Date
        var capabilities: CapabilityProfile
    }

    var postings: [Posting]
    var talents: [Talent]
    var courses: [Course]
    /// The store revision read.
    var revision: Int64
    /// The end of the reports' history.
    var now: Date
}

/// A posting's or person's level, in the three bands of published tables.
enum LevelBand: String, Sendable, CaseIterable, Comparable {
    /// Ord 1–3 (学徒工, 五级/初级工, 四级/中级工).
    case junior
    /// Ord 4–5 (三级/高级工, 二级/技师 and their engineer and title equivalents).
    case intermediate
    /// Ord 6–8 (一级/高级技师 and above).
    case senior
    /// No level given.
    case unspecified

    init(level: Int?) {
        switch level {
        case .some(...3): self = .junior
        case .some(4...5): self = .intermediate
        case .some: self = .senior
        case nil: self = .unspecified
        }
    }

    static func < (a: LevelBand, b: LevelBand) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Where a posting or person is, as the market view groups: the city as `Regions` names it
/// (else as written) and its province (else "其他", other).
struct Place: Sendable, Hashable {
    var province: String
    var city: String

    static let otherProvince = "其他"
    static let unspecifiedCity = "未注明"

    init(city text: String?) {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            self.province = Self.otherProvince
            self.city = Self.unspecifiedCity
            return
        }
        if let r = Regions.region(ofCity: text) {
            province = r.province
            city = r.city
        } else {
            province = Self.otherProvince
            city = text.trimmingCharacters(in: .whitespaces)
        }
    }
}

extension Engine {
    /// Reads the market input from the store and the catalogs: the talents and open postings the
    /// catalogs hold (with the profiles matching uses), and every posting's dates for the months.
    func marketInput(now: Date = Date()) async throws -> MarketInput {
        let (revision, jobRows, talentRows) = try await store.marketRows()
        let jobEntries = jobs.view().entries
        let talentEntries = talents.view().entries
        let sixMonthsAgo = MarketReport.monthStarts(ending: now, count: 6)[0]
        let recentClosed = jobRows.filter { ($0.status == .closed || jobEntries[UInt64($0.seq)] == nil) && $0.createdAt >= sixMonthsAgo }
        let records = try await store.jobs(seqs: recentClosed.map(\.seq))
        let recentNeeds = try concurrentMap(records) { r in (r.seq!, try? self.requirements(of: r)) }
        let needsOf = Dictionary(recentNeeds.compactMap { s, n in n.map { (s, $0) } }, uniquingKeysWith: { a, _ in a })
        var postings: [MarketInput.Posting] = []
        postings.reserveCapacity(jobRows.count)
        for r in jobRows {
            let open = r.status == .open ? jobEntries[UInt64(r.seq)]?.requirements : nil
            let needs = open ?? needsOf[r.seq]
            postings.append(.init(id: r.id, occupation: r.occupationCode, city: r.city, level: r.level,
                                  salaryMin: r.salaryMin, salaryMax: r.salaryMax, postedAt: r.createdAt,
                                  closedAt: r.closedAt, requirements: open, competencies: needs.map { $0.entries.map(\.index) }))
        }
        var people: [MarketInput.Talent] = []
        people.reserveCapacity(talentRows.count)
        for r in talentRows {
            guard let entry = talentEntries[UInt64(r.seq)] else { continue }
            let occupations = Set(r.desiredPosts.compactMap { model.post(id: $0)?.occupation })
            people.append(.init(id: r.id, cityKeys: entry.cityKeys, occupations: occupations.sorted(), level: r.level,
                                registeredAt: r.createdAt, capabilities: entry.capabilities))
        }
        return MarketInput(postings: postings, talents: people, courses: allCourses(), revision: revision, now: now)
    }
}
