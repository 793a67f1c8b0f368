import Matcher

/// Hashed character n-gram vectors of every competency name and alias, split by script, for the
/// extractor's fuzzy fallback (see `Extractor`).
struct FuzzyIndex: Sendable {
    let dimension: Int
    /// Rows: L2-normalised n-gram vectors of names/aliases written in Latin script.
    let latin: Matrix
    let latinOwner: [Int32]
    /// Rows: names/aliases containing CJK.
    let cjk: Matrix
    let cjkOwner: [Int32]

    init(model: CompetencyModel, normalizer: TextNormalizer, dimension: Int) {
        self.dimension = dimension
        var latinRows: [Float] = [], cjkRows: [Float] = []
        var latinOwner: [Int32] = [], cjkOwner: [Int32] = []
        for (i, c) in model.competencies.enumerated() {
            var seen = Set<[UInt32]>()
            for text in [c.name.zh, c.name.en] + c.aliases.all {
                let key = Array(normalizer.key(text).unicodeScalars.map(\.value))
                guard !key.isEmpty, seen.insert(key).inserted else { continue }
                let vector = Self.vector(key[...], dimension: dimension)
                if key.contains(where: Scalars.isCJK) {
                    cjkRows.append(contentsOf: vector)
                    cjkOwner.append(Int32(i))
                } else {
                    latinRows.append(contentsOf: vector)
                    latinOwner.append(Int32(i))
                }
            }
        }
        // Shapes agree by construction.
        self.latin = (try? Matrix(rows: latinOwner.count, columns: dimension, values: latinRows)) ?? Matrix(rows: 0, columns: dimension)
        self.cjk = (try? Matrix(rows: cjkOwner.count, columns: dimension, values: cjkRows)) ?? Matrix(rows: 0, columns: dimension)
        self.latinOwner = latinOwner
        self.cjkOwner = cjkOwner
    }

    /// The L2-normalised hashed n-gram vector of normalised scalars: the text padded with `#`,
    /// its bigrams and trigrams, plus one unigram per CJK scalar; FNV-1a of (n, scalars) mod
    /// `dimension`.
    static func vector(_ text: ArraySlice<UInt32>, dimension: Int) -> [Float] {
        var v = [Float](repeating: 0, count: dimension)
        var padded: [UInt32] = [0x23]
        padded.append(contentsOf: text)
        padded.append(0x23)
        func add(_ gram: ArraySlice<UInt32>) {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(gram.count)
            for s in gram {
                h ^= UInt64(s)
                h = h &* 0x0000_0100_0000_01B3
            }
            v[Int(h % UInt64(dimension))] += 1
        }
        for n in 2...3 where padded.count >= n {
            for i in 0...(padded.count - n) { add(padded[i..<(i + n)]) }
        }
        for i in padded.indices where Scalars.isCJK(padded[i]) { add(padded[i...i]) }
        var norm: Float = 0
        for x in v { norm += x * x }
        if norm > 0 {
            let inv = 1 / norm.squareRoot()
            for i in v.indices { v[i] *= inv }
        }
        return v
    }

    /// For each candidate, the best (owner, cosine) among rows of its script, by one BLAS product
    /// per script.
    func bestMatches(_ candidates: [ArraySlice<UInt32>]) -> [(Int32, Float)] {
        var out = [(Int32, Float)](repeating: (-1, 0), count: candidates.count)
        for useCJK in [false, true] {
            let rows = useCJK ? cjk : latin
            let owners = useCJK ? cjkOwner : latinOwner
            let picked = candidates.indices.filter { candidates[$0].contains(where: Scalars.isCJK) == useCJK }
            guard !picked.isEmpty, rows.rows > 0 else { continue }
            var values: [Float] = []
            values.reserveCapacity(picked.count * dimension)
            for i in picked { values.append(contentsOf: Self.vector(candidates[i], dimension: dimension)) }
            guard let queries = try? Matrix(rows: picked.count, columns: dimension, values: values),
                  let scores = try? queries.multiplied(by: rows, transposingOther: true) else { continue }
            for (q, i) in picked.enumerated() {
                var best: Float = -1, owner: Int32 = -1
                let row = scores.row(q)
                for (j, s) in zip(row.indices, row) where s > best {
                    best = s
                    owner = owners[j - row.startIndex]
                }
                out[i] = (owner, best)
            }
        }
        return out
    }
}

extension Extractor {
    /// Fuzzy candidates (see the type's documentation) and their matches above the threshold.
    func fuzzyHits(scalars: UnsafeBufferPointer<UInt32>, hits: [Hit], clauses: [Clause]) -> [Hit] {
        let n = scalars.count
        guard n > 0 else { return [] }
        var covered = [Bool](repeating: false, count: n + 1)
        for hit in hits { for i in hit.start..<hit.end { covered[i] = true } }
        var pieces: [(start: Int, end: Int, clause: Int)] = []
        var seen = Set<ArraySlice<UInt32>>()
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
            for word: [UInt32] in [[0x61, 0x6E, 0x64, 0x20], [0x6F, 0x72, 0x20]] where e - s > word.count {
                if Array(scalars[s..<(s + word.count)]) == word { s += word.count }
            }
            let length = e - s
            guard length >= 2, length <= 32 else { return }
            let slice = ArraySlice(scalars[s..<e])
            let isCJK = slice.contains(where: Scalars.isCJK)
            if !isCJK, slice.filter(Scalars.isLetter).count < 3 { return }
            if isCJK, length < 2 { return }
            guard seen.insert(slice).inserted, pieces.count < limit else { return }
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
                    || (scalars[i] == 0x20 && i + 4 <= n && (Array(scalars[i..<(i + 4)]) == [0x20, 0x61, 0x6E, 0x64]
                                                             || Array(scalars[i..<(i + 3)]) == [0x20, 0x6F, 0x72])) {
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
        let matches = fuzzyIndex.bestMatches(pieces.map { ArraySlice(scalars[$0.start..<$0.end]) })
        var out: [Hit] = []
        for (piece, match) in zip(pieces, matches) where match.0 >= 0 && match.1 >= configuration.fuzzyThreshold {
            out.append(Hit(start: piece.start, end: piece.end, payload: -1, fuzzyCompetency: match.0, fuzzyScore: match.1,
                           clause: piece.clause))
        }
        return out
    }
}
