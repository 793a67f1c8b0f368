/// A training course and the competency levels it teaches (`courses.jsonl`, or a user's course
/// sent to the service and checked with `CompetencyModel.validate(course:)`).
public struct Course: Codable, Sendable, Hashable, Identifiable {
    public struct Provider: Codable, Sendable, Hashable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case university
            case vocationalCollege = "vocational-college"
            case enterprise
            case trainingInstitution = "training-institution"
            case onlinePlatform = "online-platform"
            case publicTrainingCentre = "public-training-centre"
        }
        public var type: Kind
        public var name: String
        public init(type: Kind, name: String) { self.type = type; self.name = name }
        enum CodingKeys: String, CodingKey, CaseIterable { case type, name }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            type = try c.decode(Kind.self, forKey: .type)
            name = try c.decode(String.self, forKey: .name)
        }
    }

    public enum Mode: String, Codable, Sendable, CaseIterable { case online, offline, blended }

    public var id: String
    public var title: LocalizedText
    public var description: LocalizedNote?
    public var provider: Provider
    /// 1…2000.
    public var hours: Int
    public var mode: Mode
    /// Non-empty; levels 1…8.
    public var teaches: [CompetencyLevel]
    public var prerequisites: [CompetencyLevel]
    /// A certificate id the course prepares for.
    public var certificate: String?
    public var subsidyEligible: Bool?
    public var priceYuan: Double?
    /// Empty means anywhere (online).
    public var cities: [String]

    public init(id: String, title: LocalizedText, description: LocalizedNote? = nil, provider: Provider, hours: Int,
                mode: Mode, teaches: [CompetencyLevel], prerequisites: [CompetencyLevel] = [], certificate: String? = nil,
                subsidyEligible: Bool? = nil, priceYuan: Double? = nil, cities: [String] = []) {
        self.id = id; self.title = title; self.description = description; self.provider = provider
        self.hours = hours; self.mode = mode; self.teaches = teaches; self.prerequisites = prerequisites
        self.certificate = certificate; self.subsidyEligible = subsidyEligible; self.priceYuan = priceYuan
        self.cities = cities
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, title, description, provider, hours, mode, teaches, prerequisites, certificate, subsidyEligible,
             priceYuan, cities
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        title = try c.decode(LocalizedText.self, forKey: .title)
        description = try c.decodeIfPresent(LocalizedNote.self, forKey: .description)
        provider = try c.decode(Provider.self, forKey: .provider)
        hours = try c.decode(Int.self, forKey: .hours)
        mode = try c.decode(Mode.self, forKey: .mode)
        teaches = try c.decodeArray(CompetencyLevel.self, forKey: .teaches)
        prerequisites = try c.decodeArray(CompetencyLevel.self, forKey: .prerequisites)
        certificate = try c.decodeIfPresent(String.self, forKey: .certificate)
        subsidyEligible = try c.decodeIfPresent(Bool.self, forKey: .subsidyEligible)
        priceYuan = try c.decodeIfPresent(Double.self, forKey: .priceYuan)
        cities = try c.decodeArray(String.self, forKey: .cities)
    }
}
