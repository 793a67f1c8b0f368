import Embeddings
import Foundation
import GRDB

/// A row of `talent`: one person's profile. `seq` is the vector key in the talents index.
struct TalentRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "talent"

    struct Contact: Codable, Sendable, Equatable {
        var email: String?
        var phone: String?
    }

    var seq: Int64?
    var id: String
    var displayName: String
    var contact: Contact?
    var city: String?
    var desiredCities: [String]
    var desiredPosts: [String]
    var salaryMin: Int?
    var salaryMax: Int?
    var level: Int?
    var searchable: Bool
    var profile: ProfileInput
    var createdAt: Date
    var updatedAt: Date

    enum Columns {
        static let seq = Column(CodingKeys.seq)
        static let id = Column(CodingKeys.id)
        static let searchable = Column(CodingKeys.searchable)
        static let desiredPosts = Column(CodingKeys.desiredPosts)
        static let level = Column(CodingKeys.level)
        static let createdAt = Column(CodingKeys.createdAt)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { seq = inserted.rowID }
}
