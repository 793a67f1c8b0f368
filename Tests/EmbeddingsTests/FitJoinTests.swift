import Embeddings
import TestSupport
import Testing

/// `FitColumns` and `FitJoin` against `Fit.score` itself, pair by pair: the product's decisions,
/// the near pairs and the course lifts must equal what a naive loop over every pair and every
/// course finds.
@Suite(.enabled(if: Bundled.isPresent, "the bundled model is not in this checkout"))
struct FitJoinTests {
    static let model = BundledModel.model
    static var latent: LatentSpace { BundledModel.latent }

    /// People and postings around the model's posts, so that many pairs land near any threshold:
    /// postings take a post's requirements (levels jittered, a few dropped); people hold most of
    /// a post's competencies at levels around the needed ones, plus strays.
    static func sample(people: Int, postings: Int, areas: Int, seed: UInt64)
        -> (people: [FitJoin.Person], postings: [FitJoin.Posting]) {
        var rng = SplitMix64(seed: seed)
        let posts = model.posts.prefix(12)
        func requirements(of post: Post) -> [(index: Int, competency: String, level: Int, weight: Double)] {
            (model.requirements(ofPost: post.id) ?? []).compactMap { r in
                model.index(ofCompetency: r.competency).map { ($0, r.competency, r.level, r.weight) }
            }
        }
        var jobs: [FitJoin.Posting] = []
        for _ in 0..<postings {
            let post = posts.randomElement(using: &rng)!
            var entries = requirements(of: post).filter { _ in Double.random(in: 0..<1, using: &rng) < 0.85 }
                .map { r in RequirementProfile.Entry(competency: r.competency, index: r.index,
                                                     level: min(8, max(1, r.level + Int.random(in: -1...1, using: &rng))),
                                                     weight: r.weight, sources: []) }
            if entries.isEmpty { entries = [.init(competency: model.competencies[0].id, index: 0, level: 3, weight: 1, sources: [])] }
            let total = entries.reduce(0) { $0 + $1.weight }
            for i in entries.indices { entries[i].weight /= total }
            let area: Int? = Int.random(in: 0...areas, using: &rng)
            jobs.append(.init(requirements: RequirementProfile(entries: entries), area: area == areas ? nil : area))
        }
        var persons: [FitJoin.Person] = []
        for _ in 0..<people {
            let post = posts.randomElement(using: &rng)!
            var entries: [CapabilityProfile.Entry] = []
            for r in requirements(of: post) where Double.random(in: 0..<1, using: &rng) < 0.75 {
                let level = max(0.5, Double(r.level) + Double.random(in: -2.5...1.0, using: &rng))
                entries.append(.init(competency: r.competency, index: r.index, level: level))
            }
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let i = Int.random(in: 0..<model.dimension, using: &rng)
                if !entries.contains(where: { $0.index == i }) {
                    entries.append(.init(competency: model.competencies[i].id, index: i, level: Double(Int.random(in: 1...6, using: &rng))))
                }
            }
            let areaCount = Int.random(in: 0...2, using: &rng)
            persons.append(.init(capabilities: CapabilityProfile(entries: entries),
                                 areas: (0..<areaCount).map { _ in Int.random(in: 0..<areas, using: &rng) }))
        }
        return (persons, jobs)
    }

    /// The capability profile after completing `course`, as `FitJoin` documents it.
    static func after(_ have: CapabilityProfile, _ course: Course, factor: Double) -> CapabilityProfile {
        var out = have
        for t in course.teaches {
            guard let i = model.index(ofCompetency: t.competency) else { continue }
            let level = factor * Double(t.level)
            if let k = out.entries.firstIndex(where: { $0.index == i }) {
                out.entries[k].level = max(out.entries[k].level, level)
            } else {
                out.entries.append(.init(competency: t.competency, index: i, level: level))
            }
        }
        return out
    }

    @Test func theCoverageRowTimesTheWeightsIsFitScore() {
        let (people, postings) = Self.sample(people: 60, postings: 40, areas: 3, seed: 11)
        let columns = FitColumns(requirements: postings.map(\.requirements), dimension: Self.model.dimension, latent: Self.latent)
        for p in people {
            let row = columns.coverage(of: p.capabilities)
            for j in postings {
                let product = columns.weights(of: j.requirements)!.reduce(Float(0)) { $0 + row[$1.column] * $1.weight }
                let exact = Fit.score(have: p.capabilities, need: j.requirements, latent: Self.latent)
                #expect(abs(Double(product) - exact) <= 1e-5, "product \(product) vs Fit.score \(exact)")
            }
        }
    }

    @Test(arguments: [(threshold: 0.7, seed: UInt64(1)), (threshold: 0.5, seed: 2), (threshold: 0.85, seed: 3)])
    func decisionsNearPairsAndLiftsEqualANaiveLoop(_ c: (threshold: Double, seed: UInt64)) throws {
        let (people, postings) = Self.sample(people: 100, postings: 50, areas: 4, seed: c.seed)
        let courses = Array(Self.model.courses.prefix(50))
        var configuration = FitJoin.Configuration()
        configuration.threshold = c.threshold
        configuration.workers = Int(c.seed % 2) + 1
        let result = try FitJoin.run(people: people, postings: postings, courses: courses, model: Self.model,
                                     latent: Self.latent, configuration: configuration)

        var ready = [[Int32]](repeating: [], count: postings.count)
        var near: [FitJoin.NearPair] = []
        var lifts: [FitJoin.Lift] = []
        for (i, p) in people.enumerated() {
            var levels: [String: Double] = [:]
            for e in p.capabilities.entries { levels[e.competency] = max(levels[e.competency] ?? 0, e.level) }
            for (j, job) in postings.enumerated() {
                guard job.area == nil || p.areas.isEmpty || p.areas.contains(job.area!) else { continue }
                let fit = Fit.score(have: p.capabilities, need: job.requirements, latent: Self.latent)
                if fit >= c.threshold { ready[j].append(Int32(i)); continue }
                if fit >= c.threshold - configuration.nearMargin {
                    let explained = Fit.evaluate(have: p.capabilities, need: job.requirements, latent: Self.latent)
                    let covered = Dictionary(explained.matched.map { ($0.competency, $0.coverage) }, uniquingKeysWith: max)
                    let missing = job.requirements.entries.filter { (covered[$0.competency] ?? 0) < 1 - 1e-6 }.map { Int32($0.index) }
                    near.append(.init(person: Int32(i), posting: Int32(j), fit: Float(fit), missing: missing))
                }
                for (k, course) in courses.enumerated() where CoursePlanner.canFollow(course, levels) {
                    let after = Fit.score(have: Self.after(p.capabilities, course, factor: configuration.courseFactor),
                                          need: job.requirements, latent: Self.latent)
                    if after >= c.threshold { lifts.append(.init(person: Int32(i), posting: Int32(j), course: Int32(k))) }
                }
            }
        }
        #expect(result.ready == ready)
        #expect(result.lifts == lifts, "lifts: \(result.lifts.count) vs naive \(lifts.count)")
        #expect(result.near.map { [$0.person, $0.posting] } == near.map { [$0.person, $0.posting] })
        for (a, b) in zip(result.near, near) {
            #expect(Set(a.missing) == Set(b.missing), "missing of \(a.person)×\(a.posting)")
            #expect(abs(a.fit - b.fit) <= 1e-4)
        }
        // The sample is one where every kind of answer occurs.
        #expect(ready.contains { !$0.isEmpty } && !near.isEmpty && !lifts.isEmpty)
        #expect(result.scoredPairs > 0 && result.flops > 0)
    }
}
