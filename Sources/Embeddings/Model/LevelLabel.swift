/// One label of one level scheme, placed on the model's ordinal scale (`levels.jsonl`).
public struct LevelLabel: Codable, Sendable, Hashable, Identifiable {
    /// The level schemes `models/README.md` defines.
    public enum Scheme: String, Codable, Sendable, CaseIterable {
        /// The eight-level skill ladder 学徒工 … 首席技师 (vocational grades 五级 … 一级 as aliases).
        case skill
        /// 专业技术等级 初级 / 中级 / 高级.
        case engineer
        /// 职称: 技术员, 助理工程师, 工程师, 高级工程师, 正高级工程师.
        case title
        /// Cue words in text: 了解, 熟悉, 掌握, 熟练, 精通; familiar, proficient, expert.
        case proficiency
    }

    public var id: String
    public var scheme: Scheme
    public var ord: Int
    public var name: LocalizedText
    public var aliases: AliasList
    public var confidence: Confidence?
    public var source: [String]

    public init(id: String, scheme: Scheme, ord: Int, name: LocalizedText, aliases: AliasList = AliasList(),
                confidence: Confidence? = nil, source: [String] = []) {
        self.id = id; self.scheme = scheme; self.ord = ord; self.name = name; self.aliases = aliases
        self.confidence = confidence; self.source = source
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case id, scheme, ord, name, aliases, confidence, source }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        scheme = try c.decode(Scheme.self, forKey: .scheme)
        ord = try c.decode(Int.self, forKey: .ord)
        name = try c.decode(LocalizedText.self, forKey: .name)
        aliases = try c.decodeIfPresent(AliasList.self, forKey: .aliases) ?? AliasList()
        confidence = try c.decodeIfPresent(Confidence.self, forKey: .confidence)
        source = try c.decodeArray(String.self, forKey: .source)
    }
}
