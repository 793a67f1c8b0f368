import Embeddings

/// The employer's what-if for one posting: for each requirement, how many more consenting
/// candidates would qualify if it were asked at a lower level, or not at all.
struct Relaxations: Sendable {
    struct Option: Sendable, Equatable {
        /// The lowered level; `nil`: the requirement dropped.
        var level: Int?
        var qualified: Int
    }

    struct Item: Sendable {
        var requirement: RequirementProfile.Entry
        var options: [Option]
    }

    var jobID: String
    var threshold: Double
    /// Consenting talents in the posting's area.
    var candidates: Int
    /// Those whose fit reaches the threshold now.
    var qualified: Int
    /// Heaviest requirement first.
    var items: [Item]

    /// Counts, for each one-requirement change of `need`, the `people` whose fit reaches `threshold`.
    ///
    /// Lowering a level never lowers a coverage, so everyone qualified stays qualified and only
    /// people within the requirement's weight of the threshold are rescored; dropping one
    /// scales the others by `1 / (1 − w)`, so only people within that factor are. Every count
    /// is of `Fit.score` on the changed requirements, as the candidate ranking scores them.
    static func count(people: [CapabilityProfile], need: RequirementProfile, threshold: Double,
                      latent: LatentSpace?) -> (qualified: Int, items: [Item]) {
        let base = people.map { Fit.score(have: $0, need: need, latent: latent) }
        let qualified = base.filter { $0 >= threshold }.count
        var items: [Item] = []
        let order = need.entries.indices.sorted { (need.entries[$1].weight, need.entries[$0].competency) < (need.entries[$0].weight, need.entries[$1].competency) }
        for k in order {
            let e = need.entries[k]
            var options: [Option] = []
            for level in stride(from: e.level - 1, through: 1, by: -1) {
                var lowered = need
                lowered.entries[k].level = level
                var n = 0
                for (i, have) in people.enumerated() {
                    if base[i] >= threshold { n += 1; continue }
                    guard base[i] + e.weight >= threshold - 1e-9 else { continue }
                    if Fit.score(have: have, need: lowered, latent: latent) >= threshold { n += 1 }
                }
                options.append(Option(level: level, qualified: n))
            }
            var dropped = need
            dropped.entries.remove(at: k)
            let rest = 1 - e.weight
            if rest > 1e-12 {
                for j in dropped.entries.indices { dropped.entries[j].weight /= rest }
                var n = 0
                for (i, have) in people.enumerated() where base[i] / rest >= threshold - 1e-9 {
                    if Fit.score(have: have, need: dropped, latent: latent) >= threshold { n += 1 }
                }
                options.append(Option(level: nil, qualified: n))
            }
            items.append(Item(requirement: e, options: options))
        }
        return (qualified, items)
    }
}

extension Engine {
    /// The what-if of a posting (owning employer or admin), among the consenting talents who
    /// live in or want to work in its city (anywhere when it names none).
    func relaxations(jobID: String, threshold: Double, by identity: Identity) async throws -> Relaxations {
        guard threshold >= 0 && threshold <= 1 else {
            throw ServiceError.invalid(field: "threshold", message: "must be within 0…1, got \(threshold)")
        }
        let job = try await job(id: jobID)
        try identity.requireJobOwner(employerID: job.employerId)
        let need = try requirements(ofJob: job)
        let area = CandidateArea.resolve(city: nil, anyCity: nil, postingCity: job.city)
        let people = talents.view().entries.values.filter(area.allows).map(\.capabilities)
        let (qualified, items) = Relaxations.count(people: people, need: need, threshold: threshold, latent: latent)
        return Relaxations(jobID: jobID, threshold: threshold, candidates: people.count, qualified: qualified, items: items)
    }
}
