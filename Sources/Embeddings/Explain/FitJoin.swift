public import Matcher
import Synchronization

/// Which people fit which postings, exactly, for all pairs at once; and which single course
/// would lift a person over the threshold for a posting. The market view's batch problem.
///
/// 1. **Scoring.** People and postings meet in areas (a posting's city; a person's cities, or
///    everywhere). Per area, the people's coverage rows and the postings' weight columns
///    (`FitColumns`) are multiplied by `ScoreJoin`, tile by tile through `cblas_sgemm`; the
///    full product is never held.
/// 2. **Deciding.** A pair whose product is at least `threshold + FitColumns.margin` fits, one
///    below `threshold − margin` does not; the few in between are rescored with `Fit.score`, so
///    every decision equals `Fit.score(…) ≥ threshold`.
/// 3. **Near pairs** (`nearMargin` below the threshold, or close enough for some course to
///    lift them) keep the requirements the person does not fully cover.
/// 4. **Lifts.** For a pair below the threshold, a course can only raise the coverage of the
///    competencies it teaches and of their latent neighbours (similarity ≥ τ), so
///    `fit + Σ w_j (1 − c_j)` over those requirements bounds the fit after it. Courses whose
///    bound reaches the threshold are applied (each taught level becomes
///    `max(have, courseFactor × level)`, as a completed course counts) and the pair rescored
///    with `Fit.score`; a course the person cannot follow (`CoursePlanner.canFollow`) is skipped.
public enum FitJoin {
    public struct Person: Sendable {
        public var capabilities: CapabilityProfile
        /// The areas the person may work in; empty: every area.
        public var areas: [Int]
        public init(capabilities: CapabilityProfile, areas: [Int]) {
            self.capabilities = capabilities
            self.areas = areas
        }
    }

    public struct Posting: Sendable {
        public var requirements: RequirementProfile
        /// The posting's area; `nil`: anyone may take it.
        public var area: Int?
        public init(requirements: RequirementProfile, area: Int?) {
            self.requirements = requirements
            self.area = area
        }
    }

    public struct Configuration: Sendable {
        /// The fit a pair must reach.
        public var threshold: Double = 0.7
        /// How far below the threshold a pair counts as near.
        public var nearMargin: Double = 0.15
        /// The trust factor of a completed course (`Vectorizer.Configuration.courseFactor`).
        public var courseFactor: Double = 0.9
        /// Threads for the products (the market view runs one, beside the serving threads).
        public var workers: Int = 1
        public var fit = Fit.Configuration()
        public init() {}
    }

    /// A pair near the threshold and what the person lacks for it.
    public struct NearPair: Sendable, Hashable {
        public var person: Int32
        public var posting: Int32
        public var fit: Float
        /// Competency indices of requirements covered less than fully.
        public var missing: [Int32]
        public init(person: Int32, posting: Int32, fit: Float, missing: [Int32]) {
            self.person = person; self.posting = posting; self.fit = fit; self.missing = missing
        }
    }

    public struct Lift: Sendable, Hashable {
        public var person: Int32
        public var posting: Int32
        public var course: Int32
        public init(person: Int32, posting: Int32, course: Int32) {
            self.person = person; self.posting = posting; self.course = course
        }
    }

    public struct Result: Sendable {
        /// Per posting, the people (ascending) whose fit reaches the threshold.
        public var ready: [[Int32]]
        /// Pairs below the threshold by at most `nearMargin`, by person then posting.
        public var near: [NearPair]
        /// (person, posting, course) with the fit below the threshold before the course and at or
        /// above it after, by person, posting, course.
        public var lifts: [Lift]
        /// Columns of the product (`FitColumns`).
        public var columns: Int = 0
        /// Pairs scored by the product, and rescored exactly near the threshold.
        public var scoredPairs: Int
        public var rescoredPairs: Int
        /// Multiply-adds of the products (for the share of `sgemm` peak).
        public var flops: Double
        /// Wall seconds of the scoring (products and decisions), of which the products' share
        /// (`scoringSeconds` less the decisions' time per worker), and of the whole run.
        public var scoringSeconds: Double = 0
        public var productSeconds: Double
        /// Seconds deciding pairs (thresholds, near pairs, lifts), summed over the workers.
        public var decisionSeconds: Double = 0
        public var totalSeconds: Double
    }

    public static func run(people: [Person], postings: [Posting], courses: [Course], model: CompetencyModel,
                           latent: LatentSpace?, configuration: Configuration = Configuration(),
                           progress: @Sendable (Double) -> Void = { _ in }) throws(MatcherError) -> Result {
        let started = ContinuousClock.now
        let columns = FitColumns(requirements: postings.map(\.requirements), dimension: model.dimension, latent: latent,
                                 configuration: configuration.fit)
        let d = columns.count
        // Coverage rows of everyone, computed once (a person meets postings in several areas).
        var rowsOfPeople = [Float](repeating: 0, count: people.count * d)
        rowsOfPeople.withUnsafeMutableBufferPointer { all in
            var levels = [Double](repeating: 0, count: model.dimension)
            for (p, person) in people.enumerated() {
                columns.coverage(of: person.capabilities, into: UnsafeMutableBufferPointer(rebasing: all[(p * d)..<((p + 1) * d)]),
                                 levels: &levels)
            }
        }
        let coverage = rowsOfPeople
        let weights = postings.map { columns.weights(of: $0.requirements)! }
        let teach = CourseEffects(courses: courses, model: model, latent: latent, configuration: configuration)
        let hits = postings.map { teach.hits(of: $0.requirements) }
        let bounds = hits.map(CourseEffects.loosestBound)

        // Areas: postings by area; people by area (the anywhere people join every area).
        var postingsIn: [Int?: [Int32]] = [:]
        for (j, p) in postings.enumerated() { postingsIn[p.area, default: []].append(Int32(j)) }
        let anywhere = people.indices.filter { people[$0].areas.isEmpty }.map { Int32($0) }
        var peopleIn: [Int: [Int32]] = [:]
        for (i, p) in people.enumerated() { for a in Set(p.areas) { peopleIn[a, default: []].append(Int32(i)) } }
        let areas = postingsIn.keys.sorted { ($0 ?? -1) < ($1 ?? -1) }

        let state = JoinState(postings: postings.count)
        var scored = 0, flops = 0.0, scoringSeconds = 0.0
        let totalPairs = areas.reduce(0) { sum, a in
            sum + (postingsIn[a]?.count ?? 0) * (a.map { (peopleIn[$0]?.count ?? 0) + anywhere.count } ?? people.count)
        }
        var done = 0
        let θ = configuration.threshold
        let margin = Double(FitColumns.margin)
        for area in areas {
            let jobs = postingsIn[area]!
            let members: [Int32] = area.map { ((peopleIn[$0] ?? []) + anywhere).sorted() } ?? people.indices.map { Int32($0) }
            guard !members.isEmpty else { continue }
            var q = [Float](repeating: 0, count: members.count * d)
            for (r, i) in members.enumerated() {
                let src = Int(i) * d
                for c in 0..<d { q[r * d + c] = coverage[src + c] }
            }
            var w = [Float](repeating: 0, count: jobs.count * d)
            for (r, j) in jobs.enumerated() { for (c, x) in weights[Int(j)] { w[r * d + c] += x } }
            let queries = try Matrix(rows: members.count, columns: d, values: q)
            let rows = try Matrix(rows: jobs.count, columns: d, values: w)
            let n = jobs.count
            let t0 = ContinuousClock.now
            let ctx = AreaContext(members: members, jobs: jobs)
            try ScoreJoin.forEachTile(queries: queries, rows: rows, workers: configuration.workers) { worker, first, count, scores in
                let visitStart = ContinuousClock.now
                var local = state.local(worker)
                defer {
                    local.visitSeconds += seconds(since: visitStart)
                    state.store(local, worker)
                }
                var levels = [Double](repeating: 0, count: model.dimension)
                for r in 0..<count {
                    let person = ctx.members[first + r]
                    let have = people[Int(person)].capabilities
                    for e in have.entries where e.level > levels[e.index] { levels[e.index] = e.level }
                    defer { for e in have.entries { levels[e.index] = 0 } }
                    for k in 0..<n {
                        let s = Double(scores[r * n + k])
                        let posting = ctx.jobs[k]
                        let bound = bounds[Int(posting)]
                        if s >= θ + margin {
                            local.ready.append((posting, person))
                            continue
                        }
                        let low = θ - max(configuration.nearMargin, bound) - margin
                        guard s >= low else { continue }
                        let need = postings[Int(posting)].requirements
                        let fit = s >= θ - margin ? Fit.score(have: have, need: need, latent: latent, configuration: configuration.fit) : s
                        local.rescored += s >= θ - margin ? 1 : 0
                        if fit >= θ {
                            local.ready.append((posting, person))
                            continue
                        }
                        let row = coverage[(Int(person) * d)..<((Int(person) + 1) * d)]
                        if fit >= θ - configuration.nearMargin {
                            local.near.append(NearPair(person: person, posting: posting, fit: Float(fit),
                                                       missing: weights[Int(posting)].compactMap { c, _ in
                                                           row[row.startIndex + c] < 1 ? Int32(columns.keys[c].index) : nil
                                                       }))
                        }
                        teach.lifts(person: person, have: have, levels: levels, row: row,
                                    posting: posting, need: need, weights: weights[Int(posting)], hits: hits[Int(posting)],
                                    fit: fit, threshold: θ, into: &local.lifts)
                    }
                }
            }
            scoringSeconds += seconds(since: t0)
            scored += members.count * n
            flops += 2 * Double(members.count) * Double(n) * Double(d)
            done += members.count * n
            progress(totalPairs == 0 ? 1 : Double(done) / Double(totalPairs))
        }
        var result = state.merged()
        result.scoredPairs = scored
        result.columns = d
        result.flops = flops
        result.scoringSeconds = scoringSeconds
        result.productSeconds = max(0, scoringSeconds - result.decisionSeconds / Double(max(1, configuration.workers)))
        result.totalSeconds = seconds(since: started)
        return result
    }
}

private func seconds(since start: ContinuousClock.Instant) -> Double {
    let (s, a) = (ContinuousClock.now - start).components
    return Double(s) + Double(a) * 1e-18
}

/// The members and postings of one area, shared read-only by the workers.
private struct AreaContext: Sendable {
    let members: [Int32]
    let jobs: [Int32]
}

/// Per-worker findings; each worker touches its own slot only.
private final class JoinState: @unchecked Sendable {
    struct Local {
        var ready: [(Int32, Int32)] = []
        var near: [FitJoin.NearPair] = []
        var lifts: [FitJoin.Lift] = []
        var rescored = 0
        var visitSeconds = 0.0
    }
    private var slots: [Local] = []
    private let lock = Mutex(())
    let postings: Int

    init(postings: Int) { self.postings = postings }

    func local(_ worker: Int) -> Local {
        lock.withLock { _ in
            while slots.count <= worker { slots.append(Local()) }
            let l = slots[worker]
            slots[worker] = Local()
            return l
        }
    }

    func store(_ local: Local, _ worker: Int) {
        lock.withLock { _ in slots[worker] = local }
    }

    func merged() -> FitJoin.Result {
        var ready = [[Int32]](repeating: [], count: postings)
        var near: [FitJoin.NearPair] = []
        var lifts: [FitJoin.Lift] = []
        var rescored = 0, visit = 0.0
        for s in slots {
            visit += s.visitSeconds
            for (j, p) in s.ready { ready[Int(j)].append(p) }
            near += s.near
            lifts += s.lifts
            rescored += s.rescored
        }
        // Each pair is met once (a posting lies in one area, a person is listed once in it), so
        // sorting is all the merge needs.
        for j in ready.indices { ready[j].sort() }
        near.sort { ($0.person, $0.posting) < ($1.person, $1.posting) }
        lifts.sort { ($0.person, $0.posting, $0.course) < ($1.person, $1.posting, $1.course) }
        return FitJoin.Result(ready: ready, near: near, lifts: lifts, scoredPairs: 0, rescoredPairs: rescored, flops: 0,
                              productSeconds: 0, decisionSeconds: visit, totalSeconds: 0)
    }
}

/// What each course can change, for the lifts.
///
/// Completing course `k` raises the level of each competency `t` it teaches to at least
/// `L_t = courseFactor × level`. Every other term of `Fit.coverage` stays, so a requirement
/// `(j, n)`'s coverage becomes exactly
///
///     c'_j = max(c_j, a_kj),  a_kj = max over taught t of  min(L_t / n, 1)            (t = j)
///                                                          β · sim(t, j) · min(L_t / n, 1)  (sim ≥ τ)
///
/// with `a_kj` independent of the person. So the fit after the course is
/// `fit + Σ_j w_j · max(0, a_kj − c_j)`, a sum over the few requirements the course reaches;
/// `Σ_j w_j · a_kj` bounds it for anyone, and a posting's courses are kept largest bound first
/// so that a pair stops at the first course that cannot reach the threshold. Sums within
/// `FitColumns.margin` of the threshold are decided by `Fit.score` on the changed profile.
private struct CourseEffects: Sendable {
    /// Per course: taught competency indices with the level a completed course gives.
    let taught: [[(index: Int, competency: String, level: Double)]]
    /// Per course: prerequisites as (competency index or -1, level).
    let prerequisites: [[(index: Int, level: Int)]]
    /// Per competency index: the courses that reach it (teaching it or a latent neighbour).
    let coursesReaching: [[Int32]]
    let latent: LatentSpace?
    let fitConfiguration: Fit.Configuration

    init(courses: [Course], model: CompetencyModel, latent: LatentSpace?, configuration: FitJoin.Configuration) {
        self.latent = latent
        self.fitConfiguration = configuration.fit
        var taught: [[(index: Int, competency: String, level: Double)]] = []
        var reaching = [[Int32]](repeating: [], count: model.dimension)
        for (k, c) in courses.enumerated() {
            let list = c.teaches.compactMap { t in
                model.index(ofCompetency: t.competency).map { (index: $0, competency: t.competency,
                                                               level: configuration.courseFactor * Double(t.level)) }
            }
            taught.append(list)
            var reached = Set(list.map(\.index))
            if let latent {
                for t in list {
                    for j in 0..<latent.competencyCount where j != t.index
                        && latent.similarity(t.index, j) >= configuration.fit.relatedThreshold { reached.insert(j) }
                }
            }
            for j in reached where j < reaching.count { reaching[j].append(Int32(k)) }
        }
        self.taught = taught
        self.prerequisites = courses.map { c in c.prerequisites.map { (model.index(ofCompetency: $0.competency) ?? -1, $0.level) } }
        self.coursesReaching = reaching
    }

    /// `a_kj` of the type's documentation for requirement `e`.
    func reach(_ k: Int, _ e: RequirementProfile.Entry) -> Double {
        let n = Double(max(e.level, 1))
        var a = 0.0
        for t in taught[k] {
            if t.index == e.index {
                a = max(a, min(t.level / n, 1))
            } else if let latent {
                let s = latent.similarity(t.index, e.index)
                if s >= fitConfiguration.relatedThreshold { a = max(a, fitConfiguration.relatedCap * Double(s) * min(t.level / n, 1)) }
            }
        }
        return a
    }

    typealias Hit = (course: Int32, positions: [(position: Int32, reach: Float)], bound: Double)

    /// The courses that reach a posting's requirements: for each, the positions it reaches with
    /// `a_kj`, and `Σ_j w_j · a_kj`; largest bound first.
    func hits(of need: RequirementProfile) -> [Hit] {
        var byCourse: [Int32: [(position: Int32, reach: Float)]] = [:]
        for (pos, e) in need.entries.enumerated() where e.index < coursesReaching.count {
            for k in coursesReaching[e.index] {
                let a = reach(Int(k), e)
                if a > 0 { byCourse[k, default: []].append((Int32(pos), Float(a))) }
            }
        }
        return byCourse.map { k, positions in
            (k, positions, positions.reduce(0) { $0 + need.entries[Int($1.position)].weight * Double($1.reach) })
        }.sorted { ($1.bound, $0.course) < ($0.bound, $1.course) }
    }

    /// The most one course could add to anyone's fit for the posting.
    static func loosestBound(_ hits: [Hit]) -> Double { hits.first?.bound ?? 0 }

    /// `CoursePlanner.canFollow` over levels by competency index.
    func canFollow(_ k: Int, levels: [Double]) -> Bool {
        prerequisites[k].allSatisfy { (i, level) in (i >= 0 ? levels[i] : 0) >= Double(level) - 1 }
    }

    /// Appends the courses that lift `person` over `threshold` for the posting.
    /// - Parameter levels: the person's levels by competency index.
    func lifts(person: Int32, have: CapabilityProfile, levels: [Double], row: ArraySlice<Float>, posting: Int32,
               need: RequirementProfile, weights: [(column: Int, weight: Float)],
               hits: [Hit], fit: Double, threshold: Double, into out: inout [FitJoin.Lift]) {
        let margin = Double(FitColumns.margin)
        for (k, positions, bound) in hits {
            if fit + bound + margin < threshold { break }
            var after = fit
            for (pos, a) in positions {
                let c = row[row.startIndex + weights[Int(pos)].column]
                if a > c { after += Double(weights[Int(pos)].weight) * Double(a - c) }
            }
            guard after + margin >= threshold, canFollow(Int(k), levels: levels) else { continue }
            if after >= threshold + margin {
                out.append(FitJoin.Lift(person: person, posting: posting, course: k))
                continue
            }
            // Close to the threshold: decide with `Fit.score` itself.
            var profile = have
            for t in taught[Int(k)] {
                if let i = profile.entries.firstIndex(where: { $0.index == t.index }) {
                    profile.entries[i].level = max(profile.entries[i].level, t.level)
                } else {
                    profile.entries.append(.init(competency: t.competency, index: t.index, level: t.level))
                }
            }
            if Fit.score(have: profile, need: need, latent: latent, configuration: fitConfiguration) >= threshold {
                out.append(FitJoin.Lift(person: person, posting: posting, course: k))
            }
        }
    }
}
