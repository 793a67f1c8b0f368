import Embeddings
import Foundation

/// What a plan aims at.
enum PlanTarget: Sendable, Equatable {
    case job(String)
    case post(String, level: Int?)
}

/// A course plan for one talent and one target, with the what-if over open jobs.
struct CoursePlanResult: Sendable {
    var targetTitle: String
    var target: PlanTarget
    var before: FitResult
    var after: FitResult
    var steps: [CoursePlanner.Step]
    var threshold: Double
    var openJobs: Int
    var passingBefore: Int
    var passingAfter: Int
    var totalHours: Int { steps.reduce(0) { $0 + $1.course.hours } }
}

extension Engine {
    /// Plans courses that close a talent's gaps for a job or post (owner or admin), then counts
    /// how many open jobs pass `threshold` before and after completing them.
    func planCourses(talentID: String, target: PlanTarget, maxCourses: Int, subsidyOnly: Bool, threshold: Double) async throws -> CoursePlanResult {
        let talent = try await talent(id: talentID)
        guard (1...20).contains(maxCourses) else {
            throw ServiceError.invalid(field: "maxCourses", message: "must be 1…20, got \(maxCourses)")
        }
        guard threshold >= 0 && threshold <= 1 else {
            throw ServiceError.invalid(field: "threshold", message: "must be within 0…1, got \(threshold)")
        }
        let need: RequirementProfile
        let title: String
        switch target {
        case .job(let id):
            guard let job = try await store.job(id: id) else { throw ServiceError.notFound(kind: "job", id: id) }
            need = try requirements(ofJob: job)
            title = job.title
        case .post(let code, let level):
            guard let post = model.post(id: code) else { throw ServiceError.embeddings(.unknownPost(field: "postCode", id: code)) }
            try validateLevel(level, field: "level")
            do { need = try vectorizer.requirements(for: PostingInput(postCode: code, level: level)) } catch {
                throw ServiceError.embeddings(error)
            }
            title = post.name.zh
        }
        let has = try capabilities(of: talent.profile)
        let done = Set(talent.profile.completedCourses)
        let steps = CoursePlanner.plan(have: has, need: need, courses: allCourses(),
                                       courseFactor: vectorizer.configuration.courseFactor, maxCourses: maxCourses) { c in
            !done.contains(c.id) && (!subsidyOnly || c.subsidyEligible == true)
        }
        var afterProfile = talent.profile
        afterProfile.completedCourses += steps.map(\.course.id)
        let hasAfter = try capabilities(of: afterProfile)
        let (_, entries) = jobs.view()
        var passingBefore = 0, passingAfter = 0
        for job in entries.values {
            if Fit.score(have: has, need: job.requirements, latent: latent) >= threshold { passingBefore += 1 }
            if Fit.score(have: hasAfter, need: job.requirements, latent: latent) >= threshold { passingAfter += 1 }
        }
        return CoursePlanResult(targetTitle: title, target: target,
                                before: Fit.evaluate(have: has, need: need, latent: latent),
                                after: Fit.evaluate(have: hasAfter, need: need, latent: latent),
                                steps: steps, threshold: threshold, openJobs: entries.count,
                                passingBefore: passingBefore, passingAfter: passingAfter)
    }
}
