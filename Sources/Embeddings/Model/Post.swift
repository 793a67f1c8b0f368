/// A post: an occupation of the classification, optionally one direction of it (`posts.jsonl`).
///
/// Requirements follow the national standards: 职业功能 (function, weighted) → 工作内容 (work
/// item) → 能力要求 (competency, level, importance).
public struct Post: Codable, Sendable, Hashable, Identifiable {
    public struct Requirement: Codable, Sendable, Hashable {
        public var competency: String
        /// The ord at `referenceLevel`, 1…8.
        public var level: Int
        /// 1…5.
        public var importance: Int
        public init(competency: String, level: Int, importance: Int) {
            self.competency = competency; self.level = level; self.importance = importance
        }
        enum CodingKeys: String, CodingKey, CaseIterable { case competency, level, importance }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            competency = try c.decode(String.self, forKey: .competency)
            level = try c.decode(Int.self, forKey: .level)
            importance = try c.decode(Int.self, forKey: .importance)
        }
    }

    public struct WorkItem: Codable, Sendable, Hashable {
        public var name: LocalizedText
        public var requirements: [Requirement]
        public init(name: LocalizedText, requirements: [Requirement]) { self.name = name; self.requirements = requirements }
        enum CodingKeys: String, CodingKey, CaseIterable { case name, requirements }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            name = try c.decode(LocalizedText.self, forKey: .name)
            requirements = try c.decodeArray(Requirement.self, forKey: .requirements)
        }
    }

    public struct Function: Codable, Sendable, Hashable {
        public var name: LocalizedText
        /// Integer share of the post, the functions of a post summing to 100.
        public var weight: Int
        public var workItems: [WorkItem]
        public init(name: LocalizedText, weight: Int, workItems: [WorkItem]) {
            self.name = name; self.weight = weight; self.workItems = workItems
        }
        enum CodingKeys: String, CodingKey, CaseIterable { case name, weight, workItems }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            name = try c.decode(LocalizedText.self, forKey: .name)
            weight = try c.decode(Int.self, forKey: .weight)
            workItems = try c.decodeArray(WorkItem.self, forKey: .workItems)
        }
    }

    /// The occupation code, plus `.<direction>` for one direction of it.
    public var id: String
    public var occupation: String
    public var edition: String?
    public var code2015: String?
    public var direction: LocalizedText?
    public var name: LocalizedText
    public var aliases: AliasList
    /// The ord at which requirement levels are written (typically 5).
    public var referenceLevel: Int
    public var functions: [Function]
    public var confidence: Confidence?
    public var source: [String]

    public init(id: String, occupation: String, edition: String? = nil, code2015: String? = nil,
                direction: LocalizedText? = nil, name: LocalizedText, aliases: AliasList = AliasList(),
                referenceLevel: Int, functions: [Function], confidence: Confidence? = nil, source: [String] = []) {
        self.id = id; self.occupation = occupation; self.edition = edition; self.code2015 = code2015
        self.direction = direction; self.name = name; self.aliases = aliases; self.referenceLevel = referenceLevel
        self.functions = functions; self.confidence = confidence; self.source = source
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, occupation, edition, code2015, direction, name, aliases, referenceLevel, functions, confidence, source
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        occupation = try c.decode(String.self, forKey: .occupation)
        edition = try c.decodeIfPresent(String.self, forKey: .edition)
        code2015 = try c.decodeIfPresent(String.self, forKey: .code2015)
        direction = try c.decodeIfPresent(LocalizedText.self, forKey: .direction)
        name = try c.decode(LocalizedText.self, forKey: .name)
        aliases = try c.decodeIfPresent(AliasList.self, forKey: .aliases) ?? AliasList()
        referenceLevel = try c.decode(Int.self, forKey: .referenceLevel)
        functions = try c.decodeArray(Function.self, forKey: .functions)
        confidence = try c.decodeIfPresent(Confidence.self, forKey: .confidence)
        source = try c.decodeArray(String.self, forKey: .source)
    }
}

/// A post's requirement of one competency after weights are resolved.
public struct PostRequirement: Codable, Sendable, Hashable {
    public var competency: String
    /// The competency's vector dimension.
    public var index: Int
    /// The highest level over the functions that require it, at the post's `referenceLevel`.
    public var level: Int
    /// `Σ function.weight / 100 × importance / Σ importance` over the functions requiring it; a
    /// post's weights sum to 1.
    public var weight: Double
}
