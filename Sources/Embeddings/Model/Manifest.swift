/// `model.json`: what the model is, where its facts come from, its domains and level scale.
public struct Manifest: Codable, Sendable, Hashable {
    public struct Classification: Codable, Sendable, Hashable {
        public var name: String
        public var edition: String
        /// Batches of new occupations announced after `edition` ("2024-07"); a post's `edition`
        /// is `edition` or one of these.
        public var supplements: [String]
        public init(name: String, edition: String, supplements: [String] = []) {
            self.name = name; self.edition = edition; self.supplements = supplements
        }
        enum CodingKeys: String, CodingKey, CaseIterable { case name, edition, supplements }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            edition = try c.decode(String.self, forKey: .edition)
            supplements = try c.decodeArray(String.self, forKey: .supplements)
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(edition, forKey: .edition)
            if !supplements.isEmpty { try c.encode(supplements, forKey: .supplements) }
        }
    }

    /// A cited source; entries list these ids in `source`.
    public struct Source: Codable, Sendable, Hashable {
        public var id: String
        public var title: String
        public var url: String?
        public var note: String?
        public init(id: String, title: String, url: String? = nil, note: String? = nil) {
            self.id = id; self.title = title; self.url = url; self.note = note
        }
        enum CodingKeys: String, CodingKey, CaseIterable { case id, title, url, note }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            title = try c.decode(String.self, forKey: .title)
            url = try c.decodeIfPresent(String.self, forKey: .url)
            note = try c.decodeIfPresent(String.self, forKey: .note)
        }
    }

    public struct Domain: Codable, Sendable, Hashable {
        public var id: String
        public var name: LocalizedText
        public init(id: String, name: LocalizedText) { self.id = id; self.name = name }
        enum CodingKeys: String, CodingKey, CaseIterable { case id, name }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            name = try c.decode(LocalizedText.self, forKey: .name)
        }
    }

    /// The one ordinal scale (`min…max`, 0…8 in matchd's models) and the name of each ord.
    public struct Scale: Codable, Sendable, Hashable {
        public struct Ordinal: Codable, Sendable, Hashable {
            public var ord: Int
            public var name: LocalizedText
            public init(ord: Int, name: LocalizedText) { self.ord = ord; self.name = name }
            enum CodingKeys: String, CodingKey, CaseIterable { case ord, name }
            public init(from decoder: any Decoder) throws {
                let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
                ord = try c.decode(Int.self, forKey: .ord)
                name = try c.decode(LocalizedText.self, forKey: .name)
            }
        }
        public var min: Int
        public var max: Int
        public var ordinals: [Ordinal]
        public init(min: Int, max: Int, ordinals: [Ordinal]) { self.min = min; self.max = max; self.ordinals = ordinals }
        enum CodingKeys: String, CodingKey, CaseIterable { case min, max, ordinals }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            min = try c.decode(Int.self, forKey: .min)
            max = try c.decode(Int.self, forKey: .max)
            ordinals = try c.decodeArray(Ordinal.self, forKey: .ordinals)
        }
    }

    /// "N years of X" reads as the ord of the last row with `minYears <= N`.
    public struct ExperienceRule: Codable, Sendable, Hashable {
        public var minYears: Double
        public var ord: Int
        public init(minYears: Double, ord: Int) { self.minYears = minYears; self.ord = ord }
        enum CodingKeys: String, CodingKey, CaseIterable { case minYears, ord }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            minYears = try c.decode(Double.self, forKey: .minYears)
            ord = try c.decode(Int.self, forKey: .ord)
        }
    }

    public var id: String
    public var version: Int
    public var name: LocalizedText
    /// The languages every competency carries aliases in (`zh`, `en`); empty: no such rule.
    public var languages: [String]
    public var description: LocalizedNote?
    public var classification: Classification?
    /// Files whose entries are invented demo data.
    public var syntheticFiles: [String]
    public var sources: [Source]
    public var domains: [Domain]
    public var scale: Scale
    public var experienceYears: [ExperienceRule]

    public init(id: String, version: Int, name: LocalizedText, languages: [String] = [], description: LocalizedNote? = nil,
                classification: Classification? = nil, syntheticFiles: [String] = [], sources: [Source],
                domains: [Domain], scale: Scale, experienceYears: [ExperienceRule]) {
        self.id = id; self.version = version; self.name = name; self.languages = languages; self.description = description
        self.classification = classification; self.syntheticFiles = syntheticFiles; self.sources = sources
        self.domains = domains; self.scale = scale; self.experienceYears = experienceYears
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, version, name, languages, description, classification, syntheticFiles, sources, domains, scale, experienceYears
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        version = try c.decode(Int.self, forKey: .version)
        name = try c.decode(LocalizedText.self, forKey: .name)
        languages = try c.decodeArray(String.self, forKey: .languages)
        description = try c.decodeIfPresent(LocalizedNote.self, forKey: .description)
        classification = try c.decodeIfPresent(Classification.self, forKey: .classification)
        syntheticFiles = try c.decodeArray(String.self, forKey: .syntheticFiles)
        sources = try c.decodeArray(Source.self, forKey: .sources)
        domains = try c.decodeArray(Domain.self, forKey: .domains)
        scale = try c.decode(Scale.self, forKey: .scale)
        experienceYears = try c.decodeArray(ExperienceRule.self, forKey: .experienceYears)
    }
}
