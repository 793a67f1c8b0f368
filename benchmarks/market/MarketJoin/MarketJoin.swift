import ArgumentParser
import Embeddings
import Foundation
import Matcher

/// The market view's batch problem at scale: synthetic talents and postings over the bundled
/// model's posts and courses, in cities weighted as the demo's, through `FitJoin` (exact fit of
/// every talent × open posting of its cities, near pairs, course lifts). Beside it, in the same
/// run, the machine's `sgemm` peak: the best of three products of 4096 × 1536 by 1536 × 4096 on
/// the same threads. Writes `benchmarks/results/market-join.md`.
@main
struct MarketJoin: ParsableCommand {
    @Option(help: "Model directory.") var model = "../models/cn-digital-2022/v2"
    @Option(help: "Talents.") var people = 200_000
    @Option(help: "Open postings.") var postings = 20_000
    @Option(help: "Cities.") var areas = 52
    @Option(help: "Threads for the products (1 or 2).") var workers = 1
    @Option(help: "Fit threshold.") var threshold = 0.7
    @Option(help: "Random seed.") var seed: UInt64 = 7
    @Option(help: "Write the table here (appended under a heading for the size).") var write: String?

    func run() throws {
        let model = try CompetencyModel.load(from: URL(fileURLWithPath: self.model))
        let latent = try LatentSpace.build(model: model, rank: LatentSpace.defaultRank)
        var rng = SplitMix(state: seed)
        // Cities: four at weight 12, twelve at 4, the rest at 1.5 (the demo's tiers).
        let weights = (0..<areas).map { $0 < 4 ? 12.0 : $0 < 16 ? 4.0 : 1.5 }
        func area() -> Int { rng.weighted(weights) }
        let reqs: [[RequirementProfile.Entry]] = model.posts.map { post in
            (model.requirements(ofPost: post.id) ?? []).compactMap { r in
                model.index(ofCompetency: r.competency).map { .init(competency: r.competency, index: $0, level: r.level, weight: r.weight, sources: []) }
            }
        }
        let started = Date()
        var jobs: [FitJoin.Posting] = []
        jobs.reserveCapacity(postings)
        for _ in 0..<postings {
            var entries = reqs[rng.int(reqs.count)].filter { _ in rng.double() < 0.85 }.map { e -> RequirementProfile.Entry in
                var e = e
                e.level = min(8, max(1, e.level + rng.int(3) - 1))
                return e
            }
            if entries.isEmpty { entries = [reqs[0][0]] }
            let total = entries.reduce(0) { $0 + $1.weight }
            for i in entries.indices { entries[i].weight /= total }
            jobs.append(.init(requirements: RequirementProfile(entries: entries), area: area()))
        }
        var persons: [FitJoin.Person] = []
        persons.reserveCapacity(people)
        for _ in 0..<people {
            let post = reqs[rng.int(reqs.count)]
            var entries: [CapabilityProfile.Entry] = []
            for r in post where rng.double() < 0.7 {
                entries.append(.init(competency: r.competency, index: r.index, level: max(0.5, Double(r.level) + rng.double() * 3.5 - 2.5)))
            }
            for _ in 0..<rng.int(3) {
                let i = rng.int(model.dimension)
                if !entries.contains(where: { $0.index == i }) {
                    entries.append(.init(competency: model.competencies[i].id, index: i, level: Double(1 + rng.int(6))))
                }
            }
            persons.append(.init(capabilities: CapabilityProfile(entries: entries), areas: rng.double() < 0.5 ? [area()] : [area(), area()]))
        }
        let generated = Date().timeIntervalSince(started)

        let peak = try Self.sgemmPeak(workers: workers)
        var configuration = FitJoin.Configuration()
        configuration.threshold = threshold
        configuration.workers = workers
        let result = try FitJoin.run(people: persons, postings: jobs, courses: model.courses, model: model, latent: latent,
                                     configuration: configuration)
        let productRate = result.flops / max(result.productSeconds, 1e-9) / 1e9
        let lines = [
            "## \(people) talents × \(postings) open postings, \(areas) cities, \(workers) thread\(workers == 1 ? "" : "s")",
            "",
            "`swift run -c release market-join --people \(people) --postings \(postings) --workers \(workers)` (data generated in \(String(format: "%.1f", generated)) s; \(model.courses.count) courses; threshold \(threshold)).",
            "",
            "| measure | value |",
            "|---|---|",
            "| columns (competency × level) | \(result.columns) |",
            "| pairs scored (same city) | \(result.scoredPairs) |",
            "| pairs rescored exactly (within 1e-4 of the threshold) | \(result.rescoredPairs) |",
            "| ready pairs | \(result.ready.reduce(0) { $0 + $1.count }) |",
            "| near pairs | \(result.near.count) |",
            "| lifts (talent × posting × course) | \(result.lifts.count) |",
            "| scoring phase, wall s | \(String(format: "%.2f", result.scoringSeconds)) |",
            "| of which products (sgemm), s | \(String(format: "%.2f", result.productSeconds)) |",
            "| of which decisions (thresholds, near pairs, lifts), thread-s | \(String(format: "%.2f", result.decisionSeconds)) |",
            "| whole run (coverage rows, areas, merge), s | \(String(format: "%.2f", result.totalSeconds)) |",
            "| product rate, GFLOP/s | \(String(format: "%.1f", productRate)) |",
            "| sgemm peak in this run (best of 3, 4096 × 1536 × 4096), GFLOP/s | \(String(format: "%.1f", peak)) |",
            "| **products at share of peak** | **\(String(format: "%.0f", 100 * productRate / peak)) %** |",
            "",
        ]
        let text = lines.joined(separator: "\n")
        print(text)
        if let write {
            let url = URL(fileURLWithPath: write)
            var existing = (try? String(contentsOf: url, encoding: .utf8)) ?? "# Market join: every talent × every open posting\n\nWritten by `benchmarks/market/MarketJoin` (`swift run -c release market-join …`).\n\n"
            existing += text + "\n"
            try existing.write(to: url, atomically: true, encoding: .utf8)
        }
    }

    /// Best of three `sgemm`s of 4096 × 1536 by 1536 × 4096 through `ScoreJoin` on `workers` threads, in GFLOP/s.
    static func sgemmPeak(workers: Int) throws -> Double {
        let m = 4096, d = 1536, n = 4096
        var rng = SplitMix(state: 1)
        let a = try Matrix(rows: m, columns: d, values: (0..<(m * d)).map { _ in Float(rng.double()) })
        let b = try Matrix(rows: n, columns: d, values: (0..<(n * d)).map { _ in Float(rng.double()) })
        var best = Double.infinity
        for _ in 0..<3 {
            let t = Date()
            try ScoreJoin.forEachTile(queries: a, rows: b, tileRows: 1024, workers: workers) { _, _, _, _ in }
            best = min(best, Date().timeIntervalSince(t))
        }
        return 2 * Double(m) * Double(n) * Double(d) / best / 1e9
    }
}

struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func double() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func weighted(_ w: [Double]) -> Int {
        var x = double() * w.reduce(0, +)
        for (i, v) in w.enumerated() { if x < v { return i }; x -= v }
        return w.count - 1
    }
}
