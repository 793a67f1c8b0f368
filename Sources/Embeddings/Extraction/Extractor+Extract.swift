import Foundation

extension Extractor {
    /// A trie match on normalised text, `[start, end)` in normalised scalars.
    struct Hit {
        var start: Int
        var end: Int
        var payload: Int32
        /// For fuzzy hits: the competency and the cosine.
        var fuzzyCompetency: Int32 = -1
        var fuzzyScore: Float = 0
        var clause: Int = 0
    }

    struct Clause {
        var start: Int
        var end: Int
        var sentence: Int
    }

    /// Competencies, certificates, levels and negations in `text`; see the type's documentation.
    ///
    /// Spans are Unicode scalar offsets into `text` (`text.unicodeScalars`), end exclusive.
    /// - Complexity: O(n × longest pattern) for the trie pass; one BLAS product when fuzzy
    ///   candidates exist.
    public func extract(_ text: String) -> Extraction {
        materialize(find(text), in: text)
    }

    /// What `extract` finds, as plain values (positions in normalised scalars, indices into the
    /// model): the vectorizer reads these directly, and only `extract` cuts texts out and names
    /// ids. Building every mention's strings cost about a third of text → vector.
    struct Found {
        struct Cue {
            var kind: LevelCue.Kind
            var ord: Int
            /// `[start, end)` in normalised scalars.
            var start: Int
            var end: Int
            /// Index into `levels.labels` (`.label`), else -1.
            var label: Int32 = -1
            /// `.years` only.
            var years: Double = 0
            /// Index into `certificates` (`.certificate`), else -1.
            var certificate: Int32 = -1
        }
        struct Item {
            /// Index into `competencies`, or -1 for the mention of a certificate itself.
            var competency: Int32
            /// Index into `certificates`, else -1.
            var certificate: Int32
            var start: Int
            var end: Int
            /// The ord the text gives, or -1.
            var level: Int
            /// Index into `cues`, or -1.
            var cue: Int32
            var negated: Bool
            var confidence: Double
            var source: Mention.Source
        }
        var items: [Item] = []
        var cues: [Cue] = []
        /// Indices into `cues` of the years cues, in text order.
        var years: [Int32] = []
        let normalized: NormalizedText

        /// The original span of normalised `[from, to)`.
        func span(_ from: Int, _ to: Int) -> TextSpan {
            let r = normalized.originalRange(from: from, to: to)
            return TextSpan(start: r.lowerBound, end: r.upperBound)
        }
    }

    /// `found` with its texts cut out of `text` and its indices named.
    func materialize(_ found: Found, in text: String) -> Extraction {
        var original = text
        return original.withUTF8 { utf8 in
            // UTF-8 offset of every original scalar, to cut texts out of the original bytes.
            let originalCount = found.normalized.originalCount
            var utf8Offset = [Int32](repeating: 0, count: originalCount + 1)
            var k = 0
            for (i, byte) in utf8.enumerated() where byte & 0xC0 != 0x80 {
                utf8Offset[k] = Int32(i)
                k += 1
            }
            utf8Offset[originalCount] = Int32(utf8.count)
            func originalText(_ span: TextSpan) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: utf8[Int(utf8Offset[span.start])..<Int(utf8Offset[span.end])]),
                       as: UTF8.self)
            }
            // Only the cues something refers to are built.
            var cues = [LevelCue?](repeating: nil, count: found.cues.count)
            func cue(_ i: Int32) -> LevelCue {
                if let built = cues[Int(i)] { return built }
                let c = found.cues[Int(i)]
                let s = found.span(c.start, c.end)
                let built = LevelCue(kind: c.kind, ord: c.ord, text: originalText(s), span: s,
                                     label: c.label >= 0 ? model.levels.labels[Int(c.label)].id : nil,
                                     years: c.kind == .years ? c.years : nil,
                                     certificate: c.certificate >= 0 ? model.certificates[Int(c.certificate)].id : nil)
                cues[Int(i)] = built
                return built
            }
            var mentions: [Mention] = []
            mentions.reserveCapacity(found.items.count)
            var previous: (start: Int, end: Int, text: String)?
            for item in found.items {
                let s = found.span(item.start, item.end)
                // A certificate's grants share its span and text.
                let written: String
                if let previous, previous.start == item.start, previous.end == item.end {
                    written = previous.text
                } else {
                    written = originalText(s)
                    previous = (item.start, item.end, written)
                }
                mentions.append(Mention(competency: item.competency >= 0 ? model.competencies[Int(item.competency)].id : nil,
                                        index: item.competency >= 0 ? Int(item.competency) : nil,
                                        certificate: item.certificate >= 0 ? model.certificates[Int(item.certificate)].id : nil,
                                        span: s, text: written, level: item.level >= 0 ? item.level : nil,
                                        cue: item.cue >= 0 ? cue(item.cue) : nil, negated: item.negated,
                                        confidence: item.confidence, source: item.source))
            }
            return Extraction(mentions: mentions, years: found.years.map { cue($0) })
        }
    }

    /// `extract` without the texts and ids: see `Found`.
    func find(_ text: String) -> Found {
        let normalized = normalizer.normalize(text)
        return normalized.scalars.withUnsafeBufferPointer { scalars in
            find(normalized: normalized, scalars: scalars, text: text)
        }
    }

    private func find(normalized: NormalizedText, scalars: UnsafeBufferPointer<UInt32>, text: String) -> Found {
        let n = scalars.count
        // 1. Leftmost-longest trie matches with word boundaries.
        var hits: [Hit] = []
        hits.reserveCapacity(n / 8 + 8)
        // The original scalars, read only when a cased alias matches.
        var originalScalars: [UInt32]?
        func writtenAsCased(_ form: [UInt32], _ from: Int, _ to: Int) -> Bool {
            if originalScalars == nil { originalScalars = text.unicodeScalars.map(\.value) }
            let r = normalized.originalRange(from: from, to: to)
            var view = String.UnicodeScalarView()
            for v in originalScalars![r] { view.append(Unicode.Scalar(v)!) }
            return Array(String(view).precomposedStringWithCompatibilityMapping.unicodeScalars.map(\.value)) == form
        }
        payloads.withUnsafeBufferPointer { payloads in
            var i = 0
            // The `notWithin` word reaching furthest among those starting at or before `i`.
            var shieldStart = -1, shieldEnd = -1
            while i < n {
                // Inside a Latin word nothing can start: every Latin-initial pattern needs a boundary.
                if i > 0, Scalars.isWord(scalars[i]), Scalars.isWord(scalars[i - 1]) { i += 1; continue }
                var bestEnd = -1
                var best: Int32 = -1
                trie.forEachMatch(in: scalars, at: i) { end, p in
                    let payload = payloads[Int(p)]
                    if payload.leftBoundary, i > 0, Scalars.isWord(scalars[i - 1]) { return false }
                    if payload.rightBoundary, end < n {
                        let next = scalars[end]
                        if Scalars.isLetter(next) || (Scalars.isDigit(next) && !payload.digitMayFollow) { return true }
                    }
                    if payload.flags.contains(.shield) {
                        if end > shieldEnd { shieldStart = i; shieldEnd = end }
                        return true
                    }
                    if payload.casedForm >= 0, !writtenAsCased(casedForms[Int(payload.casedForm)], i, end) { return true }
                    bestEnd = end
                    best = p
                    return true
                }
                // A match strictly inside a `notWithin` word does not count.
                if bestEnd > 0, shieldStart >= 0, shieldStart <= i, bestEnd <= shieldEnd,
                   shieldStart < i || bestEnd < shieldEnd, payloads[Int(best)].isMention {
                    i += 1
                    continue
                }
                if bestEnd > 0 {
                    hits.append(Hit(start: i, end: bestEnd, payload: best))
                    i = bestEnd
                } else {
                    i += 1
                }
            }
        }

        // 2. Sentences and clauses.
        var clauses: [Clause] = []
        clauses.reserveCapacity(n / 16 + 4)
        var clauseStart = 0, sentence = 0
        for i in 0..<n {
            let v = scalars[i]
            var hard = false, soft = false
            switch v {
            case 0x3002, 0x3B, 0x21, 0x3F, 0x0A, 0x2022, 0x25CF, 0x25A0, 0x25AA: hard = true
            case 0x2E:
                hard = i + 1 >= n || scalars[i + 1] == 0x20 || scalars[i + 1] == 0x0A || Scalars.isCJK(scalars[i + 1])
            case 0x2C, 0x3A: soft = true
            default: break
            }
            if hard || soft {
                clauses.append(Clause(start: clauseStart, end: i, sentence: sentence))
                clauseStart = i + 1
                if hard { sentence += 1 }
            }
        }
        clauses.append(Clause(start: clauseStart, end: n, sentence: sentence))
        var c = 0
        for h in hits.indices {
            while clauses[c].end < hits[h].start { c += 1 }
            hits[h].clause = c
        }

        // 3. Fuzzy fallback, as extra hits.
        if configuration.fuzzy {
            let extra = fuzzyHits(scalars: scalars, hits: hits, clauses: clauses)
            if !extra.isEmpty {
                hits.append(contentsOf: extra)
                hits.sort { $0.start < $1.start }
            }
        }

        // 4. Cues, negation and mentions, clause by clause.
        var found = Found(normalized: normalized)
        found.items.reserveCapacity(hits.count + 8)
        // Indices into `found.cues` with their normalised ranges.
        var labelCues: [(start: Int, end: Int, cue: Int32)] = []
        var yearCues: [(start: Int, end: Int, cue: Int32)] = []
        var previousClauseCue: (cue: Int32, sentence: Int)?
        let negatedClauses = negatedClauses(hits: hits, clauses: clauses, scalars: scalars)
        var h = 0
        let levels = model.levels
        func addCue(_ cue: Found.Cue) -> Int32 {
            found.cues.append(cue)
            return Int32(found.cues.count - 1)
        }
        while h < hits.count {
            let clauseIndex = hits[h].clause
            var end = h
            while end < hits.count, hits[end].clause == clauseIndex { end += 1 }
            let clause = clauses[clauseIndex]
            // Cues of this clause.
            labelCues.removeAll(keepingCapacity: true)
            yearCues.removeAll(keepingCapacity: true)
            var firstMentionStart = -1
            for k in h..<end {
                let hit = hits[k]
                if hit.fuzzyCompetency >= 0 {
                    if firstMentionStart < 0 { firstMentionStart = hit.start }
                    continue
                }
                let p = payloads[Int(hit.payload)]
                if p.isMention {
                    if firstMentionStart < 0 { firstMentionStart = hit.start }
                    continue
                }
                if p.levelOrd >= 0 {
                    let cue = addCue(Found.Cue(kind: .label, ord: Int(p.levelOrd), start: hit.start, end: hit.end,
                                               label: p.levelLabel))
                    labelCues.append((hit.start, hit.end, cue))
                }
                if p.flags.contains(.yearsUnit), let (value, from) = Self.readYears(before: hit.start, in: scalars),
                   let ord = levels.ord(forYears: value) {
                    let cue = addCue(Found.Cue(kind: .years, ord: ord, start: from, end: hit.end, years: value))
                    yearCues.append((from, hit.end, cue))
                    found.years.append(cue)
                }
            }
            let negated = !negatedClauses.isEmpty && negatedClauses[clauseIndex]
            // A clause that only continues a list inherits the previous clause's cue.
            var inherited: Int32 = -1
            if let previous = previousClauseCue, previous.sentence == clause.sentence, firstMentionStart >= 0,
               Self.isListContinuation(scalars, from: clause.start, to: firstMentionStart) {
                inherited = previous.cue
            }
            func cue(for start: Int, _ stop: Int) -> Int32 {
                if let before = labelCues.last(where: { $0.end <= start }) { return before.cue }
                if let after = labelCues.first(where: { $0.start >= stop }) { return after.cue }
                if let before = yearCues.last(where: { $0.end <= start }) { return before.cue }
                if let after = yearCues.first(where: { $0.start >= stop }) { return after.cue }
                return inherited
            }
            func ord(_ cue: Int32) -> Int { cue >= 0 ? found.cues[Int(cue)].ord : -1 }
            var lastCue: Int32 = labelCues.last?.cue ?? yearCues.last?.cue ?? -1
            for k in h..<end {
                let hit = hits[k]
                if hit.fuzzyCompetency >= 0 {
                    let levelCue = cue(for: hit.start, hit.end)
                    found.items.append(Found.Item(competency: hit.fuzzyCompetency, certificate: -1, start: hit.start,
                                                  end: hit.end, level: ord(levelCue), cue: levelCue, negated: negated,
                                                  confidence: Double(min(hit.fuzzyScore, 0.95)), source: .fuzzy))
                    if levelCue >= 0 { lastCue = levelCue }
                    continue
                }
                let p = payloads[Int(hit.payload)]
                if p.competency >= 0 {
                    let levelCue = cue(for: hit.start, hit.end)
                    found.items.append(Found.Item(competency: p.competency, certificate: -1, start: hit.start, end: hit.end,
                                                  level: ord(levelCue), cue: levelCue, negated: negated, confidence: 1,
                                                  source: .alias))
                    if levelCue >= 0 { lastCue = levelCue }
                } else if p.certificate >= 0 {
                    let certificate = model.certificates[Int(p.certificate)]
                    found.items.append(Found.Item(competency: -1, certificate: p.certificate, start: hit.start,
                                                  end: hit.end, level: certificate.level?.ord ?? -1, cue: -1,
                                                  negated: negated, confidence: 1, source: .certificate))
                    for grant in certificate.grants {
                        guard let index = model.index(ofCompetency: grant.competency) else { continue }
                        let grantCue = addCue(Found.Cue(kind: .certificate, ord: grant.level, start: hit.start,
                                                        end: hit.end, certificate: p.certificate))
                        found.items.append(Found.Item(competency: Int32(index), certificate: p.certificate,
                                                      start: hit.start, end: hit.end, level: grant.level, cue: grantCue,
                                                      negated: negated, confidence: 1, source: .certificate))
                    }
                }
            }
            if lastCue >= 0 { previousClauseCue = (lastCue, clause.sentence) }
            h = end
        }
        return found
    }
}
