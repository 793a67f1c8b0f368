import Matcher

extension Extractor {
    /// Fuzzy candidates (see the type's documentation) and their matches above the threshold.
    func fuzzyHits(scalars: UnsafeBufferPointer<UInt32>, hits: [Hit], clauses: [Clause]) -> [Hit] {
        let n = scalars.count
        guard n > 0 else { return [] }
        var covered = [Bool](repeating: false, count: n + 1)
        for hit in hits { for i in hit.start..<hit.end { covered[i] = true } }
        var pieces: [(start: Int, end: Int, clause: Int)] = []
        let limit = configuration.maxFuzzyCandidates

        func isSeparator(_ v: UInt32) -> Bool {
            switch v {
            case 0x2F, 0x3001, 0x2C, 0x26, 0x28, 0x29, 0x548C, 0x53CA, 0x4E0E, 0x6216, 0x7B49, 0x3A, 0x22, 0x27, 0x3C, 0x3E,
                 0x5B, 0x5D, 0x7C, 0x3002, 0x3B, 0x0A: return true
            default: return false
            }
        }
        func addPiece(_ start: Int, _ end: Int, clause: Int) {
            var s = start, e = end
            while s < e, scalars[s] == 0x20 { s += 1 }
            while e > s, scalars[e - 1] == 0x20 { e -= 1 }
            // Latin connectors at the edges.
            if e - s > 4, scalars[s] == 0x61, scalars[s + 1] == 0x6E, scalars[s + 2] == 0x64, scalars[s + 3] == 0x20 { s += 4 }
            if e - s > 3, scalars[s] == 0x6F, scalars[s + 1] == 0x72, scalars[s + 2] == 0x20 { s += 3 }
            let length = e - s
            guard length >= 2, length <= 32 else { return }
            let slice = UnsafeBufferPointer(rebasing: scalars[s..<e])
            if !slice.contains(where: Scalars.isCJK) {
                var letters = 0
                for v in slice where Scalars.isLetter(v) { letters += 1 }
                if letters < 3 { return }
            }
            // A piece already taken (at most `limit` to compare).
            guard pieces.count < limit, !pieces.contains(where: { $0.end - $0.start == length
                && UnsafeBufferPointer(rebasing: scalars[$0.start..<$0.end]).elementsEqual(slice) }) else { return }
            pieces.append((s, e, clause))
        }
        // Pieces after skill cues, up to the clause end.
        for hit in hits where hit.fuzzyCompetency < 0 {
            guard pieces.count < limit else { break }
            guard payloads[Int(hit.payload)].flags.contains(.skillCue) else { continue }
            let clauseEnd = clauses[hit.clause].end
            var start = hit.end
            var i = hit.end
            while i <= clauseEnd {
                if i < clauseEnd, i > start, !covered[i], !covered[i - 1],
                   (Scalars.isCJK(scalars[i]) && Scalars.isWord(scalars[i - 1]))
                    || (Scalars.isWord(scalars[i]) && Scalars.isCJK(scalars[i - 1])) {
                    // A change of script ends a piece ("Pytorh训练" → "Pytorh", "训练").
                    addPiece(start, i, clause: hit.clause)
                    start = i
                }
                if i == clauseEnd || covered[i] || isSeparator(scalars[i])
                    || (scalars[i] == 0x20 && i + 4 <= n && ((scalars[i + 1] == 0x61 && scalars[i + 2] == 0x6E && scalars[i + 3] == 0x64)
                                                             || (scalars[i + 1] == 0x6F && scalars[i + 2] == 0x72))) {
                    if i > start { addPiece(start, i, clause: hit.clause) }
                    start = i + 1
                }
                i += 1
            }
        }
        // In mostly-Chinese text, unmatched Latin tokens.
        var cjk = 0, latin = 0
        for v in scalars { if Scalars.isCJK(v) { cjk += 1 } else if Scalars.isLetter(v) { latin += 1 } }
        if cjk > latin {
            var i = 0, clause = 0
            while i < n, pieces.count < limit {
                if Scalars.isLetter(scalars[i]) && (i == 0 || !Scalars.isWord(scalars[i - 1])) {
                    var e = i
                    while e < n, Scalars.isWord(scalars[e]) || ((scalars[e] == 0x2B || scalars[e] == 0x23) && e > i) { e += 1 }
                    if !(i..<e).contains(where: { covered[$0] }) {
                        while clauses[clause].end < i { clause += 1 }
                        addPiece(i, e, clause: clause)
                    }
                    i = e
                } else {
                    i += 1
                }
            }
        }
        guard !pieces.isEmpty else { return [] }
        let matches = fuzzyIndex.bestMatches(in: scalars, ranges: pieces.map { $0.start..<$0.end })
        var out: [Hit] = []
        for (piece, match) in zip(pieces, matches) where match.0 >= 0 && match.1 >= configuration.fuzzyThreshold {
            out.append(Hit(start: piece.start, end: piece.end, payload: -1, fuzzyCompetency: match.0, fuzzyScore: match.1,
                           clause: piece.clause))
        }
        return out
    }
}
