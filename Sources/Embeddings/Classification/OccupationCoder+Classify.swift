import Foundation
import Matcher

extension OccupationCoder {
    /// Per-occupation parts of the score (see the type's documentation), and the entry or post behind each.
    struct Parts {
        var title: [Float]
        var contains: [Float]
        var similar: [Float]
        var context: [Float]
        var definition: [Float]
        var competencies: [Float]
        var titleEntry: [Int32]
        var containsEntry: [Int32]
        var similarEntry: [Int32]
        var contextEntry: [Int32]
        var competencyPost: [Int32]
        var found: [Int32]

        init(count n: Int) {
            title = [Float](repeating: 0, count: n); contains = title; similar = title; context = title
            definition = title; competencies = title
            titleEntry = [Int32](repeating: -1, count: n); containsEntry = titleEntry; similarEntry = titleEntry
            contextEntry = titleEntry; competencyPost = titleEntry
            found = []
        }
    }

    /// The ranked occupations of a title (see the type's documentation).
    ///
    /// - Parameters:
    ///   - limit: candidates returned, 1…20.
    /// - Complexity: O(title length × longest name) for the containment pass, plus the postings
    ///   of the title's n-grams, one extraction of title and description, and one Matcher search
    ///   over the post vectors.
    public func classify(title: String, description: String? = nil, limit: Int = 3) -> Classification {
        let reading = reader.read(title)
        let parts = score(reading, title: title, description: description)
        let c = configuration
        var totals = [Double](repeating: 0, count: codes.count)
        var order: [Int] = []
        for o in 0..<codes.count {
            let t = c.titleWeight * Double(parts.title[o]) + c.containsWeight * Double(parts.contains[o])
                + c.similarWeight * Double(parts.similar[o]) + c.contextWeight * Double(parts.context[o])
                + c.definitionWeight * Double(parts.definition[o]) + c.competenciesWeight * Double(parts.competencies[o])
            totals[o] = t
            if t > 0 { order.append(o) }
        }
        let k = min(max(limit, 1), 20)
        let ranked = Self.top(order, totals, k: max(k, 2))
        let best = ranked.first.map { totals[$0] } ?? 0
        let second = ranked.count > 1 ? totals[ranked[1]] : 0
        var candidates: [OccupationCandidate] = []
        for o in ranked.prefix(k) {
            let margin = totals[o] - (o == ranked.first ? second : best)
            let (a, b, bias) = c.calibration
            let confidence = 1 / (1 + exp(-(a * totals[o] + b * margin + bias)))
            candidates.append(candidate(o, score: totals[o], confidence: confidence, parts: parts))
        }
        let chosen = candidates.first.flatMap { $0.confidence >= c.threshold ? $0 : nil }
        return Classification(occupation: chosen, candidates: candidates, reading: reading, threshold: c.threshold)
    }

    /// The `k` best of `items` by `totals` (then by code), without sorting all of them.
    static func top(_ items: [Int], _ totals: [Double], k: Int) -> [Int] {
        var best: [Int] = []
        for o in items {
            if best.count == k, let last = best.last, totals[o] <= totals[last] { continue }
            var i = best.count
            while i > 0, totals[best[i - 1]] < totals[o] || (totals[best[i - 1]] == totals[o] && best[i - 1] > o) { i -= 1 }
            best.insert(o, at: i)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    func score(_ reading: TitleReading, title: String, description: String?) -> Parts {
        var parts = Parts(count: codes.count)
        let pieces = reading.pieces.map { Array($0.unicodeScalars.map(\.value)) }
        // Exact names and titles: the head or a piece, spaces ignored.
        var candidatesKeys = pieces.map { $0.filter { $0 != 0x20 } }
        if pieces.count > 1 { candidatesKeys.append(candidatesKeys.joined().map { $0 }) }
        for key in candidatesKeys where !key.isEmpty {
            for e in exact[Self.string(key)] ?? [] {
                let o = Int(entryOccupation[Int(e)])
                if parts.title[o] < 1 || entryPreferred(e, over: parts.titleEntry[o]) { parts.titleEntry[o] = e }
                parts.title[o] = 1
            }
        }
        // Names and titles inside a piece.
        for piece in candidatesKeys.prefix(pieces.count) where piece.count > 1 {
            piece.withUnsafeBufferPointer { buffer in
                for i in 0..<buffer.count {
                    if i > 0, Scalars.isWord(buffer[i]), Scalars.isWord(buffer[i - 1]) { continue }
                    containTrie.forEachMatch(in: buffer, at: i) { end, e in
                        let length = end - i
                        guard length >= 2, length < buffer.count else { return true }
                        if end < buffer.count, Scalars.isWord(buffer[end]), Scalars.isWord(buffer[end - 1]) { return true }
                        let base = (Float(length) / Float(buffer.count)).squareRoot()
                        let s = end == buffer.count ? base : base * Float(configuration.containsInsideFactor)
                        for e2 in exact[entryKey(e)] ?? [e] {
                            let o = Int(entryOccupation[Int(e2)])
                            if s > parts.contains[o] { parts.contains[o] = s; parts.containsEntry[o] = e2 }
                        }
                        return true
                    }
                }
            }
        }
        // N-gram similarity with names and titles, for the head and for the context.
        var entryScores = [Float](repeating: 0, count: entryOccupation.count)
        var headText = reading.head
        for rank in TitleVocabulary.rankWords where headText.hasSuffix(rank) && headText.unicodeScalars.count >= rank.unicodeScalars.count + 2 {
            headText = String(headText.unicodeScalars.dropLast(rank.unicodeScalars.count)).trimmingSpaces
            break
        }
        let head = Array(headText.unicodeScalars.map(\.value))
        titleIndex.accumulate(titleIndex.query(head), into: &entryScores)
        var second = [Float](repeating: 0, count: codes.count)
        for (e, s) in entryScores.enumerated() where s > 0 {
            let o = Int(entryOccupation[e])
            if s > parts.similar[o] {
                second[o] = parts.similar[o]
                parts.similar[o] = s; parts.similarEntry[o] = Int32(e)
            } else if s > second[o] { second[o] = s }
        }
        let w2 = Float(configuration.similarSecondFactor)
        if w2 > 0 { for o in 0..<codes.count where second[o] > 0 { parts.similar[o] = (parts.similar[o] + w2 * second[o]) / (1 + w2) } }
        if !reading.context.isEmpty {
            for e in entryScores.indices { entryScores[e] = 0 }
            let context = Array(reading.context.joined(separator: " ").unicodeScalars.map(\.value))
            titleIndex.accumulate(titleIndex.query(context), into: &entryScores)
            for (e, s) in entryScores.enumerated() where s > 0 {
                let o = Int(entryOccupation[e])
                if s > parts.context[o] { parts.context[o] = s; parts.contextEntry[o] = Int32(e) }
            }
        }
        // Definitions and tasks.
        var text = ([reading.head] + reading.context).joined(separator: " ")
        if let description, !description.isEmpty { text += "\n" + description }
        let definitionQuery = definitionIndex.query(Array(normalizer.key(text).unicodeScalars.map(\.value)),
                                                    limit: configuration.descriptionTokens)
        definitionIndex.accumulate(definitionQuery, into: &parts.definition)
        // Competencies, through Matcher.
        // The title as written: the extractor's case rules keep "Go" and "R" apart from words.
        let readText = [title, description ?? ""].joined(separator: "\n")
        if let posts, let needs = try? vectorizer.requirements(for: PostingInput(text: readText)), !needs.entries.isEmpty {
            parts.found = needs.entries.map { Int32($0.index) }
            let v = vectorizer.searchVector(needs)
            if let hits = try? posts.search(v, k: min(posts.count, FlatIndex.maxK)) {
                for hit in hits where hit.score > 0 {
                    let o = Int(postOccupation[Int(hit.id)])
                    if hit.score > parts.competencies[o] { parts.competencies[o] = hit.score; parts.competencyPost[o] = Int32(hit.id) }
                }
            }
        }
        return parts
    }

    /// A post alias names a direction; prefer it over the bare name when both match.
    func entryPreferred(_ e: Int32, over other: Int32) -> Bool {
        other < 0 || (entryKind[Int(other)] == .name && entryKind[Int(e)] != .name)
    }

    func entryKey(_ e: Int32) -> String {
        Self.string(normalizer.key(entryText[Int(e)]).unicodeScalars.map(\.value).filter { $0 != 0x20 })
    }

    func candidate(_ o: Int, score: Double, confidence: Double, parts: Parts) -> OccupationCandidate {
        let c = configuration
        var evidence: [ClassificationEvidence] = []
        func entryEvidence(_ kind: ClassificationEvidence.Kind, _ e: Int32, _ s: Double) {
            guard e >= 0, s > 0 else { return }
            let p = entryPost[Int(e)]
            evidence.append(.init(kind: kind, text: entryText[Int(e)], post: p >= 0 ? model.posts[Int(p)].id : nil, score: s))
        }
        entryEvidence(.title, parts.titleEntry[o], c.titleWeight * Double(parts.title[o]))
        entryEvidence(.containsTitle, parts.containsEntry[o], c.containsWeight * Double(parts.contains[o]))
        entryEvidence(.similarTitle, parts.similarEntry[o], c.similarWeight * Double(parts.similar[o]))
        entryEvidence(.context, parts.contextEntry[o], c.contextWeight * Double(parts.context[o]))
        if parts.definition[o] > 0 {
            evidence.append(.init(kind: .definition, score: c.definitionWeight * Double(parts.definition[o])))
        }
        var post: Int32 = -1
        if parts.competencyPost[o] >= 0, parts.competencies[o] > 0 {
            let p = Int(parts.competencyPost[o])
            post = Int32(p)
            let required = Set(model.postRequirements[p].map { Int32($0.index) })
            let shared = parts.found.filter(required.contains).map { model.competencies[Int($0)].id }
            evidence.append(.init(kind: .competencies, post: model.posts[p].id, competencies: shared,
                                  score: c.competenciesWeight * Double(parts.competencies[o])))
        }
        evidence.sort { $0.score > $1.score }
        // The post: the one whose alias matched, else the one whose requirements fit best.
        for e in [parts.titleEntry[o], parts.containsEntry[o], parts.similarEntry[o]] where e >= 0 && entryPost[Int(e)] >= 0 {
            post = entryPost[Int(e)]
            break
        }
        if post < 0, let p = model.postPosition(id: codes[o]) { post = Int32(p) }
        return OccupationCandidate(code: codes[o], name: names[o], digital: digital[o],
                                   post: post >= 0 ? model.posts[Int(post)].id : nil,
                                   confidence: confidence, score: score, evidence: evidence)
    }
}
