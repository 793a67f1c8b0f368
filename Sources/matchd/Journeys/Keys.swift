import Synchronization
import Foundation

/// A key request: its role, holder name and (optionally) the employer or talent it belongs to.
struct KeyRequest: Sendable, Equatable {
    var role: APIKeyRecord.Role
    var name: String
    var employerID: String?
    var talentID: String?
}

extension Engine {
    /// Creates a key (admin, or `bootstrap` for the first admin key). An employer key without
    /// `employerID` creates its employer; a seeker key without `talentID` reserves a new talent id.
    func createKey(_ request: KeyRequest) async throws -> (key: String, record: APIKeyRecord) {
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { throw ServiceError.invalid(field: "name", message: "must not be blank") }
        try validateLength(request.name, field: "name", max: 200)
        if let e = request.employerID { try validateRecordID(e, field: "employerId") }
        if let t = request.talentID { try validateRecordID(t, field: "talentId") }
        switch request.role {
        case .admin where request.employerID != nil || request.talentID != nil:
            throw ServiceError.unprocessable(field: "role", message: "an admin key belongs to no employer or talent")
        case .employer where request.talentID != nil:
            throw ServiceError.unprocessable(field: "talentId", message: "an employer key cannot own a talent")
        case .seeker where request.employerID != nil:
            throw ServiceError.unprocessable(field: "employerId", message: "a seeker key cannot own an employer")
        default: break
        }
        let key = APIKeys.generate()
        let now = Date()
        let draft = APIKeyRecord(id: APIKeys.newID("key-"), keyHash: APIKeys.hash(key), role: request.role, name: name,
                                 employerId: nil, talentId: request.role == .seeker ? request.talentID ?? APIKeys.newID("t-") : nil,
                                 createdAt: now, revokedAt: nil)
        return (key, try await store.insertKey(draft, employerID: request.employerID, newEmployerName: name))
    }

    /// Creates an employer with a chosen id (demo data and the CLI).
    func createEmployer(id: String, name: String) async throws {
        try validateRecordID(id, field: "employerId")
        try await store.ensureEmployer(id: id, name: name)
    }

    func revokeKey(id: String) async throws {
        let hash = try await store.revokeKey(id: id)
        keyCache.withLock { _ = $0.removeValue(forKey: hash) }
    }

    /// The identity of a bearer key, or `invalidKey`.
    func authenticate(key: String) async throws -> Identity {
        let hash = APIKeys.hash(key)
        if let cached = keyCache.withLock({ $0[hash] }) { return cached }
        guard let r = try await store.apiKey(hash: hash) else { throw ServiceError.invalidKey }
        let identity = Identity(role: Identity.Role(rawValue: r.role.rawValue)!, keyID: r.id, employerID: r.employerId,
                                talentID: r.talentId)
        keyCache.withLock { $0[hash] = identity }
        return identity
    }
}
