/// What a posting requires: competencies with levels and weights summing to 1.
public struct RequirementProfile: Codable, Sendable, Hashable {
    /// Where a requirement came from.
    public struct Source: Codable, Sendable, Hashable {
        public enum Kind: String, Codable, Sendable { case explicit, text, post }
        public var kind: Kind
        /// The request field (`requirements[2]`) for explicit ones, `text` for text.
        public var field: String?
        /// The post id, for the template.
        public var post: String?
        /// The mention's span in the posting text.
        public var span: TextSpan?
        /// The level this source gives (after the template shift).
        public var level: Int?
        /// The raw weight it adds before normalisation.
        public var weight: Double
    }

    public struct Entry: Codable, Sendable, Hashable {
        public var competency: String
        /// The vector dimension.
        public var index: Int
        /// The required ord, 1…max.
        public var level: Int
        /// Share of the posting, summing to 1 over entries.
        public var weight: Double
        public var sources: [Source]

        public init(competency: String, index: Int, level: Int, weight: Double, sources: [Source] = []) {
            self.competency = competency; self.index = index; self.level = level; self.weight = weight; self.sources = sources
        }
    }

    /// By weight, descending, then index.
    public var entries: [Entry]
    /// The template post's id, when `postCode` was given.
    public var post: String?
    /// Competencies the text says are not required (removed from the template too).
    public var excluded: [String]

    public init(entries: [Entry], post: String? = nil, excluded: [String] = []) {
        self.entries = entries; self.post = post; self.excluded = excluded
    }
}

/// What a person (or a course) brings: competencies with effective levels and their evidence.
public struct CapabilityProfile: Codable, Sendable, Hashable {
    public struct Evidence: Codable, Sendable, Hashable {
        public enum Kind: String, Codable, Sendable {
            case verifiedSkill, declaredSkill, certificate, course, experience, text
        }
        public var kind: Kind
        /// The request field (`skills[0]`, `experience[1]`, `certificates[0]`, …).
        public var field: String?
        /// The certificate or course id.
        public var reference: String?
        public var span: TextSpan?
        /// The ord the evidence claims.
        public var level: Int
        /// How much it is trusted (`Vectorizer.Configuration`).
        public var factor: Double
    }

    public struct Entry: Codable, Sendable, Hashable {
        public var competency: String
        public var index: Int
        /// `max over evidence of factor × level` (may be fractional).
        public var level: Double
        public var evidence: [Evidence]

        public init(competency: String, index: Int, level: Double, evidence: [Evidence] = []) {
            self.competency = competency
            self.index = index
            self.level = level
            self.evidence = evidence
        }
    }

    /// By level, descending, then index.
    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// The effective level of a competency, 0 when absent.
    public func level(of competency: String) -> Double {
        entries.first { $0.competency == competency }?.level ?? 0
    }
}
