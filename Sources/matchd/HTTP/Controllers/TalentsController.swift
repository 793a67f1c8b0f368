import Embeddings
import Foundation

extension APIHandler {
    func talentBody(_ r: TalentRecord) throws -> S.Talent {
        S.Talent(r, capabilities: try engine.capabilities(of: r.profile), model: model)
    }

    func createTalent(_ input: Operations.CreateTalent.Input) async throws -> Operations.CreateTalent.Output {
        guard case .json(let body) = input.body else { throw ServiceError.invalid(field: "body", message: "expected JSON") }
        let r = try await engine.createTalent(TalentDraft(body), by: identity)
        return .created(.init(body: .json(try talentBody(r))))
    }

    func getTalent(_ input: Operations.GetTalent.Input) async throws -> Operations.GetTalent.Output {
        let r = try await engine.talent(id: input.path.talentId)
        return .ok(.init(body: .json(try talentBody(r))))
    }

    func updateTalent(_ input: Operations.UpdateTalent.Input) async throws -> Operations.UpdateTalent.Output {
        guard case .json(let body) = input.body else { throw ServiceError.invalid(field: "body", message: "expected JSON") }
        let r = try await engine.updateTalent(id: input.path.talentId, TalentDraft(body))
        return .ok(.init(body: .json(try talentBody(r))))
    }

    func deleteTalent(_ input: Operations.DeleteTalent.Input) async throws -> Operations.DeleteTalent.Output {
        try await engine.deleteTalent(id: input.path.talentId)
        return .noContent(.init())
    }

    func exportTalent(_ input: Operations.ExportTalent.Input) async throws -> Operations.ExportTalent.Output {
        let (r, keys) = try await engine.exportTalent(id: input.path.talentId)
        return .ok(.init(body: .json(.init(
            talent: try talentBody(r),
            keys: keys.map { .init(id: $0.id, role: .init(rawValue: $0.role.rawValue)!, name: $0.name, createdAt: $0.createdAt,
                                   revokedAt: $0.revokedAt) },
            exportedAt: Date()))))
    }
}
