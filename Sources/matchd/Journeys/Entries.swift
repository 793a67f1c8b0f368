import Foundation
import Embeddings

/// What the jobs catalog keeps beside each open posting's vector: its filter attributes and
/// resolved requirements (for re-ranking and explanations).
struct JobEntry: Sendable, Codable {
    var id: String
    var employerId: String
    var title: String
    var city: String?
    /// `city` as `cityKey` compares it.
    var cityKey: String?
    var salaryMin: Int?
    var salaryMax: Int?
    var level: Int?
    var postCode: String?
    /// The occupation code of `postCode`'s post, so that a filter by occupation matches its directions.
    var occupation: String?
    var requirements: RequirementProfile
}

/// What the talents catalog keeps beside each consenting talent's vector: what an employer may
/// see (never contact details) and the capability profile, evidence stripped.
struct TalentEntry: Sendable, Codable {
    var id: String
    var displayName: String
    var city: String?
    var desiredCities: [String]
    /// `city` and `desiredCities` as `cityKey` compares them.
    var cityKeys: [String]
    var level: Int?
    var capabilities: CapabilityProfile
}

/// A city as matching compares it: without case and surrounding spaces ("上海" = " 上海 ").
func cityKey(_ city: String) -> String {
    city.trimmingCharacters(in: .whitespaces).lowercased()
}

extension CapabilityProfile {
    /// The same levels without their evidence lists (what re-ranking needs, at a fraction of the memory).
    var compact: CapabilityProfile {
        CapabilityProfile(entries: entries.map { var e = $0; e.evidence = []; return e })
    }
}

extension RequirementProfile {
    /// The same requirements without their source lists.
    var compact: RequirementProfile {
        RequirementProfile(entries: entries.map { var e = $0; e.sources = []; return e }, post: post)
    }
}
