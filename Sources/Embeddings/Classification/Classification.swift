/// What `OccupationCoder.classify` answers for one title.
public struct Classification: Sendable, Hashable, Codable {
    /// The chosen occupation; `nil` when the best candidate's confidence is below the threshold
    /// ("unknown": matchd does not guess).
    public var occupation: OccupationCandidate?
    /// The best candidates, best first, each with its confidence (the first is `occupation` when one was chosen).
    public var candidates: [OccupationCandidate]
    /// How the title was read: its head, the noise cut out, the level it names.
    public var reading: TitleReading
    /// The confidence an answer needs.
    public var threshold: Double

    public var isUnknown: Bool { occupation == nil }
}

/// One ranked occupation.
public struct OccupationCandidate: Sendable, Hashable, Codable {
    public var code: String
    /// As published in the classification.
    public var name: String
    /// Marked S or L/S (or a post of the model's digital occupations).
    public var digital: Bool
    /// The model's post (or direction) that fits best, when the occupation has posts.
    public var post: String?
    /// Calibrated: of the titles answered with this confidence, about this share is right
    /// (`benchmarks/results/classify-dev.md`).
    public var confidence: Double
    /// The raw score the confidence is calibrated from.
    public var score: Double
    /// What decided it, strongest first.
    public var evidence: [ClassificationEvidence]
}

/// One reason for a candidate.
public struct ClassificationEvidence: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// The title (or one of its pieces) is this name or market title exactly.
        case title
        /// The title contains this name or market title (`atEnd`: as its head noun).
        case containsTitle
        /// The title shares character n-grams with this name or market title.
        case similarTitle
        /// A bracketed part of the title resembles this name or market title.
        case context
        /// The words of the title and description resemble the official definition and tasks.
        case definition
        /// The competencies read from the title and description fit this post's requirements.
        case competencies
    }
    public var kind: Kind
    /// The name or market title matched, or the shared words of the definition.
    public var text: String?
    /// The post whose name or alias matched, or whose requirements fit.
    public var post: String?
    /// Competency ids read from the text that the post requires, by weight (`.competencies`).
    public var competencies: [String]?
    /// This reason's share of the score.
    public var score: Double
}
