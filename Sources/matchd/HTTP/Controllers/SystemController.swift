import Embeddings
import Foundation
import OpenAPIRuntime

extension APIHandler {
    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        let c = try await engine.store.counts()
        return .ok(.init(body: .json(.init(status: "ok",
                                           model: .init(id: model.manifest.id, version: model.manifest.version),
                                           counts: .init(jobs: c.jobs, openJobs: c.openJobs, talents: c.talents,
                                                         courses: model.courses.count + c.courses)))))
    }

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        .ok(.init(body: .plainText(HTTPBody(metrics()))))
    }

    func createKey(_ input: Operations.CreateKey.Input) async throws -> Operations.CreateKey.Output {
        guard case .json(let body) = input.body else { throw ServiceError.invalid(field: "body", message: "expected JSON") }
        let role = APIKeyRecord.Role(rawValue: body.role.rawValue)!
        let (key, r) = try await engine.createKey(.init(role: role, name: body.name, employerID: body.employerId,
                                                        talentID: body.talentId))
        return .created(.init(body: .json(.init(id: r.id, key: key, role: body.role, name: r.name, employerId: r.employerId,
                                                talentId: r.talentId, createdAt: r.createdAt))))
    }

    func revokeKey(_ input: Operations.RevokeKey.Input) async throws -> Operations.RevokeKey.Output {
        try await engine.revokeKey(id: input.path.keyId)
        return .noContent(.init())
    }
}
