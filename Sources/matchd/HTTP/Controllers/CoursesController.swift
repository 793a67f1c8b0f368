import Synchronization
import Embeddings
import Foundation

extension APIHandler {
    func listCourses(_ input: Operations.ListCourses.Input) async throws -> Operations.ListCourses.Output {
        let p = try page(limit: input.query.limit, offset: input.query.offset)
        if let c = input.query.competency, model.competency(id: c) == nil {
            throw ServiceError.embeddings(.unknownCompetency(field: "competency", id: c))
        }
        let courses = engine.listCourses(competency: input.query.competency, subsidyEligible: input.query.subsidyEligible,
                                         query: input.query.q)
        let platform = engine.platformCourses.withLock { Set($0.keys) }
        return .ok(.init(body: .json(.init(items: courses.window(p).map {
            S.Course($0, origin: platform.contains($0.id) ? .platform : .model)
        }, total: courses.count))))
    }

    func getCourse(_ input: Operations.GetCourse.Input) async throws -> Operations.GetCourse.Output {
        let id = input.path.courseId
        guard let c = engine.course(id: id) else { throw ServiceError.notFound(kind: "course", id: id) }
        let isPlatform = engine.platformCourses.withLock { $0[id] != nil }
        return .ok(.init(body: .json(S.Course(c, origin: isPlatform ? .platform : .model))))
    }

    func createCourse(_ input: Operations.CreateCourse.Input) async throws -> Operations.CreateCourse.Output {
        guard case .json(let body) = input.body else { throw ServiceError.invalid(field: "body", message: "expected JSON") }
        let stored = try await engine.putCourse(Course(body))
        return .created(.init(body: .json(S.Course(stored, origin: .platform))))
    }

    func planCourses(_ input: Operations.PlanCourses.Input) async throws -> Operations.PlanCourses.Output {
        guard case .json(let body) = input.body else { throw ServiceError.invalid(field: "body", message: "expected JSON") }
        // The document's rules first, then how the fields go together (422).
        if let job = body.jobId { try validateRecordID(job, field: "jobId") }
        if let post = body.postCode, !CompetencyModel.isWellFormedID(post) {
            throw ServiceError.invalid(field: "postCode", message: "\"\(post)\" is not a lowercase [a-z0-9.-]+ id")
        }
        try validateLevel(body.level, field: "level")
        let target: PlanTarget
        switch (body.jobId, body.postCode) {
        case (let job?, nil): target = .job(job)
        case (nil, let post?): target = .post(post, level: body.level)
        default: throw ServiceError.unprocessable(field: "jobId", message: "give exactly one of jobId and postCode")
        }
        let plan = try await engine.planCourses(talentID: input.path.talentId, target: target,
                                                maxCourses: body.maxCourses ?? 5, subsidyOnly: body.subsidyOnly ?? false,
                                                threshold: body.threshold ?? 0.7)
        return .ok(.init(body: .json(S.CoursePlan(plan, model: model))))
    }
}
