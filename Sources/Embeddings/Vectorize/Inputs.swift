/// A job posting as the service receives it (JSON). Missing arrays decode as empty; unknown keys
/// are refused.
public struct PostingInput: Codable, Sendable, Hashable {
    /// A post id or bare occupation code of the model: its requirements are the template.
    public var postCode: String?
    /// The ord the posting is at; shifts the template's levels by `level − referenceLevel`.
    public var level: Int?
    public var requirements: [RequirementInput]
    /// Free posting text, read by the extractor.
    public var text: String?

    public init(postCode: String? = nil, level: Int? = nil, requirements: [RequirementInput] = [], text: String? = nil) {
        self.postCode = postCode; self.level = level; self.requirements = requirements; self.text = text
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case postCode, level, requirements, text }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        postCode = try c.decodeIfPresent(String.self, forKey: .postCode)
        level = try c.decodeIfPresent(Int.self, forKey: .level)
        requirements = try c.decodeArray(RequirementInput.self, forKey: .requirements)
        text = try c.decodeIfPresent(String.self, forKey: .text)
    }
}

/// One explicit requirement of a posting.
public struct RequirementInput: Codable, Sendable, Hashable {
    public var competency: String
    /// Defaults to the posting's `level`, else `Vectorizer.Configuration.defaultRequirementLevel`.
    public var level: Int?
    /// Relative weight (> 0), default 1.
    public var weight: Double?

    public init(competency: String, level: Int? = nil, weight: Double? = nil) {
        self.competency = competency; self.level = level; self.weight = weight
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case competency, level, weight }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        competency = try c.decode(String.self, forKey: .competency)
        level = try c.decodeIfPresent(Int.self, forKey: .level)
        weight = try c.decodeIfPresent(Double.self, forKey: .weight)
    }
}

/// A talent's profile as the service receives it (JSON).
public struct ProfileInput: Codable, Sendable, Hashable {
    public var skills: [SkillInput]
    /// Certificate ids of the model.
    public var certificates: [String]
    public var experience: [ExperienceInput]
    /// Course ids of the model's catalogue.
    public var completedCourses: [String]
    /// Free text (a résumé), read by the extractor.
    public var text: String?

    public init(skills: [SkillInput] = [], certificates: [String] = [], experience: [ExperienceInput] = [],
                completedCourses: [String] = [], text: String? = nil) {
        self.skills = skills; self.certificates = certificates; self.experience = experience
        self.completedCourses = completedCourses; self.text = text
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case skills, certificates, experience, completedCourses, text }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        skills = try c.decodeArray(SkillInput.self, forKey: .skills)
        certificates = try c.decodeArray(String.self, forKey: .certificates)
        experience = try c.decodeArray(ExperienceInput.self, forKey: .experience)
        completedCourses = try c.decodeArray(String.self, forKey: .completedCourses)
        text = try c.decodeIfPresent(String.self, forKey: .text)
    }
}

/// A declared skill.
public struct SkillInput: Codable, Sendable, Hashable {
    public var competency: String
    /// 1…scale max.
    public var level: Int
    /// Checked by a third party (an assessment, an employer); default false.
    public var verified: Bool

    public init(competency: String, level: Int, verified: Bool = false) {
        self.competency = competency; self.level = level; self.verified = verified
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case competency, level, verified }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        competency = try c.decode(String.self, forKey: .competency)
        level = try c.decode(Int.self, forKey: .level)
        verified = try c.decodeIfPresent(Bool.self, forKey: .verified) ?? false
    }
}

/// A stretch of work experience, described in text.
public struct ExperienceInput: Codable, Sendable, Hashable {
    public var text: String
    /// How long it lasted; read through `experienceYears` when the text gives no level.
    public var years: Double?

    public init(text: String, years: Double? = nil) { self.text = text; self.years = years }

    enum CodingKeys: String, CodingKey, CaseIterable { case text, years }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        text = try c.decode(String.self, forKey: .text)
        years = try c.decodeIfPresent(Double.self, forKey: .years)
    }
}
