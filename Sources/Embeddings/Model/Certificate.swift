/// A certificate and the competency levels it grants (`certificates.jsonl`).
public struct Certificate: Codable, Sendable, Hashable, Identifiable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// 专业技术等级证书.
        case professionalTechnical = "professional-technical"
        /// 职业技能等级证书.
        case vocationalSkill = "vocational-skill"
        /// 专项职业能力证书.
        case specialAbility = "special-ability"
        /// 软考.
        case softExam = "soft-exam"
        case vendor, industry
    }

    /// The certificate's place on a level scheme.
    public struct Level: Codable, Sendable, Hashable {
        public var scheme: String
        /// A `levels.jsonl` id; when given, `ord` must equal its ord.
        public var label: String?
        public var ord: Int
        public init(scheme: String, label: String? = nil, ord: Int) { self.scheme = scheme; self.label = label; self.ord = ord }
        enum CodingKeys: String, CodingKey, CaseIterable { case scheme, label, ord }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            scheme = try c.decode(String.self, forKey: .scheme)
            label = try c.decodeIfPresent(String.self, forKey: .label)
            ord = try c.decode(Int.self, forKey: .ord)
        }
    }

    public var id: String
    public var type: Kind
    public var name: LocalizedText
    public var aliases: AliasList
    public var issuer: LocalizedNote?
    public var level: Level?
    public var occupation: String?
    public var grants: [CompetencyLevel]
    public var validityMonths: Int?
    public var confidence: Confidence?
    public var source: [String]

    public init(id: String, type: Kind, name: LocalizedText, aliases: AliasList = AliasList(), issuer: LocalizedNote? = nil,
                level: Level? = nil, occupation: String? = nil, grants: [CompetencyLevel], validityMonths: Int? = nil,
                confidence: Confidence? = nil, source: [String] = []) {
        self.id = id; self.type = type; self.name = name; self.aliases = aliases; self.issuer = issuer
        self.level = level; self.occupation = occupation; self.grants = grants; self.validityMonths = validityMonths
        self.confidence = confidence; self.source = source
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, type, name, aliases, issuer, level, occupation, grants, validityMonths, confidence, source
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        type = try c.decode(Kind.self, forKey: .type)
        name = try c.decode(LocalizedText.self, forKey: .name)
        aliases = try c.decodeIfPresent(AliasList.self, forKey: .aliases) ?? AliasList()
        issuer = try c.decodeIfPresent(LocalizedNote.self, forKey: .issuer)
        level = try c.decodeIfPresent(Level.self, forKey: .level)
        occupation = try c.decodeIfPresent(String.self, forKey: .occupation)
        grants = try c.decodeArray(CompetencyLevel.self, forKey: .grants)
        validityMonths = try c.decodeIfPresent(Int.self, forKey: .validityMonths)
        confidence = try c.decodeIfPresent(Confidence.self, forKey: .confidence)
        source = try c.decodeArray(String.self, forKey: .source)
    }
}
