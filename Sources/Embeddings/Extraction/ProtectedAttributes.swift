import Foundation

/// Finds demands on protected attributes in posting text (gender, age, ethnicity, marital or
/// childbearing status, household registration), so that the service can refuse such postings.
///
/// Rules run on the normalised text (`TextNormalizer`: width, case and script folded), so
/// full-width and traditional-script variants match too. A finding is dropped when its clause
/// says the attribute does not matter (不限, 不论, 无论, 不分, no matter) or its sentence is an
/// equal-opportunity statement (不歧视, regardless, discriminat…, equal opportunity, irrelevant),
/// so "男女不限", "年龄不限", "regardless of age or marital status" are not flagged. Ordinary phrases are not flagged: "3年以上经验" is experience (no 岁), "女装运营"
/// names a product, "over 5 years of experience" is not an age.
public struct ProtectedAttributes: Sendable {
    public enum Category: String, Codable, Sendable, CaseIterable {
        case gender, age, ethnicity
        /// Marital or childbearing status (已婚已育, 未婚, married, …).
        case maritalStatus
        /// 户口 / 户籍 (household registration, hukou).
        case householdRegistration
    }

    /// One demand found in text.
    public struct Finding: Codable, Sendable, Hashable {
        public var category: Category
        /// Unicode scalar offsets into the original text, end exclusive.
        public var span: TextSpan
        /// The original text of the span.
        public var text: String
    }

    /// The rules, as regular expressions over normalised text (lowercase, half-width, simplified).
    static let rules: [(Category, String)] = [
        (.gender, #"(仅限|只限|限|只招|仅招|只要|要求|适合)\s*(男|女)(性|生|士)?(?!装|鞋|包)"#),
        (.gender, #"(男|女)(性|生|士)?\s*优先"#),
        (.gender, #"性别\s*[:]?\s*(要求)?\s*(为)?\s*(男|女)(?!女|男)"#),
        (.gender, #"\b(male|female|men|women)\s+(only|preferred|applicants only|candidates only|candidates preferred)\b"#),
        (.gender, #"\b(only|must be( a)?)\s+(male|female|men|women|a man|a woman)\b"#),
        (.age, #"\d{2}\s*(周岁|岁)"#),
        (.age, #"年龄\s*[:]?\s*(要求)?\s*(在)?\s*(\d{2}|不超过|不大于|小于|低于|以下)"#),
        (.age, #"\b(under|below|younger than|older than|no older than|not older than|not over|over|above)\s+(\d{2})\b(?!\s*(%|k\b|hours?|minutes?|days?|months?|people|persons|employees|staff|projects|countries|languages|clients|users|(\+\s*)?(years?|yrs?)\s+(of\s+)?(\w+\s+)?(experience|exp)))"#),
        (.age, #"\b(aged?|age (limit|range|requirement)s?)\s*:?\s*(between\s+)?\d{2}"#),
        (.age, #"\b\d{2}\s*(-|to)?\s*(\d{2}\s+)?years?\s+old\b"#),
        (.ethnicity, #"汉族|少数民族|民族\s*[:]\s*\S"#),
        (.ethnicity, #"\b(han chinese|ethnic han|ethnicity\s*:)"#),
        (.maritalStatus, #"已婚已育|已婚|未婚|已育|未育|婚育|生育计划|生育状况|单身"#),
        (.maritalStatus, #"\b(married|unmarried|marital status|no children|without children|childless|family planning|not pregnant|pregnancy)\b"#),
        (.householdRegistration, #"户口|户籍|本地人"#),
        (.householdRegistration, #"\b(hukou|household registration|local residents? only)\b"#),
    ]

    /// For each rule, literal fragments (of normalised text) of which every match contains one: a
    /// rule runs only on text holding one of its fragments, and text holding none is done after
    /// one scan. Each list is read off its pattern: the CJK alternatives anywhere, and for the
    /// Latin rules, which all begin at a word boundary (`\b`), the words a match begins with, at
    /// the start of a word (so "development" does not wake the rule for "men"). A clean
    /// 500-character posting then costs a normalisation and a trie pass instead of 16
    /// regular-expression passes (`triggersChangeNoFinding` checks the lists against the rules).
    static let triggers: [[String]] = [
        ["男", "女"], ["男", "女"], ["性别"], ["male", "female", "men", "women"], ["only", "must be"],
        ["岁"], ["年龄"], ["under", "below", "younger", "older", "no older", "not older", "not over", "over", "above"],
        ["age"], ["old"],
        ["汉族", "民族"], ["han chinese", "ethnic"],
        ["已婚", "未婚", "已育", "未育", "婚育", "生育", "单身"],
        ["married", "unmarried", "marital", "no children", "without children", "childless", "family planning",
         "not pregnant", "pregnancy"],
        ["户口", "户籍", "本地人"], ["hukou", "household registration", "local resident"],
    ]

    /// Every trigger in one trie (payload: the trigger's index in `triggerRules`, a bit per rule it
    /// wakes), so that one pass over the text finds the rules to run. A scan per trigger cost
    /// about 30 µs on a 500-character posting (EmbeddingsBench `protected-attributes`).
    static let triggerIndex: (trie: AliasTrie, rules: [UInt32]) = {
        var position: [[UInt32]: Int] = [:]
        var patterns: [[UInt32]] = []
        var rules: [UInt32] = []
        for (r, list) in triggers.enumerated() {
            for trigger in list {
                let scalars = trigger.unicodeScalars.map(\.value)
                if let k = position[scalars] {
                    rules[k] |= 1 << UInt32(r)
                } else {
                    position[scalars] = patterns.count
                    patterns.append(scalars)
                    rules.append(1 << UInt32(r))
                }
            }
        }
        return (AliasTrie(patterns: patterns, payloads: patterns.indices.map(Int32.init)), rules)
    }()

    /// A bit per rule with a trigger in `text`; a trigger starting with a letter counts only at
    /// the start of a word (after a scalar that is not `Scalars.isWord`, all of which regex `\w`
    /// counts).
    static func triggeredRules(in text: UnsafeBufferPointer<UInt32>) -> UInt32 {
        let (trie, rules) = triggerIndex
        var mask: UInt32 = 0
        for i in text.indices {
            if i > 0, Scalars.isLetter(text[i]), Scalars.isWord(text[i - 1]) { continue }
            trie.forEachMatch(in: text, at: i) { _, payload in
                mask |= rules[Int(payload)]
                return true
            }
        }
        return mask
    }

    /// Exemptions that hold for their clause (a "不限" after a comma does not cover the next clause).
    static let clauseExemptions = #"不限|不论|无论|不分|no matter"#
    /// Exemptions that hold for their whole sentence (an equal-opportunity statement lists attributes).
    static let sentenceExemptions = #"不歧视|regardless|discriminat|equal opportunit|irrelevant"#

    let compiled: [(Category, NSRegularExpression)]
    /// Whether rules run only on text holding one of their `triggers` (off only to test that the
    /// shortcut changes nothing).
    let usesTriggers: Bool
    let clauseExemption: NSRegularExpression
    let sentenceExemption: NSRegularExpression
    let normalizer = TextNormalizer.shared

    public init() { self.init(usesTriggers: true) }

    init(usesTriggers: Bool) {
        self.usesTriggers = usesTriggers
        // The patterns are constants checked by the tests.
        compiled = Self.rules.map { ($0.0, try! NSRegularExpression(pattern: $0.1, options: [.caseInsensitive])) }
        clauseExemption = try! NSRegularExpression(pattern: Self.clauseExemptions, options: [.caseInsensitive])
        sentenceExemption = try! NSRegularExpression(pattern: Self.sentenceExemptions, options: [.caseInsensitive])
    }

    /// Every demand on a protected attribute in `text`, in text order.
    public func findings(in text: String) -> [Finding] {
        let normalized = normalizer.normalize(text)
        let triggered = usesTriggers ? normalized.scalars.withUnsafeBufferPointer(Self.triggeredRules) : ~0
        let rules = compiled.indices.filter { triggered & (1 << UInt32($0)) != 0 }
        guard !rules.isEmpty else { return [] }
        let string = normalized.string
        let ns = string as NSString
        // UTF-16 offset → normalised scalar offset.
        var scalarAt = [Int](repeating: 0, count: ns.length + 1)
        var u = 0
        for (k, s) in string.unicodeScalars.enumerated() {
            let width = s.value > 0xFFFF ? 2 : 1
            for w in 0..<width { scalarAt[u + w] = k }
            u += width
        }
        scalarAt[ns.length] = normalized.scalars.count
        let original = Array(text.unicodeScalars)
        let clauseBreaks = CharacterSet(charactersIn: ",;.!?:。；！？\n、")
        let sentenceBreaks = CharacterSet(charactersIn: ";.!?。；！？\n")
        func exempt(_ r: NSRange, _ regex: NSRegularExpression, _ breaks: CharacterSet) -> Bool {
            var lo = r.location, hi = r.location + r.length
            while lo > 0, let s = Unicode.Scalar(ns.character(at: lo - 1)), !breaks.contains(s) { lo -= 1 }
            while hi < ns.length, let s = Unicode.Scalar(ns.character(at: hi)), !breaks.contains(s) { hi += 1 }
            return regex.firstMatch(in: string, range: NSRange(location: lo, length: hi - lo)) != nil
        }
        var out: [Finding] = []
        var taken: [NSRange] = []
        for (category, regex) in rules.map({ compiled[$0] }) {
            for match in regex.matches(in: string, range: NSRange(location: 0, length: ns.length)) {
                let r = match.range
                guard r.length > 0, !taken.contains(where: { NSIntersectionRange($0, r).length > 0 }) else { continue }
                if exempt(r, clauseExemption, clauseBreaks) || exempt(r, sentenceExemption, sentenceBreaks) { continue }
                taken.append(r)
                let range = normalized.originalRange(from: scalarAt[r.location], to: scalarAt[r.location + r.length])
                var view = String.UnicodeScalarView()
                view.append(contentsOf: original[range])
                out.append(Finding(category: category, span: TextSpan(start: range.lowerBound, end: range.upperBound),
                                   text: String(view)))
            }
        }
        return out.sorted { $0.span.start < $1.span.start }
    }
}
