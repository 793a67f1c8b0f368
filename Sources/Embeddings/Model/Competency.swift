/// A competency: one dimension of matchd's exact vectors (`competencies.jsonl`).
public struct Competency: Codable, Sendable, Hashable, Identifiable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case knowledge, skill
        /// A product or framework.
        case tool
        case transversal
    }

    public var id: String
    /// A domain id from `model.json`.
    public var domain: String
    public var kind: Kind
    public var name: LocalizedText
    /// Synonyms, abbreviations, tools and products that are evidence of the competency.
    public var aliases: AliasList
    /// Competencies that partly substitute (symmetric in effect).
    public var related: [String]
    public var description: LocalizedNote?
    /// Aliases that match only with the letter case written here (width still folds): short
    /// Latin names that are also common words, such as "Go".
    public var casedAliases: [String]
    /// Longer words in which this competency's names and aliases do not count: "机电工" keeps
    /// 电工 from firing inside 机电工程师. A match lying strictly inside one of them is dropped.
    public var notWithin: [String]

    public init(id: String, domain: String, kind: Kind, name: LocalizedText, aliases: AliasList = AliasList(),
                related: [String] = [], description: LocalizedNote? = nil, casedAliases: [String] = [],
                notWithin: [String] = []) {
        self.id = id; self.domain = domain; self.kind = kind; self.name = name; self.aliases = aliases
        self.related = related; self.description = description
        self.casedAliases = casedAliases; self.notWithin = notWithin
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, domain, kind, name, aliases, related, description, casedAliases, notWithin
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(domain, forKey: .domain)
        try c.encode(kind, forKey: .kind)
        try c.encode(name, forKey: .name)
        try c.encode(aliases, forKey: .aliases)
        try c.encode(related, forKey: .related)
        try c.encodeIfPresent(description, forKey: .description)
        if !casedAliases.isEmpty { try c.encode(casedAliases, forKey: .casedAliases) }
        if !notWithin.isEmpty { try c.encode(notWithin, forKey: .notWithin) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        domain = try c.decode(String.self, forKey: .domain)
        kind = try c.decode(Kind.self, forKey: .kind)
        name = try c.decode(LocalizedText.self, forKey: .name)
        aliases = try c.decodeIfPresent(AliasList.self, forKey: .aliases) ?? AliasList()
        related = try c.decodeArray(String.self, forKey: .related)
        description = try c.decodeIfPresent(LocalizedNote.self, forKey: .description)
        casedAliases = try c.decodeArray(String.self, forKey: .casedAliases)
        notWithin = try c.decodeArray(String.self, forKey: .notWithin)
    }
}
