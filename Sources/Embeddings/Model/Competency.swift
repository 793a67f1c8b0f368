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

    public init(id: String, domain: String, kind: Kind, name: LocalizedText, aliases: AliasList = AliasList(),
                related: [String] = [], description: LocalizedNote? = nil) {
        self.id = id; self.domain = domain; self.kind = kind; self.name = name; self.aliases = aliases
        self.related = related; self.description = description
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case id, domain, kind, name, aliases, related, description }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        domain = try c.decode(String.self, forKey: .domain)
        kind = try c.decode(Kind.self, forKey: .kind)
        name = try c.decode(LocalizedText.self, forKey: .name)
        aliases = try c.decodeIfPresent(AliasList.self, forKey: .aliases) ?? AliasList()
        related = try c.decodeArray(String.self, forKey: .related)
        description = try c.decodeIfPresent(LocalizedNote.self, forKey: .description)
    }
}
