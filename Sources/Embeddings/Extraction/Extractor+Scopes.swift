import Foundation

/// Scopes of what `find` reads: which clauses a negation cue covers, the years before a year
/// unit, and which clauses only continue a list.
extension Extractor {
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
