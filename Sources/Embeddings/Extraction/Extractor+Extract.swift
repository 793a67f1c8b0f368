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

    /// Per clause, whether its mentions are negated (see the type's documentation, step 4); empty
    /// when the text holds no negation cue.
    ///
    /// A clause is negated by a strong cue (不要求, not required, …) or by "no" followed by
    /// "required" in it. The scope then spreads over the list the cue belongs to, within the
    /// sentence and over adjacent clauses only:
    /// - **forward**, from a cue written before the clause's first mention ("不要求Java，C++"), over
    ///   the following clauses that only continue the list (`isListContinuation` up to their first
    ///   mention): "但需精通Python" does not, so it stays positive;
    /// - **"no … required"** across clauses ("No Java, C++ or Go required"): "no" before the
    ///   first mention, then list continuations up to the clause holding "required";
    /// - **backward**, from a cue written after the clause's first mention ("Java, C++ are not
    ///   required"), over the preceding clauses that hold nothing but list items.
    func negatedClauses(hits: [Hit], clauses: [Clause], scalars: UnsafeBufferPointer<UInt32>) -> [Bool] {
        // Most texts hold no negation cue at all: nothing to scope, nothing to allocate.
        guard hits.contains(where: { hit in
            hit.fuzzyCompetency < 0 && !payloads[Int(hit.payload)].flags.isDisjoint(with: [.negation, .weakNegation])
        }) else { return [] }
        struct Group {
            var clause: Int
            var sentence: Int
            var firstMention = -1
            /// This group's mentions are `mentionSpans[mentionsStart ..< mentionsEnd]`.
            var mentionsStart: Int
            var mentionsEnd: Int
            var cues = false
            var strongAt = -1
            var weakAt = -1
            var requiredAt = -1
            var negated: Bool { strongAt >= 0 || (weakAt >= 0 && requiredAt > weakAt) }
            /// The cue comes before the first mention (or there is none).
            var prefix: Bool {
                let at = strongAt >= 0 ? strongAt : weakAt
                return firstMention < 0 || at <= firstMention
            }
        }
        // One flat array of mention spans for all groups: a text has dozens of clauses, and an
        // array per group cost more than the scoping itself.
        var groups: [Group] = []
        groups.reserveCapacity(clauses.count)
        var mentionSpans: [(start: Int, end: Int)] = []
        mentionSpans.reserveCapacity(hits.count)
        for hit in hits {
            if groups.last?.clause != hit.clause {
                groups.append(Group(clause: hit.clause, sentence: clauses[hit.clause].sentence,
                                    mentionsStart: mentionSpans.count, mentionsEnd: mentionSpans.count))
            }
            let g = groups.count - 1
            let mention = hit.fuzzyCompetency >= 0 || payloads[Int(hit.payload)].isMention
            if mention {
                if groups[g].firstMention < 0 { groups[g].firstMention = hit.start }
                mentionSpans.append((hit.start, hit.end))
                groups[g].mentionsEnd = mentionSpans.count
                continue
            }
            let p = payloads[Int(hit.payload)]
            groups[g].cues = true
            if p.flags.contains(.negation), groups[g].strongAt < 0 { groups[g].strongAt = hit.start }
            if p.flags.contains(.weakNegation), groups[g].weakAt < 0 { groups[g].weakAt = hit.start }
            if p.flags.contains(.requiredWord) { groups[g].requiredAt = hit.start }
        }
        func adjacent(_ a: Int, _ b: Int) -> Bool {
            groups[b].clause == groups[a].clause + 1 && groups[b].sentence == groups[a].sentence
        }
        func continues(_ g: Int) -> Bool {
            groups[g].firstMention >= 0
                && Self.isListContinuation(scalars, from: clauses[groups[g].clause].start, to: groups[g].firstMention)
        }
        /// Nothing but list items and separators.
        func listOnly(_ g: Int) -> Bool {
            let group = groups[g]
            guard !group.cues, continues(g), group.mentionsEnd > group.mentionsStart else { return false }
            for m in (group.mentionsStart + 1)..<group.mentionsEnd {
                let a = mentionSpans[m - 1], b = mentionSpans[m]
                if b.start > a.end && !Self.isListContinuation(scalars, from: a.end, to: b.start) { return false }
            }
            return Self.isListContinuation(scalars, from: mentionSpans[group.mentionsEnd - 1].end,
                                           to: clauses[group.clause].end)
        }
        var negated = [Bool](repeating: false, count: groups.count)
        for g in groups.indices where groups[g].negated { negated[g] = true }
        // "no" opening a list that a later clause closes with "required".
        for g in groups.indices where groups[g].weakAt >= 0 && !groups[g].negated && groups[g].firstMention >= 0 && groups[g].prefix {
            var k = g
            while k + 1 < groups.count, adjacent(k, k + 1), continues(k + 1) {
                k += 1
                if groups[k].requiredAt >= 0 {
                    for j in g...k { negated[j] = true }
                    break
                }
            }
        }
        // Forward from a prefix cue.
        for g in groups.indices where groups[g].negated && groups[g].firstMention >= 0 && groups[g].prefix {
            var k = g
            while k + 1 < groups.count, adjacent(k, k + 1), continues(k + 1), !groups[k + 1].cues {
                k += 1
                negated[k] = true
            }
        }
        // Backward from a postfix cue.
        for g in groups.indices.reversed() where groups[g].negated && !groups[g].prefix {
            var k = g
            while k > 0, adjacent(k - 1, k), listOnly(k - 1) {
                k -= 1
                negated[k] = true
            }
        }
        var out = [Bool](repeating: false, count: clauses.count)
        for g in groups.indices where negated[g] { out[groups[g].clause] = true }
        return out
    }

    /// Reads "3", "3+", "3-5" (lower bound), "三", "两" before a year unit at `unit`; returns the
    /// years (0 < y ≤ 50) and where the number starts.
    static func readYears(before unit: Int, in s: UnsafeBufferPointer<UInt32>) -> (Double, Int)? {
        var i = unit - 1
        while i >= 0, s[i] == 0x20 || s[i] == 0x2B { i -= 1 }  // spaces, '+'
        guard i >= 0 else { return nil }
        func number(endingAt j: Int) -> (Double, Int)? {
            if Scalars.isDigit(s[j]) {
                var k = j
                while k > 0, Scalars.isDigit(s[k - 1]) || (s[k - 1] == 0x2E && k - 1 > 0 && Scalars.isDigit(s[k - 2])) { k -= 1 }
                if k > 0, Scalars.isLetter(s[k - 1]) { return nil }  // "h5年" is not a number
                var view = String.UnicodeScalarView()
                for x in k...j { view.append(Unicode.Scalar(s[x])!) }
                return Double(String(view)).map { ($0, k) }
            }
            if let v = chineseNumeral(s[j]) { return (v, j) }
            return nil
        }
        guard var (value, start) = number(endingAt: i) else { return nil }
        // A range "3-5年", "3~5年", "3至5年": the lower bound.
        var k = start - 1
        while k >= 0, s[k] == 0x20 { k -= 1 }
        if k >= 1, s[k] == 0x2D || s[k] == 0x7E || s[k] == 0x81F3 || s[k] == 0x5230 {  // - ~ 至 到
            var j = k - 1
            while j >= 0, s[j] == 0x20 { j -= 1 }
            if j >= 0, let (low, lowStart) = number(endingAt: j), low < value {
                value = low
                start = lowStart
            }
        }
        guard value > 0, value <= 50 else { return nil }
        return (value, start)
    }

    /// Whether `[from, to)` holds only spaces, punctuation and list connectors (and, or, 和, 及,
    /// 与, 或, 以及, 还有, 等).
    static func isListContinuation(_ s: UnsafeBufferPointer<UInt32>, from: Int, to: Int) -> Bool {
        var letters: (UInt32, UInt32, UInt32) = (0, 0, 0)
        var count = 0
        for i in from..<to {
            let v = s[i]
            if v == 0x20 || v == 0x2F || v == 0x3001 || v == 0x26 || v == 0x28 || v == 0x29 { continue }
            count += 1
            switch count {
            case 1: letters.0 = v
            case 2: letters.1 = v
            case 3: letters.2 = v
            default: return false
            }
        }
        switch count {
        case 0: return true
        case 1: return letters.0 == 0x548C || letters.0 == 0x53CA || letters.0 == 0x4E0E || letters.0 == 0x6216 || letters.0 == 0x7B49
        case 2:
            return (letters.0 == 0x6F && letters.1 == 0x72) || (letters.0 == 0x4EE5 && letters.1 == 0x53CA)
                || (letters.0 == 0x8FD8 && letters.1 == 0x6709)
        default: return letters.0 == 0x61 && letters.1 == 0x6E && letters.2 == 0x64
        }
    }

    /// 一 … 十, 两, 半.
    static func chineseNumeral(_ v: UInt32) -> Double? {
        switch v {
        case 0x4E00: 1
        case 0x4E8C, 0x4E24: 2
        case 0x4E09: 3
        case 0x56DB: 4
        case 0x4E94: 5
        case 0x516D: 6
        case 0x4E03: 7
        case 0x516B: 8
        case 0x4E5D: 9
        case 0x5341: 10
        case 0x534A: 0.5
        default: nil
        }
    }
}
