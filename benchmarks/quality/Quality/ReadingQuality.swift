import ArgumentParser
import Embeddings
import Foundation

/// `quality reading`: the extractor on the hand-annotated sentences of `quality/reading/`.
///
/// A predicted span is a mention's span (a certificate and its grants share one). Spans are
/// paired one to one, greedily by overlap; **exact** counts pairs with the same start and end,
/// **overlapping** pairs that share at least one scalar. Precision is paired predictions over
/// predictions, recall paired gold spans over gold spans. **Competency accuracy**: of the
/// overlapping pairs whose gold span has a competency, the share predicted with that
/// competency. **Label micro-F1** (the ESCO measure): per sentence, the set of competency ids
/// predicted against the set of gold ids, summed over sentences.
struct ReadingQuality: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reading", abstract: "Skill reading on the annotated sentences.")
    @OptionGroup var common: Common
    @Option(help: "zh or en.") var language = "zh"
    @Option(help: "The annotated sentences (default quality/reading/<language>.jsonl).") var sentences: String?
    @Option(help: "A label for the tables (e.g. before, after).") var label = "current"
    @Option(help: "Gold ids of the English set: esco (its ESCO URIs, as `matchd model import-esco` names them) or v1 (matchd's own ids).")
    var ids = "esco"

    struct Entry: Decodable {
        struct Span: Decodable {
            var start: Int
            var end: Int
            var text: String
            var competency: String?
            var competencyV1: String?
        }
        var id: String
        var text: String
        var split: String
        var spans: [Span]
    }

    struct Counts {
        var gold = 0, predicted = 0, exact = 0, overlapping = 0
        var goldWithID = 0, idRight = 0
        var labelGold = 0, labelPredicted = 0, labelRight = 0
    }

    func run() throws {
        guard ["zh", "en"].contains(language) else { throw ValidationError("--language must be zh or en") }
        let model = try common.loadModel()
        let extractor = Extractor(model: model)
        let path = sentences ?? "quality/reading/\(language).jsonl"
        guard ["esco", "v1"].contains(ids) else { throw ValidationError("--ids must be esco or v1") }
        let escoSkill = "http://data.europa.eu/esco/skill/"
        let entries = try readJSONLines(Entry.self, path: path).filter { common.keep($0.split) }.map { e in
            var e = e
            // One id per gold span: zh spans carry matchd ids; en spans ESCO URIs, or matchd ids with --ids v1.
            for i in e.spans.indices where language == "en" {
                e.spans[i].competency = ids == "v1" ? e.spans[i].competencyV1
                    : e.spans[i].competency.map { $0.hasPrefix(escoSkill) ? "esco." + $0.dropFirst(escoSkill.count) : $0 }
            }
            return e
        }
        var c = Counts()
        var misses: [String] = []
        for e in entries {
            let found = extractor.extract(e.text)
            var predicted: [(span: TextSpan, ids: Set<String>)] = []
            for m in found.mentions {
                if let i = predicted.firstIndex(where: { $0.span == m.span }) {
                    if let id = m.competency { predicted[i].ids.insert(id) }
                } else {
                    predicted.append((m.span, Set([m.competency].compactMap { $0 })))
                }
            }
            c.gold += e.spans.count
            c.predicted += predicted.count
            // Greedy one-to-one pairing by overlap.
            var pairs: [(g: Int, p: Int, overlap: Int)] = []
            for (g, gs) in e.spans.enumerated() {
                for (p, ps) in predicted.enumerated() {
                    let overlap = min(gs.end, ps.span.end) - max(gs.start, ps.span.start)
                    if overlap > 0 { pairs.append((g, p, overlap)) }
                }
            }
            pairs.sort { $0.overlap > $1.overlap }
            var usedG = Set<Int>(), usedP = Set<Int>()
            for pair in pairs where !usedG.contains(pair.g) && !usedP.contains(pair.p) {
                usedG.insert(pair.g); usedP.insert(pair.p)
                c.overlapping += 1
                let gs = e.spans[pair.g], ps = predicted[pair.p]
                if gs.start == ps.span.start && gs.end == ps.span.end { c.exact += 1 }
                if let id = gs.competency {
                    c.goldWithID += 1
                    if ps.ids.contains(id) { c.idRight += 1 }
                }
            }
            if common.errors {
                for (g, gs) in e.spans.enumerated() where !usedG.contains(g) {
                    misses.append("\(e.id)\tmissed\t\(gs.text)\t\(gs.competency ?? "null")")
                }
                for (p, ps) in predicted.enumerated() where !usedP.contains(p) {
                    let text = String(String.UnicodeScalarView(Array(e.text.unicodeScalars)[ps.span.start..<ps.span.end]))
                    misses.append("\(e.id)\textra\t\(text)\t\(ps.ids.sorted().joined(separator: ","))")
                }
            }
            let goldIDs = Set(e.spans.compactMap(\.competency))
            let predictedIDs = predicted.reduce(into: Set<String>()) { $0.formUnion($1.ids) }
            c.labelGold += goldIDs.count
            c.labelPredicted += predictedIDs.count
            c.labelRight += goldIDs.intersection(predictedIDs).count
        }
        let table = Self.table(c, sentences: entries.count, label: label)
        print(table)
        for m in misses { print(m) }
        if common.write {
            try writeResult("reading-\(language)-\(model.manifest.id)-\(common.split)-\(label).md", """
                # Reading, \(language), \(common.split) split, \(label)

                `\(path)` (hand-annotated, see quality/reading/GUIDELINES.md), model `\(model.manifest.id)` \
                v\(model.manifest.version), written by `quality reading --language \(language) --ids \(ids) --split \(common.split) --label \(label) --write` (`--model` as named).
                \(machineLine())

                \(table)
                """)
        }
    }

    static func f1(_ p: Double, _ r: Double) -> Double { p + r > 0 ? 2 * p * r / (p + r) : 0 }

    static func table(_ c: Counts, sentences: Int, label: String) -> String {
        let pe = Double(c.exact) / Double(max(c.predicted, 1)), re = Double(c.exact) / Double(max(c.gold, 1))
        let po = Double(c.overlapping) / Double(max(c.predicted, 1)), ro = Double(c.overlapping) / Double(max(c.gold, 1))
        let pl = Double(c.labelRight) / Double(max(c.labelPredicted, 1)), rl = Double(c.labelRight) / Double(max(c.labelGold, 1))
        return """
            \(sentences) sentences, \(c.gold) gold spans (\(c.goldWithID) paired spans with a gold competency), \(c.predicted) predicted spans.

            | \(label) | precision | recall | F1 |
            |---|---|---|---|
            | spans, exact | \(percent(pe)) | \(percent(re)) | \(percent(f1(pe, re))) |
            | spans, overlapping | \(percent(po)) | \(percent(ro)) | \(percent(f1(po, ro))) |
            | competency labels per sentence (micro) | \(percent(pl)) | \(percent(rl)) | \(percent(f1(pl, rl))) |

            Competency accuracy on overlapping pairs with a gold competency: \
            \(percent(Double(c.idRight) / Double(max(c.goldWithID, 1)))) (\(c.idRight) of \(c.goldWithID)).
            """
    }
}
