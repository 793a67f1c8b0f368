import Foundation
import GRDB

/// A row of `employer`: who owns job postings.
struct EmployerRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "employer"
    var id: String
    var name: String
    var createdAt: Date
}
