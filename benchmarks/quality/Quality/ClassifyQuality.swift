import ArgumentParser
import Embeddings
import Foundation

/// `quality classify`: the occupation coder on `quality/classify/titles.jsonl`.
///
/// Reported per split: top-1 and top-3 of the ranking on digital and on all titles (a title
/// labelled `none` counts as right only when answered unknown), the share answered unknown and
/// the precision of that abstention (an unknown answer is right when the ranking's first
/// candidate was wrong), the precision of the answers given, and titles per second on one core.
/// `--fit` fits the confidence's `(a, b, c)` by logistic regression on the dev split and picks
/// the lowest threshold at which the dev answers are at least `--target-precision` right.
struct ClassifyQuality: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "classify", abstract: "Occupation coding on the labelled titles.")
    @OptionGroup var common: Common
    @Option(help: "The labelled titles.") var titles = "quality/classify/titles.jsonl"
    @Flag(help: "Fit the calibration and threshold on the dev split (implies --split dev).") var fit = false
    @Option(help: "Precision the fitted threshold keeps on dev.") var targetPrecision = 0.92
    @Option(help: "Timed passes over the titles for throughput.") var passes = 5
    @Option(help: "Try a weight: title, contains, inside, similar, context, definition, competencies (e.g. --set profile=0.5).")
    var set: [String] = []

    struct Entry: Decodable {
        var id: String
        var title: String
        var description: String?
        var code: String
        var split: String
    }

    struct Outcome {
        var entry: Entry
        var result: Classification
        var goldDigital: Bool
        var rank: Int?  // 0-based rank of the gold code among the candidates
    }

    func run() throws {
        if fit, common.split != "dev" { throw ValidationError("--fit uses the dev split only") }
        let model = try common.loadModel()
        let latent = try LatentSpace.build(model: model, rank: 32)
        let vectorizer = Vectorizer(model: model, latent: latent)
        var configuration = OccupationCoder.Configuration()
        for assignment in set {
            let kv = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, let v = Double(kv[1]) else { throw ValidationError("--set wants name=value, got \(assignment)") }
            switch kv[0] {
            case "title": configuration.titleWeight = v
            case "contains": configuration.containsWeight = v
            case "inside": configuration.containsInsideFactor = v
            case "similar": configuration.similarWeight = v
            case "second": configuration.similarSecondFactor = v
            case "context": configuration.contextWeight = v
            case "definition": configuration.definitionWeight = v
            case "competencies": configuration.competenciesWeight = v
            default: throw ValidationError("--set: no weight named \(kv[0])")
            }
        }
        var coder = OccupationCoder(model: model, vectorizer: vectorizer, configuration: configuration)
        let all = try readJSONLines(Entry.self, path: titles)
        let entries = all.filter { common.keep($0.split) }
        let digitalCodes = Set(model.occupations.filter(\.isDigital).map(\.code) + model.posts.map(\.occupation))
        func evaluate(_ coder: OccupationCoder) -> [Outcome] {
            entries.map { e in
                let r = coder.classify(title: e.title, description: e.description, limit: 3)
                return Outcome(entry: e, result: r, goldDigital: digitalCodes.contains(e.code),
                               rank: r.candidates.firstIndex { $0.code == e.code })
            }
        }
        if fit {
            let fitted = Self.fitCalibration(evaluate(coder))
            coder = OccupationCoder(model: model, vectorizer: vectorizer, configuration: {
                var c = coder.configuration
                c.calibration = fitted
                return c
            }())
            let threshold = Self.threshold(evaluate(coder), precision: targetPrecision)
            print(String(format: "fitted on %d dev titles: calibration (a, b, c) = (%.3f, %.3f, %.3f), threshold %.3f",
                         entries.count, fitted.0, fitted.1, fitted.2, threshold))
            var c = coder.configuration
            c.threshold = threshold
            coder = OccupationCoder(model: model, vectorizer: vectorizer, configuration: c)
        }
        let outcomes = evaluate(coder)
        // The peer: what a user gets from the model search (`GET /v1/model/search`), its first post's occupation.
        let coded = entries.filter { $0.code != "none" }
        let searchRight = coded.filter { e in
            let first = model.lookup(e.title, limit: 10).first { $0.kind == .post }
            return first.flatMap { model.post(id: $0.id)?.occupation } == e.code
        }.count
        let coderRight = outcomes.filter { $0.entry.code != "none" && $0.rank == 0 }.count
        let peerLine = String(format: "Peer, the model search as a coder (first post found): top-1 %.3f of %d coded titles; the coder %.3f (%.1f×).",
                              Double(searchRight) / Double(max(coded.count, 1)), coded.count,
                              Double(coderRight) / Double(max(coded.count, 1)), Double(coderRight) / Double(max(searchRight, 1)))
        let table = Self.report(outcomes, split: common.split, threshold: coder.configuration.threshold) + "\n" + peerLine + "\n"
        print(table)
        let speed = throughput(coder, titles: entries.map(\.title))
        let speedLine = String(format: "Throughput: %.0f titles/s on one core (title only, %d titles × %d passes, best pass).",
                               speed, entries.count, passes)
        print(speedLine)
        let calibration = Self.reliability(outcomes)
        print(calibration)
        if common.errors {
            for o in outcomes where o.rank != 0 || o.result.isUnknown {
                let top = o.result.candidates.first
                print("\(o.entry.id)\t\(o.entry.title)\tgold \(o.entry.code)\tgot \(top?.code ?? "-") \(top?.name ?? "")"
                    + String(format: "\t%.2f", top?.confidence ?? 0) + (o.result.isUnknown ? "\tUNKNOWN" : "")
                    + "\thead \(o.result.reading.head)")
            }
        }
        if common.write {
            try writeResult("classify-\(common.split).md", """
                # Occupation coding, \(common.split) split

                `benchmarks/quality/classify/titles.jsonl` (hand-labelled, see its GUIDELINES.md), \
                model `\(model.manifest.id)` v\(model.manifest.version), written by `quality classify --split \(common.split) --write`.
                \(machineLine())

                \(table)

                \(speedLine)

                \(calibration)
                """)
        }
    }

    func throughput(_ coder: OccupationCoder, titles: [String]) -> Double {
        var best = Double.infinity
        let clock = ContinuousClock()
        for _ in 0..<max(passes, 1) {
            let start = clock.now
            var sink = 0
            for t in titles { sink &+= coder.classify(title: t).candidates.count }
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            if sink >= 0 { best = min(best, seconds) }
        }
        return Double(titles.count) / best
    }

    static func isRight(_ o: Outcome) -> Bool { o.entry.code == "none" ? o.result.isUnknown : (!o.result.isUnknown && o.rank == 0) }

    static func report(_ outcomes: [Outcome], split: String, threshold: Double) -> String {
        func row(_ name: String, _ group: [Outcome]) -> String {
            let n = Double(max(group.count, 1))
            let coded = group.filter { $0.entry.code != "none" }
            let top1 = Double(coded.filter { $0.rank == 0 }.count) / Double(max(coded.count, 1))
            let top3 = Double(coded.filter { ($0.rank ?? 99) < 3 }.count) / Double(max(coded.count, 1))
            let strict = Double(group.filter(isRight).count) / n
            let unknown = group.filter(\.result.isUnknown)
            let unknownRight = unknown.filter { $0.entry.code == "none" || $0.rank != 0 }.count
            let answered = group.filter { !$0.result.isUnknown }
            let answeredRight = answered.filter { $0.rank == 0 }.count
            return "| \(name) | \(group.count) | \(percent(top1)) | \(percent(top3)) | \(percent(strict)) | "
                + "\(percent(Double(unknown.count) / n)) | \(unknown.isEmpty ? "—" : percent(Double(unknownRight) / Double(unknown.count))) | "
                + "\(answered.isEmpty ? "—" : percent(Double(answeredRight) / Double(answered.count))) |"
        }
        let digital = outcomes.filter(\.goldDigital)
        let withDescription = outcomes.filter { $0.entry.description != nil }
        return """
            Threshold \(String(format: "%.3f", threshold)).

            | titles | n | top-1 | top-3 | right, unknown counted wrong | answered unknown | unknown was right | answers right |
            |---|---|---|---|---|---|---|---|
            \(row("digital occupations", digital))
            \(row("non-digital occupations", outcomes.filter { !$0.goldDigital && $0.entry.code != "none" }))
            \(row("uncodable (labelled none)", outcomes.filter { $0.entry.code == "none" }))
            \(row("with a description", withDescription))
            \(row("all", outcomes))
            """
    }

    /// Confidence deciles: stated confidence against the share right.
    static func reliability(_ outcomes: [Outcome]) -> String {
        var bins = [(n: Int, right: Int, sum: Double)](repeating: (0, 0, 0), count: 5)
        for o in outcomes where o.entry.code != "none" {
            guard let c = o.result.candidates.first?.confidence else { continue }
            let b = min(Int(c * 5), 4)
            bins[b].n += 1
            bins[b].sum += c
            if o.rank == 0 { bins[b].right += 1 }
        }
        var lines = ["| confidence of the first candidate | titles | mean confidence | share right |", "|---|---|---|---|"]
        for (i, b) in bins.enumerated() where b.n > 0 {
            lines.append(String(format: "| %.1f–%.1f | %d | %.3f | %.3f |", Double(i) / 5, Double(i + 1) / 5, b.n,
                                b.sum / Double(b.n), Double(b.right) / Double(b.n)))
        }
        return lines.joined(separator: "\n")
    }

    /// Logistic regression of "first candidate right" on (score, margin), by gradient descent.
    static func fitCalibration(_ outcomes: [Outcome]) -> (Double, Double, Double) {
        var xs: [(Double, Double, Double)] = []
        for o in outcomes where o.entry.code != "none" {
            guard let top = o.result.candidates.first else { continue }
            let second = o.result.candidates.count > 1 ? o.result.candidates[1].score : 0
            xs.append((top.score, top.score - second, o.rank == 0 ? 1 : 0))
        }
        var a = 1.0, b = 1.0, c = 0.0
        let rate = 0.5
        for _ in 0..<20_000 {
            var ga = 0.0, gb = 0.0, gc = 0.0
            for (s, m, y) in xs {
                let p = 1 / (1 + exp(-(a * s + b * m + c)))
                ga += (p - y) * s; gb += (p - y) * m; gc += p - y
            }
            let n = Double(max(xs.count, 1))
            a -= rate * ga / n; b -= rate * gb / n; c -= rate * gc / n
        }
        return (a, b, c)
    }

    /// The lowest threshold at which the answers given are at least `precision` right.
    static func threshold(_ outcomes: [Outcome], precision: Double) -> Double {
        let scored = outcomes.compactMap { o -> (Double, Bool)? in
            guard let c = o.result.candidates.first?.confidence else { return nil }
            return (c, o.entry.code != "none" && o.rank == 0)
        }.sorted { $0.0 > $1.0 }
        var right = 0, best = 1.0
        for (i, (c, ok)) in scored.enumerated() {
            if ok { right += 1 }
            if Double(right) / Double(i + 1) >= precision { best = c }
        }
        return best
    }
}
