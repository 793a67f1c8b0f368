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
/// bundled model (`FuzzyIndexTests`: each variant's own shortlist against exhaustive scoring of
/// every row of its script; a miss there also lost the competency in every case):
///
/// | common lists | entries counted per Latin / CJK candidate | exhaustive best missed |
/// |---|---|---|
/// | counted | 3 266 / 163 | 5 of 5 043 |
/// | skipped above 256 rows | 1 702 / 163 | 5 of 5 043 |
/// | skipped above 128 rows (chosen) | 756 / 143 | 6 of 5 043 |
/// | skipped above 64 rows | 360 / 88 | 46 of 5 043 |
/// | skipped above 24 rows | 143 / 44 | 171 of 5 043 |
///
/// Wall-clock differences between these settings stay inside the shared machine's noise (a text
/// has at most `maxFuzzyCandidates` candidates), so the choice rests on the work counted: 128
/// keeps the misses at the exhaustive level for a quarter of the counting.
struct FuzzyIndex: Sendable {
    /// Inverted-index keys: bigram and trigram hashes modulo this (finer than the vectors'
    /// buckets, so that a posting list holds the aliases that really share the n-gram).
    static let indexBuckets = 1 << 16

    /// Hashes of the bigrams and trigrams of `text` padded with `#` (FNV-1a of (n, scalars)),
    /// plus one per CJK scalar when `unigrams`, modulo `modulo`, sorted, into `out` (emptied first).
    static func ngramHashes(_ text: UnsafeBufferPointer<UInt32>, modulo: Int, unigrams: Bool, into out: inout [Int]) {
        out.removeAll(keepingCapacity: true)
        let padded = text.count + 2
        @inline(__always) func scalar(_ i: Int) -> UInt32 { i == 0 || i == padded - 1 ? 0x23 : text[i - 1] }
        let m = UInt64(modulo)
        for n in 2...3 where padded >= n {
            for i in 0...(padded - n) {
                var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(n)
                for k in i..<(i + n) {
                    h ^= UInt64(scalar(k))
                    h = h &* 0x0000_0100_0000_01B3
                }
                out.append(Int(h % m))
            }
        }
        if unigrams {
            for v in text where Scalars.isCJK(v) {
                let h = ((0xCBF2_9CE4_8422_2325 ^ 1) ^ UInt64(v)) &* 0x0000_0100_0000_01B3
                out.append(Int(h % m))
            }
        }
        out.sort()
    }

    /// The index keys of normalised scalars: the bigram and trigram hashes modulo `indexBuckets`,
    /// without repeats, into `out`.
    static func indexKeys(_ text: UnsafeBufferPointer<UInt32>, into out: inout [Int]) {
        ngramHashes(text, modulo: indexBuckets, unigrams: false, into: &out)
        var kept = 0
        for k in out.indices where kept == 0 || out[kept - 1] != out[k] {
            out[kept] = out[k]
            kept += 1
        }
        out.removeLast(out.count - kept)
    }

    static func indexKeys(_ text: ArraySlice<UInt32>) -> [Int] {
        var out: [Int] = []
        text.withUnsafeBufferPointer { indexKeys($0, into: &out) }
        return out
    }

    /// Rows compared per candidate.
    static let shortlistSize = 8
    /// Buckets a row must share with a candidate to be compared.
    static let minimumShared = 2
    /// Index keys with more rows than this are skipped when shortlisting, as long as
    /// `minimumRareKeys` others remain (see the table in the type's documentation).
    static let commonListLength = 128
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
    /// passed to `body` once per non-zero bucket, in bucket order: the text padded with `#`, its
    /// bigrams and trigrams, plus one unigram per CJK scalar; FNV-1a of (n, scalars) mod
    /// `dimension`. `scratch` holds the hashes.
    static func features(_ text: UnsafeBufferPointer<UInt32>, dimension: Int, scratch: inout [Int],
                         _ body: (Int, Float) -> Void) {
        ngramHashes(text, modulo: dimension, unigrams: true, into: &scratch)
        let buckets = scratch
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

    static func features(_ text: ArraySlice<UInt32>, dimension: Int, _ body: (Int, Float) -> Void) {
        var scratch: [Int] = []
        text.withUnsafeBufferPointer { features($0, dimension: dimension, scratch: &scratch, body) }
    }

    /// Candidates scored by one BLAS product per `chunkSize` candidates (against the rows of
    /// their shortlists), so that memory stays bounded however many candidates come.
    static let chunkSize = 16

    /// For each candidate, the best (owner, cosine) among the shortlisted rows of its script
    /// (ties: the lower row); (-1, 0) when nothing is shortlisted.
    func bestMatches(_ candidates: [ArraySlice<UInt32>]) -> [(Int32, Float)] {
        var flat: [UInt32] = []
        var ranges: [Range<Int>] = []
        for c in candidates {
            ranges.append(flat.count..<(flat.count + c.count))
            flat.append(contentsOf: c)
        }
        return flat.withUnsafeBufferPointer { bestMatches(in: $0, ranges: ranges) }
    }

    /// `bestMatches` of the candidates `scalars[ranges[i]]`. Buffers are allocated once per call.
    func bestMatches(in scalars: UnsafeBufferPointer<UInt32>, ranges: [Range<Int>]) -> [(Int32, Float)] {
        var out = [(Int32, Float)](repeating: (-1, 0), count: ranges.count)
        let d = dimension
        var hashes: [Int] = []
        hashes.reserveCapacity(64)
        var counts = [UInt16](repeating: 0, count: max(latin.rows.rows, cjk.rows.rows))
        var touched: [Int32] = []
        touched.reserveCapacity(256)
        var best: [(count: UInt16, row: Int32)] = []
        best.reserveCapacity(Self.shortlistSize + 1)
        let chunk = min(Self.chunkSize, ranges.count)
        var queries = [Float](repeating: 0, count: chunk * d)
        var gathered: [Float] = []
        gathered.reserveCapacity(chunk * Self.shortlistSize * d)
        // Per gathered row: its owner and row in the script; per candidate: where its rows end.
        var gatheredOwner: [(owner: Int32, row: Int32)] = []
        var rowsEnd = [Int](repeating: 0, count: chunk)

        for chunkStart in stride(from: 0, to: ranges.count, by: chunk) {
            let chunkEnd = min(chunkStart + chunk, ranges.count)
            queries.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            gathered.removeAll(keepingCapacity: true)
            gatheredOwner.removeAll(keepingCapacity: true)
            for c in chunkStart..<chunkEnd {
                let q = c - chunkStart
                defer { rowsEnd[q] = gatheredOwner.count }
                let text = UnsafeBufferPointer(rebasing: scalars[ranges[c]])
                let script = text.contains(where: Scalars.isCJK) ? cjk : latin
                guard script.rows.rows > 0 else { continue }
                Self.features(text, dimension: d, scratch: &hashes) { b, value in queries[q * d + b] = value }
                Self.indexKeys(text, into: &hashes)
                script.shortlist(keys: &hashes, counts: &counts, touched: &touched, best: &best)
                script.rows.values.withUnsafeBufferPointer { rows in
                    for entry in best {
                        gathered.append(contentsOf: rows[(Int(entry.row) * d)..<(Int(entry.row) * d + d)])
                        gatheredOwner.append((script.owner[Int(entry.row)], entry.row))
                    }
                }
            }
            guard !gatheredOwner.isEmpty else { continue }
            // Shapes agree by construction.
            guard let q = try? Matrix(rows: chunk, columns: d, values: queries),
                  let r = try? Matrix(rows: gatheredOwner.count, columns: d, values: gathered),
                  let scores = try? q.multiplied(by: r, transposingOther: true) else { continue }
            var from = 0
            for c in chunkStart..<chunkEnd {
                let q = c - chunkStart
                var top: Float = -1, owner: Int32 = -1, topRow = Int32.max
                for k in from..<rowsEnd[q] {
                    let s = scores.values[q * gatheredOwner.count + k]
                    let entry = gatheredOwner[k]
                    if s > top || (s == top && entry.row < topRow) { (top, owner, topRow) = (s, entry.owner, entry.row) }
                }
                if owner >= 0 { out[c] = (owner, top) }
                from = rowsEnd[q]
            }
        }
        return out
    }
}

extension FuzzyIndex.Script {
    /// The `FuzzyIndex.shortlistSize` rows sharing the most index keys with a candidate (ties:
    /// lower row), into `best`; rows sharing fewer than `minimumShared` are left out when the
    /// candidate has four keys or more. `counts` is all zeros on entry and on return; `keys` loses
    /// its common keys.
    func shortlist(keys: inout [Int], counts: inout [UInt16], touched: inout [Int32],
                   best: inout [(count: UInt16, row: Int32)]) {
        best.removeAll(keepingCapacity: true)
        touched.removeAll(keepingCapacity: true)
        postingStart.withUnsafeBufferPointer { start in
            // Common n-grams ("in", "数据") say little and cost the most to count: they are left
            // out when enough rarer ones remain.
            func isCommon(_ key: Int) -> Bool { Int(start[key + 1] - start[key]) > FuzzyIndex.commonListLength }
            if keys.count - keys.count(where: isCommon) >= FuzzyIndex.minimumRareKeys { keys.removeAll(where: isCommon) }
            counts.withUnsafeMutableBufferPointer { counts in
                postings.withUnsafeBufferPointer { postings in
                    for b in keys {
                        for k in Int(start[b])..<Int(start[b + 1]) {
                            let row = Int(postings[k])
                            if counts[row] == 0 { touched.append(Int32(row)) }
                            counts[row] &+= 1
                        }
                    }
                }
                let needed = UInt16(keys.count >= 4 ? FuzzyIndex.minimumShared : 1)
                // By insertion into a short sorted list.
                for row in touched {
                    let c = counts[Int(row)]
                    counts[Int(row)] = 0
                    guard c >= needed else { continue }
                    if best.count == FuzzyIndex.shortlistSize {
                        let worst = best[best.count - 1]
                        guard c > worst.count || (c == worst.count && row < worst.row) else { continue }
                        best.removeLast()
                    }
                    var at = best.count
                    while at > 0, best[at - 1].count < c || (best[at - 1].count == c && best[at - 1].row > row) { at -= 1 }
                    best.insert((c, row), at: at)
                }
            }
        }
    }
}
