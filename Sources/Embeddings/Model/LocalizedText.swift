/// Text in Chinese and English: `{"zh": "…", "en": "…"}`. Both keys are required for names.
public struct LocalizedText: Codable, Sendable, Hashable {
    public var zh: String
    public var en: String

    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case zh, en }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        zh = try c.decode(String.self, forKey: .zh)
        en = try c.decode(String.self, forKey: .en)
    }
}

/// A description: like `LocalizedText`, but either language may be missing (then empty).
public struct LocalizedNote: Codable, Sendable, Hashable {
    public var zh: String?
    public var en: String?

    public init(zh: String? = nil, en: String? = nil) {
        self.zh = zh
        self.en = en
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case zh, en }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        zh = try c.decodeIfPresent(String.self, forKey: .zh)
        en = try c.decodeIfPresent(String.self, forKey: .en)
    }
}

/// Synonyms by language: `{"zh": [ … ], "en": [ … ]}`; either list may be empty or absent.
public struct AliasList: Codable, Sendable, Hashable {
    public var zh: [String]
    public var en: [String]

    public init(zh: [String] = [], en: [String] = []) {
        self.zh = zh
        self.en = en
    }

    /// Chinese aliases, then English ones.
    public var all: [String] { zh + en }

    enum CodingKeys: String, CodingKey, CaseIterable { case zh, en }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        zh = try c.decodeArray(String.self, forKey: .zh)
        en = try c.decodeArray(String.self, forKey: .en)
    }
}

/// How far an entry is established (`models/README.md`).
public enum Confidence: String, Codable, Sendable, CaseIterable {
    /// Read in a cited source.
    case verified
    /// Reported, not confirmed: keep it visible.
    case unverified
    /// matchd's own design choice.
    case proposal
}

/// A competency at a level: a certificate's grant, a course's teaching or prerequisite.
public struct CompetencyLevel: Codable, Sendable, Hashable {
    public var competency: String
    public var level: Int

    public init(competency: String, level: Int) {
        self.competency = competency
        self.level = level
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case competency, level }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        competency = try c.decode(String.self, forKey: .competency)
        level = try c.decode(Int.self, forKey: .level)
    }
}
