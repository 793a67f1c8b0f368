import Synchronization
import Embeddings
import Foundation

extension Engine {
    /// Adds or replaces a platform course (admin); it is checked against the model first.
    func putCourse(_ course: Course) async throws -> Course {
        return try await putCourses([course]).first!
    }

    /// Bulk form of `putCourse`, for imports. Refuses the whole batch on the first invalid course.
    func putCourses(_ courses: [Course]) async throws -> [Course] {
        for course in courses {
            if let refusal = refusal(of: course) { throw refusal }
        }
        try await store.saveCourses(courses) { saved in
            self.platformCourses.withLock { map in for c in saved { map[c.id] = c } }
        }
        return courses
    }

    /// Why a platform course is refused, if it is: an id outside `CourseInput.id`'s pattern
    /// (1–64 of `a-z0-9.-`, starting with a letter or digit), then the model's course checks.
    func refusal(of course: Course) -> ServiceError? {
        let id = course.id.utf8
        if id.count > 64 || id.first.map({ $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) == true {
            return .invalid(field: "id", message: "\"\(course.id)\" is not a course id (1–64 of a-z, 0-9, '.', '-', starting with a letter or digit)")
        }
        if course.provider.name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .invalid(field: "provider.name", message: "must not be blank")
        }
        return ServiceError.course(CompetencyModel.validate(course: course, against: model))
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
