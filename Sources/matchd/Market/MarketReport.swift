import Embeddings
import Foundation

/// The market view's settings.
struct MarketConfiguration: Sendable, Equatable {
    /// The fit at which a talent counts as ready for a posting (the course plan's default threshold).
    var threshold = 0.7
    /// How far below the threshold a pair counts as near-fit (for the missing competencies).
    var nearMargin = 0.15
    /// The fewest people a published count may describe (`Suppression`).
    var minCount = 10
    /// Months of history in the series.
    var months = 18
    /// Threads for the batch products.
    var workers = 1
}

enum RegionKind: String, Sendable, CaseIterable, Comparable {
    case country, province, city
    static func < (a: RegionKind, b: RegionKind) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// A region of a report: the country, a province, or a city (with its province).
struct RegionKey: Hashable, Sendable, Comparable {
    var kind: RegionKind
    var name: String
    var province: String?

    static let country = RegionKey(kind: .country, name: "全国", province: nil)

    /// The country, the province and the city of a place.
    static func all(of place: Place) -> [RegionKey] {
        [.country, RegionKey(kind: .province, name: place.province, province: nil),
         RegionKey(kind: .city, name: place.city, province: place.province)]
    }

    static func < (a: RegionKey, b: RegionKey) -> Bool { (a.kind, a.name, a.province ?? "") < (b.kind, b.name, b.province ?? "") }
}

/// Supply and demand of one region × occupation × level band (`band == nil`: all bands).
struct SupplyRow: Sendable, Equatable {
    var region: RegionKey
    var occupation: String
    var band: LevelBand?
    /// Open postings.
    var demand: Int
    /// Searchable talents whose fit reaches the threshold for at least one of these postings;
    /// `nil` when suppressed.
    var ready: Int?
    /// Not ready, but one course would make them ready for at least one of these postings.
    var oneCourse: Int?
    /// Talents aiming at the occupation in the region (by their desired posts) who are neither.
    var rest: Int?
    /// Talents aiming at the occupation in the region.
    var seekers: Int?
    /// `ln((demand + 1) / (ready + 1))`; a suppressed `ready` counts as `minCount − 1`, making the
    /// index a lower bound that reveals no more than the suppression.
    var shortageIndex: Double
    var indexIsLowerBound: Bool
}

/// Month-by-month demand and supply of one region × occupation, with its trend and forecast.
struct TrendRow: Sendable, Equatable {
    struct Forecast: Sendable, Equatable {
        /// "1-3" or "4-6": months after the last month of the series.
        var monthsAhead: String
        /// The mean open postings the trend line gives for those months (never below 0).
        var openPostings: Double
        /// Seekers at their end: today's plus the mean monthly registrations of the last six months;
        /// `nil` when those registrations are fewer than the minimum count.
        var seekers: Int?
        /// The shortage index with those figures, the ready share of seekers held at today's.
        var shortageIndex: Double?
    }

    var region: RegionKey
    var occupation: String
    /// Postings open at any time in each month (closed ones included), and those posted in it.
    var openPostings: [Int]
    var newPostings: [Int]
    /// Searchable seekers by month of registration; before the first month in `earlierSeekers`.
    var newSeekers: [Int?]
    var earlierSeekers: Int?
    /// Least-squares slope of `openPostings` over the last 12 months (postings per month).
    var slope: Double
    var forecast: [Forecast]
}

/// The competencies of one region: most demanded, fastest rising, most often missing.
struct CompetencyDemand: Sendable, Equatable {
    struct Demanded: Sendable, Equatable { var index: Int; var postings: Int; var share: Double }
    struct Rising: Sendable, Equatable { var index: Int; var recent: Int; var previous: Int; var growth: Double }
    struct Missing: Sendable, Equatable { var index: Int; var talents: Int? }
    /// Open postings in the region.
    var openPostings: Int
    /// Open postings requiring each competency, most first.
    var demanded: [Demanded]
    /// Postings posted in the last three months vs the three before that, requiring each
    /// competency (at least `risingMinimum` recent), by `(recent + 1) / (previous + 1)`.
    var rising: [Rising]
    /// Near-fit talents (fit within `nearMargin` below the threshold for a posting of the region)
    /// not fully covering each competency the posting requires, most first.
    var missing: [Missing]
    static let risingMinimum = 5
}

/// What one course would do for the region's open postings.
struct CourseImpact: Sendable, Equatable {
    var course: Int
    /// Talents it would lift over the threshold for at least one open posting (`nil`: suppressed).
    var liftedTalents: Int?
    /// Open postings gaining at least one such talent.
    var postings: Int
    /// Lifted talents by province of the postings, most first (country rows only).
    var provinces: [(name: String, talents: Int?)]

    static func == (a: CourseImpact, b: CourseImpact) -> Bool {
        a.course == b.course && a.liftedTalents == b.liftedTalents && a.postings == b.postings
            && a.provinces.map(\.name) == b.provinces.map(\.name) && a.provinces.map(\.talents) == b.provinces.map(\.talents)
    }
}

/// Every market report for one store revision, computed at once (`MarketReport.compute`).
struct MarketReport: Sendable {
    var revision: Int64
    var computedAt: Date
    var seconds: Double
    var configuration: MarketConfiguration
    /// "2025-07" … the current month, in Beijing time.
    var months: [String]
    /// By region, shortage index (largest first), occupation code, band (the total first).
    var supply: [SupplyRow]
    var trends: [TrendRow]
    var competencies: [RegionKey: CompetencyDemand]
    var courses: [RegionKey: [CourseImpact]]
    /// Median monthly salary (the midpoint rule of `WageLevels`) per region × occupation, over
    /// postings of the last 12 months; only with at least `WageLevels` 5 postings.
    var medianWage: [RegionKey: [String: Double]]
    var courseList: [Course]
    /// Open postings without an occupation code (counted nowhere by occupation).
    var uncodedPostings: Int
    var join: Join

    struct Join: Sendable {
        var people: Int
        var openPostings: Int
        var columns: Int
        var scoredPairs: Int
        var rescoredPairs: Int
        var flops: Double
        var productSeconds: Double
        var totalSeconds: Double
        /// Talents whose pairs were kept from the previous computation (nothing of theirs changed).
        var reusedPeople: Int = 0
    }

    /// `ln((demand + 1) / (ready + 1))`, with a suppressed ready count taken at `minCount − 1`.
    static func shortageIndex(demand: Int, ready: Int?, minCount: Int) -> (Double, Bool) {
        let r = ready ?? (minCount - 1)
        return (log(Double(demand + 1) / Double(r + 1)), ready == nil)
    }

    /// Months of Beijing time.
    static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return c
    }()
}
