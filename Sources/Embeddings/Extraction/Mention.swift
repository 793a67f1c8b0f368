/// A range of the ORIGINAL text in Unicode scalar offsets (`text.unicodeScalars`), `end` exclusive.
///
/// Scalars, not UTF-16 units or `Character`s: a JavaScript client converts with
/// `Array(text)` (code points), Python with `text[start:end]`.
public struct TextSpan: Codable, Sendable, Hashable {
    public var start: Int
    public var end: Int
    public init(start: Int, end: Int) { self.start = start; self.end = end }
    public var count: Int { end - start }
}

/// What set a mention's level.
public struct LevelCue: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        /// A level label or alias of `levels.jsonl` (精通, 熟悉, proficient, 中级, 高级工, …).
        case label
        /// "3年以上", "3+ years": the ord `experienceYears` gives.
        case years
        /// A certificate's grant.
        case certificate
    }
    public var kind: Kind
    public var ord: Int
    /// The cue as written in the original text.
    public var text: String
    public var span: TextSpan
    /// The `levels.jsonl` id, for `.label`.
    public var label: String?
    /// The years read, for `.years`.
    public var years: Double?
    /// The certificate id, for `.certificate`.
    public var certificate: String?
}

/// A competency or certificate found in text.
public struct Mention: Codable, Sendable, Hashable {
    public enum Source: String, Codable, Sendable {
        /// A name or alias of the competency, exactly (after normalisation).
        case alias
        /// A certificate's name or alias: the certificate itself (`competency == nil`) or one of
        /// its grants (`competency` and `certificate` set).
        case certificate
        /// Character n-gram similarity to a competency's name or alias.
        case fuzzy
    }

    /// The competency id; `nil` for the mention of a certificate itself.
    public var competency: String?
    /// The competency's vector dimension.
    public var index: Int?
    /// The certificate id, for `.certificate` mentions.
    public var certificate: String?
    public var span: TextSpan
    /// The matched original text.
    public var text: String
    /// The ord the text gives (from `cue`), if any.
    public var level: Int?
    public var cue: LevelCue?
    /// In a clause that says it is not required (不要求, 无需, not required, without, …).
    public var negated: Bool
    /// 1 for an exact alias or certificate; the n-gram cosine (below 1) for fuzzy matches.
    public var confidence: Double
    public var source: Source
}

/// What `Extractor.extract(_:)` found.
public struct Extraction: Codable, Sendable, Hashable {
    /// In text order (by `span.start`; a certificate precedes its grants).
    public var mentions: [Mention]
    /// Years of experience read anywhere in the text ("3年以上", "5+ years"), in text order.
    public var years: [LevelCue]

    /// Competency mentions (grants included) that are not negated.
    public var required: [Mention] { mentions.filter { $0.competency != nil && !$0.negated } }
}
