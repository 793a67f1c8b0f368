@testable import Embeddings
import Matcher
import Testing

/// The fuzzy fallback's shortlist (inverted n-gram index, common n-grams skipped) against
/// exhaustive scoring of every alias row: on one-typo variants of the bundled model's names and
/// aliases, the shortlist must find the exhaustive best cosine whenever that cosine clears the
/// extractor's threshold, in all but a small, measured share of cases.
@Suite(.enabled(if: Bundled.isPresent, "the bundled model is not in this checkout"))
struct FuzzyIndexTests {
    @Test func shortlistFindsTheExhaustiveBest() throws {
        let model = BundledModel.model
        let extractor = BundledModel.extractor
        let index = extractor.fuzzyIndex
        let threshold = extractor.configuration.fuzzyThreshold
        let d = index.dimension
        var variants: [[UInt32]] = []
        for c in model.competencies {
            for text in [c.name.zh, c.name.en] + c.aliases.all {
                let key = Array(extractor.normalizer.key(text).unicodeScalars.map(\.value))
                guard key.count >= 5, key.count <= 32 else { continue }
                var dropped = key
                dropped.remove(at: key.count / 2)
                var swapped = key
                swapped.swapAt(key.count / 2, key.count / 2 - 1)
                variants.append(dropped)
                if swapped != key { variants.append(swapped) }
            }
        }
        let found = index.bestMatches(variants.map { $0[...] })
        // Exhaustive: every variant against every row of its script, one product per script.
        var exhaustive = [Float](repeating: -1, count: variants.count)
        var exhaustiveOwners = [Set<Int32>](repeating: [], count: variants.count)
        for useCJK in [false, true] {
            let script = useCJK ? index.cjk : index.latin
            let picked = variants.indices.filter { variants[$0].contains(where: Scalars.isCJK) == useCJK }
            var queries = [Float](repeating: 0, count: picked.count * d)
            for (q, i) in picked.enumerated() { FuzzyIndex.features(variants[i][...], dimension: d) { queries[q * d + $0] = $1 } }
            let scores = try Matrix(rows: picked.count, columns: d, values: queries)
                .multiplied(by: script.rows, transposingOther: true)
            for (q, i) in picked.enumerated() {
                for r in 0..<script.rows.rows { exhaustive[i] = max(exhaustive[i], scores.values[q * script.rows.rows + r]) }
                for r in 0..<script.rows.rows where abs(scores.values[q * script.rows.rows + r] - exhaustive[i]) <= 1e-4 {
                    exhaustiveOwners[i].insert(script.owner[r])
                }
            }
        }
        var considered = 0, missed = 0, wrongCompetency = 0
        var examples: [String] = []
        for (i, match) in found.enumerated() where exhaustive[i] >= threshold {
            considered += 1
            if abs(match.1 - exhaustive[i]) > 1e-4 {
                missed += 1
                // Whether the shortlist's best still clears the threshold for a competency the
                // exhaustive best names.
                if !(match.1 >= threshold && exhaustiveOwners[i].contains(match.0)) { wrongCompetency += 1 }
                if examples.count < 5 {
                    examples.append(String(String.UnicodeScalarView(variants[i].compactMap(Unicode.Scalar.init))) + " \(match.1) < \(exhaustive[i])")
                }
            }
        }
        let missRate = Double(missed) / Double(max(considered, 1))
        print("fuzzy shortlist: \(considered) typo variants above \(threshold), \(missed) miss the exhaustive best (\(missRate)), \(wrongCompetency) of them lose its competency")
        #expect(considered > 1000)
        #expect(missRate <= 0.005, "\(missed) of \(considered) missed, e.g. \(examples)")
    }
}
