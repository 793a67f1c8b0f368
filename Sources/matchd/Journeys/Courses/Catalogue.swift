import Synchronization
import Embeddings
import Foundation
import GRDB

extension Engine {
    /// Adds or replaces a platform course (admin); it is checked against the model first.
    func putCourse(_ course: Course, by identity: Identity) async throws -> Course {
        try identity.require(.admin)
        return try await putCourses([course]).first!
    }

    /// Bulk form of `putCourse`, for imports. Refuses the whole batch on the first invalid course.
    func putCourses(_ courses: [Course]) async throws -> [Course] {
        for course in courses {
            if let problem = CompetencyModel.validate(course: course, against: model).first(where: { $0.severity == .error }) {
                throw ServiceError.invalid(field: problem.field ?? "course", message: problem.message)
            }
        }
        _ = try await store.commit({ db in
            let now = Date()
            for c in courses {
                let created = try CourseRecord.fetchOne(db, key: c.id)?.createdAt ?? now
                try CourseRecord(id: c.id, data: c, createdAt: created, updatedAt: now).save(db)
            }
        }, publish: { _ in
            self.platformCourses.withLock { map in for c in courses { map[c.id] = c } }
        })
        return courses
    }

    /// Courses, filtered by competency taught, subsidy eligibility and a text query on titles.
    func listCourses(competency: String?, subsidyEligible: Bool?, query: String?) -> [Course] {
        let q = query?.lowercased()
        return allCourses().filter { c in
            if let competency, !c.teaches.contains(where: { $0.competency == competency }) { return false }
            if let subsidyEligible, (c.subsidyEligible ?? false) != subsidyEligible { return false }
            if let q, !c.title.zh.lowercased().contains(q), !c.title.en.lowercased().contains(q) { return false }
            return true
        }
    }
}
