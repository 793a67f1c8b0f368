import Matcher

/// Hashed character n-gram vectors of every competency name and alias, split by script, for the
/// extractor's fuzzy fallback (see `Extractor`).
///
/// Scoring a candidate against every alias would be one BLAS product with the whole alias matrix
/// (thousands of rows) per text, which measured at about 600 µs per posting on the bundled model.
/// So each script keeps an inverted index from bigram/trigram hash (`indexBuckets` keys) to alias
/// rows: a candidate's shortlist is the `shortlistSize` rows sharing the most n-grams with it (at
/// least `minimumShared` when it has four or more; a cosine of 0.6 is out of reach with a single
/// shared n-gram then), and one BLAS product (`Matrix.multiplied`) of the candidates by their gathered
/// shortlists gives the exact cosines.
///
/// Measured with EmbeddingsBench (`extract len=500`, bundled model, one thread, p50 or mean as
/// noted; the machine was shared, so compare within a row only):
///
/// | fuzzy step | extract |
/// |---|---|
/// | off | 11 µs p50 |
/// | every alias row, 512 buckets, one product per text | 675 µs p50 |
/// | shortlist 16 from a 512-bucket index, 512 buckets | 103 µs mean |
/// | shortlist 8 from the 65 536-key n-gram index, 256 buckets | 23 µs p50 |
///
/// 256 buckets keep the fixture typos above the 0.6 threshold (`ExtractionTests`).
///
/// Common n-grams ("in", "ng", "数据") have posting lists of hundreds of rows, and counting them
/// dominated the Latin shortlists. Skipping keys with more than `commonListLength` rows (when
/// `minimumRareKeys` remain) was measured on one-typo variants of every name and alias of the
/// bundled model (list lengths from a Python reading of the same n-grams; the miss rate from
/// `FuzzyIndexTests`, which compares with exhaustive scoring):
///
/// | common lists | entries counted per Latin / CJK candidate | exhaustive best missed |
/// |---|---|---|
/// | counted | 3 282 / 167 | 2 of 5 043 |
/// | skipped above 64 rows (chosen) | 357 / 92 | 4 of 5 043 |
/// | skipped above 24 rows | — | 26 of 5 043 |
///
/// Wall-clock times of the two settings were within the shared machine's noise (`extract`
/// p50 36–70 µs for either within the same hour), so the decision rests on the work counted.
struct FuzzyIndex: Sendable {
    /// Inverted-index keys: bigram and trigram hashes modulo this (finer than the vectors'
    /// buckets, so that a posting list holds the aliases that really share the n-gram).
    static let indexBuckets = 1 << 16

    /// The index keys of normalised scalars: FNV-1a of each bigram and trigram of the text padded
    /// with `#`, modulo `indexBuckets`, sorted, without repeats.
    static func indexKeys(_ text: ArraySlice<UInt32>) -> [Int] {
        var keys: [Int] = []
        let padded = text.count + 2
        keys.reserveCapacity(2 * padded)
        @inline(__always) func scalar(_ i: Int) -> UInt32 {
            i == 0 || i == text.count + 1 ? 0x23 : text[text.startIndex + i - 1]
        }
        for n in 2...3 where padded >= n {
            for i in 0...(padded - n) {
                var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(n)
                for k in i..<(i + n) {
                    h ^= UInt64(scalar(k))
                    h = h &* 0x0000_0100_0000_01B3
                }
                keys.append(Int(h % UInt64(indexBuckets)))
            }
        }
        keys.sort()
        var unique: [Int] = []
        unique.reserveCapacity(keys.count)
        for k in keys where unique.last != k { unique.append(k) }
        return unique
    }

    /// Rows compared per candidate.
    static let shortlistSize = 8
    /// Buckets a row must share with a candidate to be compared.
    static let minimumShared = 2
    /// Index keys with more rows than this are skipped when shortlisting, as long as
    /// `minimumRareKeys` others remain (see the table in the type's documentation).
    static let commonListLength = 64
    static let minimumRareKeys = 4

    struct Script: Sendable {
        /// Rows: L2-normalised n-gram vectors of names/aliases.
        let rows: Matrix
        let owner: [Int32]
        /// Index key `k`'s rows are `postings[postingStart[k] ..< postingStart[k + 1]]`.
        let postingStart: [Int32]
        let postings: [Int32]

        init(vectors: [Float], keys: [[UInt32]], owner: [Int32], dimension: Int) {
            let count = owner.count
            // Shapes agree by construction.
            rows = (try? Matrix(rows: count, columns: dimension, values: vectors)) ?? Matrix(rows: 0, columns: dimension)
            self.owner = owner
            var lists = [[Int32]](repeating: [], count: FuzzyIndex.indexBuckets)
            for r in 0..<count {
                for key in FuzzyIndex.indexKeys(keys[r][...]) where lists[key].last != Int32(r) { lists[key].append(Int32(r)) }
            }
            var start: [Int32] = [0]
            var flat: [Int32] = []
            for list in lists {
                flat.append(contentsOf: list)
                start.append(Int32(flat.count))
            }
            postingStart = start
            postings = flat
        }
    }

    let dimension: Int
    let latin: Script
    let cjk: Script

    init(model: CompetencyModel, normalizer: TextNormalizer, dimension: Int) {
        self.dimension = dimension
        var latinRows: [Float] = [], cjkRows: [Float] = []
        var latinOwner: [Int32] = [], cjkOwner: [Int32] = []
        var latinKeys: [[UInt32]] = [], cjkKeys: [[UInt32]] = []
        for (i, c) in model.competencies.enumerated() {
            var seen = Set<[UInt32]>()
            for text in [c.name.zh, c.name.en] + c.aliases.all {
                let key = Array(normalizer.key(text).unicodeScalars.map(\.value))
                guard !key.isEmpty, seen.insert(key).inserted else { continue }
                var vector = [Float](repeating: 0, count: dimension)
                Self.features(key[...], dimension: dimension) { vector[$0] = $1 }
                if key.contains(where: Scalars.isCJK) {
                    cjkRows.append(contentsOf: vector)
                    cjkOwner.append(Int32(i))
                    cjkKeys.append(key)
                } else {
                    latinRows.append(contentsOf: vector)
                    latinOwner.append(Int32(i))
                    latinKeys.append(key)
                }
            }
        }
        latin = Script(vectors: latinRows, keys: latinKeys, owner: latinOwner, dimension: dimension)
        cjk = Script(vectors: cjkRows, keys: cjkKeys, owner: cjkOwner, dimension: dimension)
    }

    /// The L2-normalised hashed n-gram vector of normalised scalars, as (bucket, value) pairs
    /// passed to `body` once per non-zero bucket: the text padded with `#`, its bigrams and
    /// trigrams, plus one unigram per CJK scalar; FNV-1a of (n, scalars) mod `dimension`.
    static func features(_ text: ArraySlice<UInt32>, dimension: Int, _ body: (Int, Float) -> Void) {
        features(text, dimension: dimension, unigrams: true, body)
    }

    /// `features`, optionally without the CJK unigrams (the inverted index leaves them out: a
    /// common character would put most rows on every shortlist).
    static func features(_ text: ArraySlice<UInt32>, dimension: Int, unigrams: Bool, _ body: (Int, Float) -> Void) {
        var buckets: [Int] = []
        buckets.reserveCapacity(3 * text.count + 4)
        @inline(__always) func scalar(_ i: Int) -> UInt32 {
            i == 0 || i == text.count + 1 ? 0x23 : text[text.startIndex + i - 1]
        }
        let padded = text.count + 2
        for n in 2...3 where padded >= n {
            for i in 0...(padded - n) {
                var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(n)
                for k in i..<(i + n) {
                    h ^= UInt64(scalar(k))
                    h = h &* 0x0000_0100_0000_01B3
                }
                buckets.append(Int(h % UInt64(dimension)))
            }
        }
        for v in text where unigrams && Scalars.isCJK(v) {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ 1
            h ^= UInt64(v)
            h = h &* 0x0000_0100_0000_01B3
            buckets.append(Int(h % UInt64(dimension)))
        }
        buckets.sort()
        var norm: Float = 0
        var i = 0
        while i < buckets.count {
            var j = i
            while j < buckets.count, buckets[j] == buckets[i] { j += 1 }
            norm += Float((j - i) * (j - i))
            i = j
        }
        guard norm > 0 else { return }
        let inv = 1 / norm.squareRoot()
        i = 0
        while i < buckets.count {
            var j = i
            while j < buckets.count, buckets[j] == buckets[i] { j += 1 }
            body(buckets[i], Float(j - i) * inv)
            i = j
        }
    }

    /// For each candidate, the best (owner, cosine) among the shortlisted rows of its script.
    func bestMatches(_ candidates: [ArraySlice<UInt32>]) -> [(Int32, Float)] {
        var out = [(Int32, Float)](repeating: (-1, 0), count: candidates.count)
        for useCJK in [false, true] {
            let script = useCJK ? cjk : latin
            let picked = candidates.indices.filter { candidates[$0].contains(where: Scalars.isCJK) == useCJK }
            guard !picked.isEmpty, script.rows.rows > 0 else { continue }
            var queries = [Float](repeating: 0, count: picked.count * dimension)
            var shortlist: [Int32] = []
            var counts = [UInt16](repeating: 0, count: script.rows.rows)
            var touched: [Int32] = []
            touched.reserveCapacity(256)
            for (q, i) in picked.enumerated() {
                Self.features(candidates[i], dimension: dimension) { b, value in queries[q * dimension + b] = value }
                var indexed = Self.indexKeys(candidates[i])
                script.postingStart.withUnsafeBufferPointer { start in
                    // Common n-grams ("in", "数据") say little and cost the most to count: they
                    // are left out when enough rarer ones remain.
                    func isCommon(_ key: Int) -> Bool { Int(start[key + 1] - start[key]) > Self.commonListLength }
                    if indexed.count - indexed.count(where: isCommon) >= Self.minimumRareKeys { indexed.removeAll(where: isCommon) }
                }
                counts.withUnsafeMutableBufferPointer { counts in
                    script.postingStart.withUnsafeBufferPointer { start in
                        script.postings.withUnsafeBufferPointer { postings in
                            for b in indexed {
                                for k in Int(start[b])..<Int(start[b + 1]) {
                                    let row = Int(postings[k])
                                    if counts[row] == 0 { touched.append(Int32(row)) }
                                    counts[row] &+= 1
                                }
                            }
                        }
                    }
                    let needed = UInt16(indexed.count >= 4 ? Self.minimumShared : 1)
                    // The `shortlistSize` rows with the most shared n-grams (ties: lower row), by
                    // insertion into a short sorted list.
                    var best: [(count: UInt16, row: Int32)] = []
                    best.reserveCapacity(Self.shortlistSize + 1)
                    for row in touched {
                        let c = counts[Int(row)]
                        guard c >= needed else { continue }
                        if best.count == Self.shortlistSize {
                            let worst = best[best.count - 1]
                            guard c > worst.count || (c == worst.count && row < worst.row) else { continue }
                            best.removeLast()
                        }
                        var at = best.count
                        while at > 0, best[at - 1].count < c || (best[at - 1].count == c && best[at - 1].row > row) { at -= 1 }
                        best.insert((c, row), at: at)
                    }
                    for entry in best { shortlist.append(entry.row) }
                    for row in touched { counts[Int(row)] = 0 }
                }
                touched.removeAll(keepingCapacity: true)
            }
            guard !shortlist.isEmpty else { continue }
            shortlist.sort()
            var unique: [Int32] = []
            for row in shortlist where unique.last != row { unique.append(row) }
            var gathered = [Float](repeating: 0, count: unique.count * dimension)
            script.rows.values.withUnsafeBufferPointer { rows in
                for (k, row) in unique.enumerated() {
                    for b in 0..<dimension { gathered[k * dimension + b] = rows[Int(row) * dimension + b] }
                }
            }
            // Shapes agree by construction.
            guard let q = try? Matrix(rows: picked.count, columns: dimension, values: queries),
                  let r = try? Matrix(rows: unique.count, columns: dimension, values: gathered),
                  let scores = try? q.multiplied(by: r, transposingOther: true) else { continue }
            for (qi, i) in picked.enumerated() {
                var best: Float = -1, owner: Int32 = -1
                for (k, row) in unique.enumerated() {
                    let s = scores.values[qi * unique.count + k]
                    if s > best { best = s; owner = script.owner[Int(row)] }
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
            if e - s > 4, scalars[s] == 0x61, scalars[s + 1] == 0x6E, scalars[s + 2] == 0x64, scalars[s + 3] == 0x20 { s += 4 }
            if e - s > 3, scalars[s] == 0x6F, scalars[s + 1] == 0x72, scalars[s + 2] == 0x20 { s += 3 }
            let length = e - s
            guard length >= 2, length <= 32 else { return }
            let slice = ArraySlice(scalars[s..<e])
            let isCJK = slice.contains(where: Scalars.isCJK)
            if !isCJK {
                var letters = 0
                for v in slice where Scalars.isLetter(v) { letters += 1 }
                if letters < 3 { return }
            }
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
        let matches = fuzzyIndex.bestMatches(pieces.map { ArraySlice(scalars[$0.start..<$0.end]) })
        var out: [Hit] = []
        for (piece, match) in zip(pieces, matches) where match.0 >= 0 && match.1 >= configuration.fuzzyThreshold {
            out.append(Hit(start: piece.start, end: piece.end, payload: -1, fuzzyCompetency: match.0, fuzzyScore: match.1,
                           clause: piece.clause))
        }
        return out
    }
}
