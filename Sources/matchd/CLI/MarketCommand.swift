import ArgumentParser
import Foundation

/// `matchd market …`: the market reports of the store, computed on the spot, as the API's JSON
/// or as CSV.
struct MarketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market",
        abstract: "Market reports: supply and demand, trends, shortage list, competencies, course impact, wage levels.",
        subcommands: [Supply.self, Trends.self, Shortages.self, Competencies.self, Courses.self, Wages.self])

    enum Format: String, ExpressibleByArgument, CaseIterable { case json, csv }

    struct Common: ParsableArguments {
        @OptionGroup var store: StoreOptions
        @Option(help: "Regions of the rows: country, province or city.") var regionKind = "province"
        @Option(help: "One region (a province such as 浙江, or a city such as 杭州).") var region: String?
        @Option(help: "json or csv.") var format: Format = .json

        var kind: RegionKind {
            get throws {
                guard let k = RegionKind(rawValue: regionKind) else {
                    throw ValidationError("--region-kind must be country, province or city, got \(regionKind)")
                }
                return k
            }
        }

        /// The views of reports computed now.
        func views() async throws -> (MarketViews, RegionKey?) {
            let engine = try await openEngine(store)
            let report = try await engine.market.compute(engine: engine)
            let j = report.join
            FileHandle.standardError.write(Data(String(
                format: "reports of revision %lld in %.2f s: %d talents × %d open postings over %d columns, product %.2f s (%.1f GFLOP/s), %d pairs rescored\n",
                report.revision, report.seconds, j.people, j.openPostings, j.columns, j.productSeconds,
                j.productSeconds > 0 ? j.flops / j.productSeconds / 1e9 : 0, j.rescoredPairs).utf8))
            let views = MarketViews(report: report, model: engine.model, storeRevision: report.revision)
            let key = try region.map { name in
                guard let key = MarketViews.region(kind: try kind, name: name) else { throw ValidationError("no region \(name)") }
                return key
            }
            return (views, key)
        }
    }

    static func emit<T: Encodable>(_ value: T, csv: () -> String, format: Format) throws {
        switch format {
        case .csv: FileHandle.standardOutput.write(Data(csv().utf8))
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
        }
    }

    struct Supply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Supply and demand per region × occupation (× level band).")
        @OptionGroup var common: Common
        @Option(help: "An occupation code.") var occupation: String?
        @Flag(help: "One row per level band.") var bands = false

        func run() async throws {
            let (views, region) = try await common.views()
            let rows = views.supply(kind: try common.kind, region: region, occupation: occupation, band: bands ? .each : .total, digital: nil)
            try MarketCommand.emit(S.SupplyTable(meta: views.meta, items: rows, total: rows.count), csv: { MarketCSV.supply(rows) },
                                   format: common.format)
        }
    }

    struct Trends: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Month-by-month series with trend and forecast (JSON).")
        @OptionGroup var common: Common
        @Option(help: "An occupation code.") var occupation: String?

        func run() async throws {
            let (views, region) = try await common.views()
            let rows = views.trends(kind: try common.kind, region: region, occupation: occupation, digital: nil)
            try MarketCommand.emit(S.TrendTable(meta: views.meta, months: views.report.months, items: rows),
                                   csv: { "" }, format: .json)
        }
    }

    struct Shortages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The draft shortage list of a region (default the country).")
        @OptionGroup var common: Common
        @Flag(help: "Digital occupations only.") var digital = false

        func run() async throws {
            let (views, region) = try await common.views()
            let r = region ?? .country
            let items = views.shortages(region: r, digital: digital ? true : nil)
            try MarketCommand.emit(S.ShortageList(meta: views.meta, region: views.region(r), items: items),
                                   csv: { MarketCSV.shortages(items) }, format: common.format)
        }
    }

    struct Competencies: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Demanded, rising and missing competencies of a region (JSON).")
        @OptionGroup var common: Common
        @Option(help: "Entries per list.") var limit = 20

        func run() async throws {
            let (views, region) = try await common.views()
            try MarketCommand.emit(views.competencies(region: region ?? .country, limit: limit), csv: { "" }, format: .json)
        }
    }

    struct Courses: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Training impact: the courses that would lift most talents over the threshold.")
        @OptionGroup var common: Common
        @Flag(help: "Subsidy-eligible courses only.") var subsidyOnly = false

        func run() async throws {
            let (views, region) = try await common.views()
            let r = region ?? .country
            let items = views.courses(region: r, subsidyOnly: subsidyOnly)
            try MarketCommand.emit(S.CourseImpactList(meta: views.meta, region: views.region(r), items: items),
                                   csv: { MarketCSV.courses(items) }, format: common.format)
        }
    }

    struct Wages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Wage levels (工资价位): salary percentiles per occupation × city × level.")
        @OptionGroup var store: StoreOptions
        @Option(help: "An occupation code.") var occupation: String?
        @Option(help: "A city.") var city: String?
        @Option(help: "Row dimensions, comma-separated: occupation, province, city, level.") var groupBy: String?
        @Option(help: "Smallest group published.") var minCount = 5
        @Option(help: "json or csv.") var format: Format = .json

        func run() async throws {
            let engine = try await openEngine(store)
            let table = try await engine.wageTable(occupation: occupation, city: city, level: nil, status: nil,
                                                   groupBy: groupBy.map { $0.split(separator: ",").map(String.init) },
                                                   minCount: minCount)
            try MarketCommand.emit(table, csv: { MarketCSV.wages(table.items) }, format: format)
        }
    }
}
