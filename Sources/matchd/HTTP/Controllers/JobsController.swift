import Embeddings
import Foundation

extension APIHandler {
    func jobBody(_ r: JobRecord) throws -> S.Job {
        S.Job(r, requirements: try engine.requirements(ofJob: r), model: model)
    }

    func listJobs(_ input: Operations.ListJobs.Input) async throws -> Operations.ListJobs.Output {
        let p = try page(limit: input.query.limit, offset: input.query.offset)
        let status = input.query.status.map { JobRecord.Status(rawValue: $0.rawValue)! }
        let (items, total) = try await engine.listJobs(employerID: input.query.employerId, status: status, limit: p.limit,
                                                       offset: p.offset, by: identity)
        return .ok(.init(body: .json(.init(items: try items.map(jobBody), total: total))))
    }

    func createJob(_ input: Operations.CreateJob.Input) async throws -> Operations.CreateJob.Output {
        guard case .json(let body) = input.body else { throw ServiceError.invalid(field: "body", message: "expected JSON") }
        let r = try await engine.createJob(JobDraft(body), by: identity)
        return .created(.init(body: .json(try jobBody(r))))
    }

    func getJob(_ input: Operations.GetJob.Input) async throws -> Operations.GetJob.Output {
        .ok(.init(body: .json(try jobBody(try await engine.job(id: input.path.jobId)))))
    }

    func updateJob(_ input: Operations.UpdateJob.Input) async throws -> Operations.UpdateJob.Output {
        guard case .json(let body) = input.body else { throw ServiceError.invalid(field: "body", message: "expected JSON") }
        let r = try await engine.updateJob(id: input.path.jobId, JobDraft(body), by: identity)
        return .ok(.init(body: .json(try jobBody(r))))
    }

    func closeJob(_ input: Operations.CloseJob.Input) async throws -> Operations.CloseJob.Output {
        .ok(.init(body: .json(try jobBody(try await engine.closeJob(id: input.path.jobId, by: identity)))))
    }
}
