import Synchronization
import Foundation
import GRDB

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
    func createKey(_ request: KeyRequest, by identity: Identity, bootstrap: Bool = false) async throws -> (key: String, record: APIKeyRecord) {
        if !bootstrap { try identity.require(.admin) }
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 200 { throw ServiceError.invalid(field: "name", message: "must be 1…200 characters") }
        if let e = request.employerID { try validateRecordID(e, field: "employerId") }
        if let t = request.talentID { try validateRecordID(t, field: "talentId") }
        switch request.role {
        case .admin where request.employerID != nil || request.talentID != nil:
            throw ServiceError.invalid(field: "role", message: "an admin key belongs to no employer or talent")
        case .employer where request.talentID != nil:
            throw ServiceError.invalid(field: "talentId", message: "an employer key cannot own a talent")
        case .seeker where request.employerID != nil:
            throw ServiceError.invalid(field: "employerId", message: "a seeker key cannot own an employer")
        default: break
        }
        let key = APIKeys.generate()
        let now = Date()
        let draft = APIKeyRecord(id: APIKeys.newID("key-"), keyHash: APIKeys.hash(key), role: request.role, name: name,
                                 employerId: nil, talentId: nil, createdAt: now, revokedAt: nil)
        let record = try await store.commit { db in
            var r = draft
            switch request.role {
            case .employer:
                if let e = request.employerID {
                    guard try EmployerRecord.exists(db, key: e) else { throw ServiceError.notFound(kind: "employer", id: e) }
                    r.employerId = e
                } else {
                    let e = APIKeys.newID("emp-")
                    try EmployerRecord(id: e, name: name, createdAt: now).insert(db)
                    r.employerId = e
                }
            case .seeker:
                r.talentId = request.talentID ?? APIKeys.newID("t-")
            case .admin:
                break
            }
            try r.insert(db)
            return r
        }
        return (key, record)
    }

    /// Creates an employer with a chosen id (demo data and the CLI).
    func createEmployer(id: String, name: String) async throws {
        try validateRecordID(id, field: "employerId")
        _ = try await store.commit { db in
            if try !EmployerRecord.exists(db, key: id) { try EmployerRecord(id: id, name: name, createdAt: Date()).insert(db) }
        }
    }

    func revokeKey(id: String, by identity: Identity) async throws {
        try identity.require(.admin)
        let hash = try await store.commit { db -> String in
            guard var r = try APIKeyRecord.fetchOne(db, key: id), r.revokedAt == nil else {
                throw ServiceError.notFound(kind: "key", id: id)
            }
            r.revokedAt = Date()
            try r.update(db)
            return r.keyHash
        }
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
