import Foundation

/// A TF-IDF index of short normalised texts by their character n-grams, searched by cosine
/// through an inverted index (only documents sharing a token with the query are touched).
///
/// Tokens of a text (`tokens(of:)`): every CJK scalar and CJK bigram, every Latin or digit
/// word ("java", "stm32"), and, with `marksEnds`, the last CJK scalar and bigram of every
/// piece again as *end tokens* (Chinese job titles are head-final: 工程师, 运营, 司机 name the
/// work, what precedes them narrows it). Weight `(1 + ln tf) · idf`, `idf = ln((N + 1) / (df + 1)) + 1`;
/// documents are L2-normalised, so `scores` are cosines.
struct NGramIndex: Sendable {
    let marksEnds: Bool
    /// Token hash → token number.
    let vocabulary: [UInt64: Int32]
    let idf: [Float]
    /// Postings of token `t`: `postStart[t] ..< postStart[t + 1]` in `postDoc` / `postWeight`.
    let postStart: [Int32]
    let postDoc: [Int32]
    let postWeight: [Float]
    let documentCount: Int
    /// The idf of a token no document has.
    let unseenIDF: Float

    init(documents: [[UInt32]], marksEnds: Bool) {
        self.marksEnds = marksEnds
        var vocabulary: [UInt64: Int32] = [:]
        var df: [Int32] = []
        var docTokens: [[(Int32, Float)]] = []
        docTokens.reserveCapacity(documents.count)
        for doc in documents {
            var counts: [Int32: Float] = [:]
            Self.forEachToken(doc, marksEnds: marksEnds) { h in
                let t: Int32
                if let known = vocabulary[h] { t = known } else {
                    t = Int32(df.count); vocabulary[h] = t; df.append(0)
                }
                counts[t, default: 0] += 1
            }
            for t in counts.keys { df[Int(t)] += 1 }
            docTokens.append(counts.map { ($0.key, $0.value) })
        }
        let n = Float(documents.count)
        let idf = df.map { logf((n + 1) / (Float($0) + 1)) + 1 }
        var postings = [[(Int32, Float)]](repeating: [], count: df.count)
        for (d, tokens) in docTokens.enumerated() {
            var norm: Float = 0
            let weighted = tokens.map { t, tf -> (Int32, Float) in
                let w = (1 + logf(tf)) * idf[Int(t)]
                norm += w * w
                return (t, w)
            }
            let scale = norm > 0 ? 1 / norm.squareRoot() : 0
            for (t, w) in weighted { postings[Int(t)].append((Int32(d), w * scale)) }
        }
        var postStart: [Int32] = [0]
        var postDoc: [Int32] = [], postWeight: [Float] = []
        for list in postings {
            for (d, w) in list { postDoc.append(d); postWeight.append(w) }
            postStart.append(Int32(postDoc.count))
        }
        self.vocabulary = vocabulary
        self.idf = idf
        self.postStart = postStart
        self.postDoc = postDoc
        self.postWeight = postWeight
        self.documentCount = documents.count
        self.unseenIDF = logf(n + 1) + 1
    }

    /// The query's weighted tokens (known ones) and its norm (unknown tokens count in the norm).
    func query(_ text: [UInt32], limit: Int = .max) -> (tokens: [(Int32, Float)], norm: Float) {
        var counts: [UInt64: Float] = [:]
        Self.forEachToken(text, marksEnds: marksEnds) { counts[$0, default: 0] += 1 }
        var tokens: [(Int32, Float)] = []
        tokens.reserveCapacity(counts.count)
        var norm: Float = 0
        for (h, tf) in counts {
            if let t = vocabulary[h] {
                let w = (1 + logf(tf)) * idf[Int(t)]
                tokens.append((t, w))
                norm += w * w
            } else {
                let w = (1 + logf(tf)) * unseenIDF
                norm += w * w
            }
        }
        if tokens.count > limit {
            // The most informative tokens of a long text; the norm keeps them all.
            tokens.sort { $0.1 > $1.1 }
            tokens.removeLast(tokens.count - limit)
        }
        return (tokens, norm.squareRoot())
    }

    /// Adds `scale ×` the cosine of the query with every document into `scores` (one slot per document).
    func accumulate(_ query: (tokens: [(Int32, Float)], norm: Float), scale: Float = 1, into scores: inout [Float]) {
        guard query.norm > 0 else { return }
        let s = scale / query.norm
        postStart.withUnsafeBufferPointer { start in
            postDoc.withUnsafeBufferPointer { doc in
                postWeight.withUnsafeBufferPointer { weight in
                    scores.withUnsafeMutableBufferPointer { out in
                        for (t, w) in query.tokens {
                            let qw = w * s
                            for k in Int(start[Int(t)])..<Int(start[Int(t) + 1]) {
                                out[Int(doc[k])] += qw * weight[k]
                            }
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with the hash of every token of `text` (normalised scalars).
    static func forEachToken(_ text: [UInt32], marksEnds: Bool, _ body: (UInt64) -> Void) {
        let n = text.count
        var i = 0
        var previousCJK: UInt32 = 0
        while i < n {
            let v = text[i]
            if Scalars.isCJK(v) {
                body(UInt64(v))
                if previousCJK != 0 { body(UInt64(previousCJK) << 21 | UInt64(v)) }
                let endsPiece = i + 1 >= n || !Scalars.isCJK(text[i + 1])
                if marksEnds, endsPiece {
                    body(1 << 62 | UInt64(v))
                    if previousCJK != 0 { body(1 << 62 | UInt64(previousCJK) << 21 | UInt64(v)) }
                }
                previousCJK = v
                i += 1
            } else if Scalars.isWord(v) {
                var h: UInt64 = 0xcbf2_9ce4_8422_2325
                var j = i
                while j < n, Scalars.isWord(text[j]) || (text[j] == 0x2B || text[j] == 0x23) {  // c++, c#
                    h = (h ^ UInt64(text[j])) &* 0x100_0000_01b3
                    j += 1
                }
                body(1 << 63 | (h >> 1))
                previousCJK = 0
                i = j
            } else {
                previousCJK = 0
                i += 1
            }
        }
    }
}
