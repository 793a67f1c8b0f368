import Embeddings

/// The pairs of a computation (who fits which open posting, near pairs, lifts), kept with what
/// they were computed from so that the next computation can reuse them: when the open postings,
/// the courses and the settings are unchanged, only the talents added or changed since are
/// scored again (`MarketReport.compute(_:previous:…)`).
struct MarketPairs: Sendable {
    struct PostingKey: Equatable, Sendable {
        var id: String
        var area: String?
        var requirements: RequirementProfile
    }

    struct TalentKey: Equatable, Sendable {
        var capabilities: CapabilityProfile
        var cityKeys: [String]
    }

    var postings: [PostingKey]
    var courses: [Course]
    var settings: [Double]
    /// By talent id, and the talent order of `result`.
    var talents: [String: TalentKey]
    var talentIDs: [String]
    var result: FitJoin.Result
}
