@testable import Embeddings
import TestSupport
import Testing

/// The greedy course planner against a plan worked out by hand, and against brute force over
/// every small set of courses (greedy on a monotone submodular gain is within 1 − 1/e of the
/// best set of the same size, and a plan's gains add up to the fit it actually raises).
struct CoursePlannerTests {
    static func course(_ id: String, hours: Int, teaches: [(String, Int)], prerequisites: [(String, Int)] = []) -> Course {
        Course(id: id, title: LocalizedText(zh: id, en: id), provider: .init(type: .onlinePlatform, name: "p"),
               hours: hours, mode: .online, teaches: teaches.map { CompetencyLevel(competency: $0.0, level: $0.1) },
               prerequisites: prerequisites.map { CompetencyLevel(competency: $0.0, level: $0.1) })
    }

    static func need(_ entries: [(String, Int, Double)]) -> RequirementProfile {
        RequirementProfile(entries: entries.enumerated().map { i, e in
            RequirementProfile.Entry(competency: e.0, index: i, level: e.1, weight: e.2, sources: [])
        })
    }

    static func have(_ entries: [(String, Double)]) -> CapabilityProfile {
        CapabilityProfile(entries: entries.enumerated().map { i, e in .init(competency: e.0, index: i, level: e.1) })
    }

    // Need A at 4 (weight 0.5), B at 6 (0.3), C at 2 (0.2); the person has A at 2. With the
    // course factor 0.9 the gains, worked by hand, are:
    //   round 1: c1 0.5·(4−2)/4 = 0.25, c2 0.3·5.4/6 = 0.27, c3 0.3·3.6/6 + 0.2·1.8/2 = 0.36,
    //            c4 0.5·(2.7−2)/4 = 0.0875, c5 0 (teaches nothing needed), c6 not followable
    //            (prerequisite B 5, the person has 0 < 5 − 1) → c3; B = 3.6, C = 1.8
    //   round 2: c1 0.25, c2 0.3·1.8/6 = 0.09, c4 0.0875, c6 still not (3.6 < 4) → c1; A = 4.5
    //   round 3: c2 0.09, c4 0 → c2; B = 5.4
    //   round 4: c6 followable now, 0.2·(2 − 1.8)/2 = 0.02 → c6; then nothing gains.
    static let needs = need([("A", 4, 0.5), ("B", 6, 0.3), ("C", 2, 0.2)])
    static let courses = [
        course("c1", hours: 40, teaches: [("A", 5)]),
        course("c2", hours: 60, teaches: [("B", 6)]),
        course("c3", hours: 30, teaches: [("B", 4), ("C", 2)]),
        course("c4", hours: 10, teaches: [("A", 3)]),
        course("c5", hours: 5, teaches: [("X", 8)]),
        course("c6", hours: 20, teaches: [("C", 3)], prerequisites: [("B", 5)]),
    ]

    @Test("a hand-worked plan: order, gains, covers, prerequisites unlocked by earlier courses")
    func handWorked() {
        let steps = CoursePlanner.plan(have: Self.have([("A", 2)]), need: Self.needs, courses: Self.courses)
        #expect(steps.map(\.course.id) == ["c3", "c1", "c2", "c6"])
        let expectedGains = [0.36, 0.25, 0.09, 0.02]
        for (step, gain) in zip(steps, expectedGains) { #expect(abs(step.gain - gain) < 1e-9, "\(step.course.id)") }
        let first = steps[0].covers.map { "\($0.competency) \($0.from)→\($0.to)" }
        #expect(first == ["B 0.0→3.6", "C 0.0→1.8"])
        #expect(steps[3].covers.map(\.competency) == ["C"])
    }

    @Test("maxCourses, eligibility and ties (equal gain: fewer hours, then id)")
    func limitsAndTies() {
        let have = Self.have([("A", 2)])
        #expect(CoursePlanner.plan(have: have, need: Self.needs, courses: Self.courses, maxCourses: 2).map(\.course.id) == ["c3", "c1"])
        let withoutC3 = CoursePlanner.plan(have: have, need: Self.needs, courses: Self.courses, maxCourses: 1) { $0.id != "c3" }
        #expect(withoutC3.map(\.course.id) == ["c2"])
        let twins = [Self.course("b", hours: 10, teaches: [("A", 4)]), Self.course("a", hours: 10, teaches: [("A", 4)]),
                     Self.course("z", hours: 8, teaches: [("A", 4)])]
        #expect(CoursePlanner.plan(have: have, need: Self.needs, courses: twins, maxCourses: 1).map(\.course.id) == ["z"])
        #expect(CoursePlanner.plan(have: have, need: Self.needs, courses: Array(twins.prefix(2)), maxCourses: 1).map(\.course.id) == ["a"])
        #expect(CoursePlanner.plan(have: Self.have([("A", 4), ("B", 6), ("C", 2)]), need: Self.needs, courses: Self.courses).isEmpty)
    }

    /// Exact fit of the needs at `level`, computed independently of the planner.
    static func exactFit(_ need: RequirementProfile, _ level: [String: Double]) -> Double {
        need.entries.reduce(0) { sum, r in
            let n = Double(r.level)
            return sum + r.weight * min(n, level[r.competency] ?? 0) / n
        }
    }

    static func levels(after chosen: [Course], from have: [String: Double], factor: Double) -> [String: Double] {
        var level = have
        for c in chosen { for t in c.teaches { level[t.competency] = max(level[t.competency] ?? 0, factor * Double(t.level)) } }
        return level
    }

    @Test("random instances: gains add up to the fit raised, and greedy is within 1 − 1/e of the best set",
          arguments: 0..<40)
    func againstBruteForce(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &+ 0x91A7)
        let names = (0..<6).map { "k\($0)" }
        let weights = names.map { _ in Double.random(in: 0.1...1, using: &rng) }
        let total = weights.reduce(0, +)
        let need = Self.need(names.enumerated().map { i, n in (n, Int.random(in: 2...8, using: &rng), weights[i] / total) })
        let start = Dictionary(uniqueKeysWithValues: names.filter { _ in Bool.random(using: &rng) }
            .map { ($0, Double(Int.random(in: 1...5, using: &rng))) })
        let courses = (0..<8).map { i in
            Self.course("c\(i)", hours: Int.random(in: 8...80, using: &rng),
                        teaches: names.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng))
                            .map { ($0, Int.random(in: 2...8, using: &rng)) })
        }
        let budget = Int.random(in: 1...3, using: &rng)
        let steps = CoursePlanner.plan(have: Self.have(start.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }),
                                       need: need, courses: courses, maxCourses: budget)
        let chosen = steps.map(\.course)
        let raised = Self.exactFit(need, Self.levels(after: chosen, from: start, factor: 0.9)) - Self.exactFit(need, start)
        #expect(abs(steps.map(\.gain).reduce(0, +) - raised) < 1e-9, "seed \(seed)")

        var best = 0.0
        for mask in 1..<(1 << courses.count) where mask.nonzeroBitCount <= budget {
            let subset = courses.indices.filter { mask & (1 << $0) != 0 }.map { courses[$0] }
            best = max(best, Self.exactFit(need, Self.levels(after: subset, from: start, factor: 0.9)) - Self.exactFit(need, start))
        }
        #expect(raised >= (1 - 1 / 2.718281828459045) * best - 1e-9, "seed \(seed): greedy \(raised) vs best \(best)")
        #expect(raised <= best + 1e-9, "seed \(seed)")
    }
}
