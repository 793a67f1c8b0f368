import Foundation
import GRDB

/// A row of `apiKey`: an API key's SHA-256 hash (never the key), its role and owner.
struct APIKeyRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "apiKey"

    enum Role: String, Codable, Sendable, CaseIterable { case admin, employer, seeker }

    var id: String
    var keyHash: String
    var role: Role
    var name: String
    var employerId: String?
    var talentId: String?
    var createdAt: Date
    var revokedAt: Date?

    enum Columns {
        static let keyHash = Column(CodingKeys.keyHash)
        static let talentId = Column(CodingKeys.talentId)
        static let role = Column(CodingKeys.role)
        static let revokedAt = Column(CodingKeys.revokedAt)
    }
}
