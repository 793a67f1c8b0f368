import Foundation
import Matcher

/// Finds competencies, certificates, levels and negations in postings and résumés.
///
/// Built once per model (the trie and the n-gram matrices), then shared: `Sendable`, immutable.
///
/// **How text is read** (`extract(_:)`):
/// 1. `TextNormalizer` folds width, case, script and punctuation, keeping original offsets.
/// 2. One trie over the normalised names and aliases of competencies and certificates, the level
///    labels of `levels.jsonl` (all schemes but `title`, whose 工程师 is part of every job title),
///    and matchd's negation and experience cue words is matched leftmost-longest. A pattern that
///    begins (ends) with a Latin letter or digit only matches at a word boundary: "java" does not
///    fire inside "javascript", nor "go" inside "google"; a digit may follow a pattern ending in
///    a letter ("python3").
/// 3. The text is cut into sentences (`。 ; ! ? \n`, `.` before a space) and clauses (`,` `:`).
///    A mention takes the level of the nearest level cue in its clause (preceding first, then
///    following), else of the nearest "N年 / N years" cue (ord from `experienceYears`, a range
///    "3-5年" reads as its lower bound), else, when the clause is only a continuation of a list
///    ("…, SQL and Docker"), the cue of the previous clause in the sentence.
/// 4. A clause containing 不要求, 无需, 无须, 不需要, 不必, 非必须, 不做要求, "not required",
///    "not needed", "not necessary", "no need", "without", or "no" followed by
///    "required/needed/necessary", negates every mention in it. The negation spreads over the
///    list it belongs to, never past the sentence: forward over the clauses that only continue
///    the list ("不要求Java，C++" negates both; "不要求Java，但需精通Python" keeps Python), from "no"
///    to a later "required" ("No Java, C++ or Go required"), and backward from a cue written
///    after the mentions over preceding clauses of bare list items ("Java, C++ are not required").
///    Mentions strictly inside a competency's `notWithin` word are dropped (电工 in 机电工程师), and
///    `casedAliases` match only with the letter case written ("Go", not "go").
/// 5. A certificate yields a mention of itself and one per competency it grants, at the granted
///    level (`cue.kind == .certificate`).
/// 6. **Fuzzy fallback** (`Configuration.fuzzy`): candidate phrases are the pieces after a skill
///    cue (a proficiency label, 使用/运用/具备, "experience with/in", "knowledge of", …) up to the
///    clause end, cut at separators (`/ 、 , & ( ) 和 及 与 或 and or`) and at every exact match;
///    in mostly-Chinese text also every unmatched Latin token. Each piece (3…32 scalars, Latin
///    pieces of 3+ letters) becomes a hashed character n-gram vector (the piece padded with `#`:
///    bigrams and trigrams, plus unigrams of CJK scalars; FNV-1a into `hashDimension` (256) buckets;
///    L2-normalised), as does every competency name and alias. An inverted index shortlists
///    the aliases sharing the most n-grams with each piece (`FuzzyIndex`), and one BLAS product
///    (`Matrix.multiplied`, candidates × shortlisted aliasesᵀ) gives the cosines; a piece whose best cosine
///    is at least `fuzzyThreshold` (0.6) becomes a `.fuzzy` mention with `confidence` = that
///    cosine (capped at 0.95, below exact matches).
public struct Extractor: Sendable {
    public struct Configuration: Sendable {
        /// Run the n-gram fallback on unmatched phrases.
        public var fuzzy: Bool = true
        /// Minimum cosine for a fuzzy mention.
        public var fuzzyThreshold: Float = 0.6
        /// At most this many candidate phrases per text (the first ones).
        public var maxFuzzyCandidates: Int = 8
        /// Hashed n-gram buckets.
        public var hashDimension: Int = 256
        public init() {}
    }

    public let model: CompetencyModel
    public let configuration: Configuration
    let normalizer: TextNormalizer
    let trie: AliasTrie
    /// Plain values (no references), so reading one in the hot loops costs no retain/release.
    let payloads: [Payload]
    /// `casedForms[payload.casedForm]`: a cased alias as written (NFKC, case kept).
    let casedForms: [[UInt32]]
    let fuzzyIndex: FuzzyIndex

    public init(model: CompetencyModel, configuration: Configuration = Configuration()) {
        self.model = model
        self.configuration = configuration
        let normalizer = TextNormalizer.shared
        self.normalizer = normalizer

        var byKey: [[UInt32]: Payload] = [:]
        var order: [[UInt32]] = []
        var casedForms: [[UInt32]] = []
        func add(_ text: String, _ update: (inout Payload) -> Void) {
            let key = Array(normalizer.key(text).unicodeScalars.map(\.value))
            guard !key.isEmpty else { return }
            if byKey[key] == nil {
                order.append(key)
                byKey[key] = Payload(pattern: key)
            }
            update(&byKey[key]!)
        }
        for (i, c) in model.competencies.enumerated() {
            for text in [c.name.zh, c.name.en] + c.aliases.all {
                add(text) { if $0.competency < 0 { $0.competency = Int32(i) } }
            }
            for text in c.casedAliases {
                let form = Array(text.precomposedStringWithCompatibilityMapping.unicodeScalars.map(\.value))
                add(text) {
                    guard $0.competency < 0 else { return }
                    $0.competency = Int32(i)
                    $0.casedForm = Int32(casedForms.count)
                    casedForms.append(form)
                }
            }
        }
        for c in model.competencies {
            for word in c.notWithin { add(word) { if !$0.isMention { $0.flags.insert(.shield) } } }
        }
        for (i, c) in model.certificates.enumerated() {
            for text in [c.name.zh, c.name.en] + c.aliases.all {
                add(text) { if $0.competency < 0, $0.certificate < 0 { $0.certificate = Int32(i) } }
            }
        }
        // Level labels: the winner among schemes by `LevelScale.resolutionOrder`, titles excluded.
        for (key, indices) in model.levels.keyedLabels {
            let candidates = indices.map { model.levels.labels[$0] }.filter { $0.scheme != .title }
            guard let label = model.levels.resolve(candidates) else { continue }
            let labelIndex = model.levels.labels.firstIndex(of: label)!
            add(key) {
                $0.levelLabel = Int32(labelIndex)
                $0.levelOrd = Int16(label.ord)
                if label.scheme == .proficiency { $0.flags.insert(.skillCue) }
            }
        }
        for word in Cues.strongNegations { add(word) { $0.flags.insert(.negation) } }
        add("no") { $0.flags.insert(.weakNegation) }
        for word in Cues.requiredWords { add(word) { $0.flags.insert(.requiredWord) } }
        for word in Cues.skillCues { add(word) { $0.flags.insert(.skillCue) } }
        for word in Cues.yearUnits { add(word) { $0.flags.insert(.yearsUnit) } }

        var payloads: [Payload] = []
        var patterns: [[UInt32]] = []
        var ids: [Int32] = []
        for key in order {
            var payload = byKey[key]!
            payload.finishBoundaries()
            ids.append(Int32(payloads.count))
            payloads.append(payload)
            patterns.append(key)
        }
        self.trie = AliasTrie(patterns: patterns, payloads: ids)
        self.payloads = payloads
        self.casedForms = casedForms
        self.fuzzyIndex = FuzzyIndex(model: model, normalizer: normalizer, dimension: configuration.hashDimension)
    }
}

/// What a trie pattern means; several meanings may share one pattern ("熟练" is a level and a
/// skill cue).
struct Payload: Sendable {
    struct Flags: OptionSet, Sendable {
        let rawValue: UInt8
        static let negation = Flags(rawValue: 1)
        static let weakNegation = Flags(rawValue: 2)
        static let requiredWord = Flags(rawValue: 4)
        static let skillCue = Flags(rawValue: 8)
        static let yearsUnit = Flags(rawValue: 16)
        /// A competency's `notWithin` word: matches strictly inside it are dropped.
        static let shield = Flags(rawValue: 32)
    }
    var competency: Int32 = -1
    var certificate: Int32 = -1
    var levelLabel: Int32 = -1
    var levelOrd: Int16 = -1
    var flags: Flags = []
    /// For a cased alias: its index in `Extractor.casedForms` (the alias as written, NFKC, case
    /// kept; the original text must equal it), else -1.
    var casedForm: Int32 = -1
    var leftBoundary = false
    var rightBoundary = false
    var digitMayFollow = false
    let first: UInt32
    let last: UInt32

    init(pattern: [UInt32]) {
        first = pattern.first!
        last = pattern.last!
    }

    mutating func finishBoundaries() {
        leftBoundary = Scalars.isWord(first) && !flags.contains(.yearsUnit)
        rightBoundary = Scalars.isWord(last)
        digitMayFollow = Scalars.isLetter(last)
    }

    var isMention: Bool { competency >= 0 || certificate >= 0 }
}

/// Scalar classes on normalised text.
enum Scalars {
    @inline(__always) static func isLetter(_ v: UInt32) -> Bool {
        (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0xC0 && v <= 0x24F && v != 0xD7 && v != 0xF7)
    }
    @inline(__always) static func isDigit(_ v: UInt32) -> Bool { v >= 0x30 && v <= 0x39 }
    @inline(__always) static func isWord(_ v: UInt32) -> Bool { isLetter(v) || isDigit(v) }
    /// CJK ideographs and the CJK symbol blocks.
    @inline(__always) static func isCJK(_ v: UInt32) -> Bool { v >= 0x2E80 && v < 0xA000 || v >= 0xF900 && v < 0xFB00 }
}

/// matchd's built-in cue words (language rules, not model data), written in normalised form.
enum Cues {
    static let strongNegations = [
        "不要求", "无需", "无须", "不需要", "不需", "不必", "非必须", "非必需", "不做要求", "不作要求", "不用",
        "not required", "not needed", "not necessary", "no need", "without", "not a requirement", "is optional",
    ]
    static let requiredWords = ["required", "needed", "necessary", "requirement"]
    static let skillCues = [
        "使用", "运用", "具备", "具有", "擅长", "experience with", "experience in", "knowledge of", "skills in",
        "skilled with", "using", "familiarity with",
    ]
    static let yearUnits = ["年", "years", "year", "yrs", "yr"]
}
