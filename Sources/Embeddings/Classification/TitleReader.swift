import Foundation
/// Reads a job-posting title as employers write it: the words that name the work, apart from
/// the noise around them (cities, urgency and perks, salaries, work type, level words).
///
/// On the normalised title (`TextNormalizer`: width, case, script, punctuation):
/// 1. **Salaries** are cut out by a scanner: a number with an optional unit (k, w, 千, 万, 元) and
///    an optional range (`-`, `~`, 至, 到) and period (/月, /天, 元/时, ·13薪), e.g. `15-25k`,
///    `8千-1.2万`, `200元/天`, `13薪`.
/// 2. **Noise words** (`TitleVocabulary`) are cut out wherever they stand: urgency and perks (急招,
///    高薪诚聘, 五险一金, 双休), work type (兼职, 实习, 日结; kept as `workType`). **Place names**
///    (provinces, cities of `Regions`, "xx区") are cut out at a piece's start or end or when they are
///    a piece of their own, never inside a word (中山大学 keeps 中山).
/// 3. **Level words** at a piece's start or end (初级, 中级, 高级, 资深, 首席, senior, junior, …) are
///    cut out and read as an ord: 初级/中级/高级 as the model's engineer levels, the others from
///    `TitleVocabulary.levelWords`; a trailing 专家 is read as a level and kept.
/// 4. **Brackets** (`()`, `[]`, `<>`, quotes): a bracket that held only noise is dropped; one that
///    names more (`(Java方向)`, `(抖音)`) is kept apart as `context`, which the coder weighs less.
/// 5. What is left is cut into `pieces` at separators (space, `-`, `|`, `/`, `·`, `_`, `,`, `+`, `:`),
///    a trailing 岗位/职位/岗 is dropped, and `head` is the pieces joined by one space.
public struct TitleReading: Sendable, Hashable, Codable {
    public enum WorkType: String, Sendable, Codable { case partTime, internship, fullTime }
    public struct Noise: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Codable { case salary, urgency, workType, place, level, bracket }
        public var kind: Kind
        /// As normalised.
        public var text: String
    }
    /// The normalised title with every noise piece removed, pieces joined by a space.
    public var head: String
    public var pieces: [String]
    /// Bracketed text that named more than noise.
    public var context: [String]
    /// The ord read from level words, if any.
    public var level: Int?
    public var workType: WorkType?
    public var noise: [Noise]
}

public struct TitleReader: Sendable {
    let normalizer = TextNormalizer.shared
    let trie: AliasTrie
    let words: [TitleVocabulary.Word]

    /// `levels`: the model's level scale (its engineer labels give 初级/中级/高级 their ords).
    public init(levels: LevelScale? = nil) {
        var words = TitleVocabulary.words
        if let levels {
            for (i, w) in words.enumerated() where w.kind == .level {
                let engineer = levels.labels.first { $0.scheme == .engineer && $0.name.zh == w.text }
                if let engineer { words[i].ord = engineer.ord }
            }
        }
        let keys = words.map { Array(TextNormalizer.shared.key($0.text).unicodeScalars.map(\.value)) }
        self.trie = AliasTrie(patterns: keys, payloads: keys.indices.map { Int32($0) })
        self.words = words
    }

    public func read(_ title: String) -> TitleReading {
        var title = title
        for (regional, mainland) in TitleVocabulary.regionalWords where title.contains(regional) {
            title = title.replacingOccurrences(of: regional, with: mainland)
        }
        let scalars = normalizer.normalize(title).scalars
        let n = scalars.count
        var keep = [Bool](repeating: true, count: n)
        var noise: [TitleReading.Noise] = []
        var level: Int?
        var workType: TitleReading.WorkType?
        func text(_ r: Range<Int>) -> String {
            var view = String.UnicodeScalarView()
            for v in scalars[r] { view.append(Unicode.Scalar(v)!) }
            return String(view)
        }
        func drop(_ r: Range<Int>, _ kind: TitleReading.Noise.Kind) {
            for i in r { keep[i] = false }
            noise.append(.init(kind: kind, text: text(r)))
        }

        // 1. Salaries.
        var i = 0
        while i < n {
            if let end = TitleVocabulary.salaryEnd(scalars, from: i) {
                drop(i..<end, .salary)
                i = end
            } else {
                i += 1
            }
        }
        // 2–3. Noise, place and level words (leftmost-longest).
        i = 0
        while i < n {
            guard keep[i] else { i += 1; continue }
            var bestEnd = -1, best: Int32 = -1
            scalars.withUnsafeBufferPointer { buffer in
                trie.forEachMatch(in: buffer, at: i) { end, p in
                    bestEnd = end; best = p
                    return true
                }
            }
            guard bestEnd > i else { i += 1; continue }
            let word = words[Int(best)]
            let atStart = Self.isPieceBoundary(scalars, keep, before: i)
            let atEnd = Self.isPieceBoundary(scalars, keep, after: bestEnd)
            // A Latin word only counts as a whole word.
            let latinInside = (i > 0 && Scalars.isWord(scalars[i - 1]) && Scalars.isWord(scalars[i]))
                || (bestEnd < n && Scalars.isWord(scalars[bestEnd]) && Scalars.isWord(scalars[bestEnd - 1]))
            switch word.kind {
            case _ where latinInside:
                i += 1
                continue
            case .urgency:
                drop(i..<bestEnd, .urgency)
            case .workType:
                drop(i..<bestEnd, .workType)
                workType = workType ?? word.workType
            case .place:
                guard atStart || atEnd else { i += 1; continue }
                drop(i..<bestEnd, .place)
            case .level:
                guard atStart || atEnd else { i += 1; continue }
                level = max(level ?? 0, word.ord)
                if word.keep { i = bestEnd; continue }
                drop(i..<bestEnd, .level)
            }
            i = bestEnd
        }
        // 4. Brackets (a district or county in brackets, "(浦东新区)", is a place).
        var context: [String] = []
        i = 0
        while i < n {
            guard let close = TitleVocabulary.closing(of: scalars[i]) else { i += 1; continue }
            var j = i + 1
            while j < n, scalars[j] != close { j += 1 }
            let inner = (i + 1)..<min(j, n)
            let rest = inner.filter { keep[$0] && !Self.isSeparator(scalars[$0]) }
            let restText = text(inner).filter { !$0.isWhitespace }
            keep[i] = false
            if j < n { keep[j] = false }
            if rest.isEmpty || Self.isOnlyDigitsOrPlace(scalars, rest) || restText.hasSuffix("区") || restText.hasSuffix("县") {
                if !rest.isEmpty { drop(inner, .bracket) }
            } else {
                var piece = String.UnicodeScalarView()
                for k in inner where keep[k] { piece.append(Unicode.Scalar(scalars[k])!) }
                let c = String(piece).trimmingSpaces
                if !c.isEmpty { context.append(c) }
                for k in inner { keep[k] = false }
            }
            i = j + 1
        }
        // 5. Pieces.
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            var piece = String(current).trimmingSpaces
            for suffix in TitleVocabulary.pieceSuffixes where piece.hasSuffix(suffix) && piece.count > suffix.count + 1 {
                piece = String(piece.dropLast(suffix.count))
                break
            }
            if !piece.isEmpty, piece.unicodeScalars.contains(where: { Scalars.isWord($0.value) || Scalars.isCJK($0.value) }) {
                pieces.append(piece)
            }
            current = String.UnicodeScalarView()
        }
        for k in 0..<n {
            if !keep[k] || (Self.isSeparator(scalars[k]) && !Self.isLanguageMark(scalars, at: k)) { flush(); continue }
            current.append(Unicode.Scalar(scalars[k])!)
        }
        flush()
        // A title that was only a place, a level or a bracket keeps its context as its head.
        if pieces.isEmpty, !context.isEmpty { pieces = context; context = [] }
        return TitleReading(head: pieces.joined(separator: " "), pieces: pieces, context: context, level: level,
                            workType: workType, noise: noise)
    }

    static func isSeparator(_ v: UInt32) -> Bool {
        switch v {
        case 0x20, 0x0A, 0x09, 0x2D, 0x7C, 0x2F, 0xB7, 0x5F, 0x2C, 0x2B, 0x3A, 0x3001, 0x3002, 0x2022, 0x30FB, 0x3B, 0x21, 0x2A, 0x23: true
        default: false
        }
    }

    /// `+` and `#` that end a name such as C++, C# or F#: after a Latin letter (or another `+`) and not
    /// before a letter or digit ("Java+Python" still splits).
    static func isLanguageMark(_ s: [UInt32], at k: Int) -> Bool {
        guard s[k] == 0x2B || s[k] == 0x23, k > 0 else { return false }
        let before = s[k - 1]
        guard Scalars.isLetter(before) || before == 0x2B else { return false }
        return k + 1 == s.count || !(Scalars.isLetter(s[k + 1]) || Scalars.isDigit(s[k + 1]))
    }

    /// Whether position `i` begins a piece: the start, or after a separator, a bracket or a cut.
    static func isPieceBoundary(_ s: [UInt32], _ keep: [Bool], before i: Int) -> Bool {
        var k = i - 1
        while k >= 0, !keep[k] { k -= 1 }
        if k < 0 { return true }
        return k < i - 1 || isSeparator(s[k]) || TitleVocabulary.closing(of: s[k]) != nil || TitleVocabulary.isClosing(s[k])
    }

    static func isPieceBoundary(_ s: [UInt32], _ keep: [Bool], after end: Int) -> Bool {
        var k = end
        while k < s.count, !keep[k] { k += 1 }
        if k >= s.count { return true }
        return k > end || isSeparator(s[k]) || TitleVocabulary.closing(of: s[k]) != nil || TitleVocabulary.isClosing(s[k])
    }

    static func isOnlyDigitsOrPlace(_ s: [UInt32], _ positions: [Int]) -> Bool {
        positions.allSatisfy { Scalars.isDigit(s[$0]) || s[$0] == 0x2E || s[$0] == 0x25 }
    }
}
