/// Chooses courses that close the gaps between what a person has and what a post needs.
///
/// Greedy weighted cover. For requirement `j` (weight `w_j`, need `n_j`) and the person's current
/// level `h_j`, a course teaching `j` at level `t` raises it to `max(h_j, f·t)` (`f` the trust
/// factor of a completed course, as in `Vectorizer`). A course's **gain** is the rise in exact fit
/// it would bring:
///
///     gain(c) = Σ_j w_j · (min(n_j, max(h_j, f·t_cj)) − min(n_j, h_j)) / n_j
///
/// so each unit of gap closed counts in proportion to its requirement's weight. Each round
/// takes the course with the largest gain (ties: fewer hours, then id) among those the person
/// can follow (every prerequisite at most one level above their current level), applies it,
/// and repeats until no course gains anything or `maxCourses` are chosen.
public enum CoursePlanner {
    /// One chosen course and what it closes.
    public struct Step: Sendable, Hashable {
        public struct Cover: Sendable, Hashable {
            public var competency: String
            public var from: Double
            public var to: Double
        }
        public var course: Course
        public var covers: [Cover]
        /// The rise in exact fit this step brought.
        public var gain: Double
    }

    public static func plan(have: CapabilityProfile, need: RequirementProfile, courses: [Course],
                            courseFactor: Double = 0.9, maxCourses: Int = 5,
                            eligible: (Course) -> Bool = { _ in true }) -> [Step] {
        var level: [String: Double] = [:]
        for e in have.entries { level[e.competency] = max(level[e.competency] ?? 0, e.level) }
        var remaining = courses.filter(eligible)
        var steps: [Step] = []
        while steps.count < maxCourses {
            var best: (index: Int, gain: Double)?
            for (i, course) in remaining.enumerated() where canFollow(course, level) {
                let g = gain(of: course, need: need, level: level, factor: courseFactor)
                guard g > 1e-9 else { continue }
                if let b = best {
                    let current = remaining[b.index]
                    let better = g > b.gain + 1e-12
                        || (abs(g - b.gain) <= 1e-12
                            && (course.hours < current.hours || (course.hours == current.hours && course.id < current.id)))
                    if better { best = (i, g) }
                } else {
                    best = (i, g)
                }
            }
            guard let chosen = best else { break }
            let course = remaining.remove(at: chosen.index)
            var covers: [Step.Cover] = []
            for r in need.entries {
                guard let t = course.teaches.first(where: { $0.competency == r.competency }) else { continue }
                let from = level[r.competency] ?? 0
                let to = max(from, courseFactor * Double(t.level))
                if to > from && from < Double(r.level) { covers.append(.init(competency: r.competency, from: from, to: to)) }
            }
            for t in course.teaches {
                level[t.competency] = max(level[t.competency] ?? 0, courseFactor * Double(t.level))
            }
            steps.append(Step(course: course, covers: covers, gain: chosen.gain))
        }
        return steps
    }

    /// The exact-fit gain of `course` from `level` (see the type's documentation).
    static func gain(of course: Course, need: RequirementProfile, level: [String: Double], factor: Double) -> Double {
        var g = 0.0
        for r in need.entries {
            guard let t = course.teaches.first(where: { $0.competency == r.competency }) else { continue }
            let n = Double(max(r.level, 1))
            let h = level[r.competency] ?? 0
            g += r.weight * (min(n, max(h, factor * Double(t.level))) - min(n, h)) / n
        }
        return g
    }

    /// Every prerequisite is at most one level above the person's current level.
    public static func canFollow(_ course: Course, _ level: [String: Double]) -> Bool {
        course.prerequisites.allSatisfy { (level[$0.competency] ?? 0) >= Double($0.level) - 1 }
    }
}
