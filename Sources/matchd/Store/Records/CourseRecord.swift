import Embeddings
import Foundation
import GRDB

/// A row of `course`: a course added by the platform (the model's own courses are not stored).
struct CourseRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "course"
    var id: String
    var data: Course
    var createdAt: Date
    var updatedAt: Date
}
