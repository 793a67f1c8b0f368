import Embeddings
import Foundation
import GRDB

/// A row of `job`: one posting. `seq` is the vector key in the jobs index.
struct JobRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "job"

    enum Status: String, Codable, Sendable { case open, closed }

    var seq: Int64?
    var id: String
    var employerId: String
    var title: String
    var description: String?
    var postCode: String?
    var level: Int?
    var city: String?
    var salaryMin: Int?
    var salaryMax: Int?
    var status: Status
    var requirements: [RequirementInput]
    var createdAt: Date
    var updatedAt: Date

    enum Columns {
        static let seq = Column(CodingKeys.seq)
        static let id = Column(CodingKeys.id)
        static let employerId = Column(CodingKeys.employerId)
        static let status = Column(CodingKeys.status)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { seq = inserted.rowID }

    /// What the vectorizer reads: post template, level, explicit requirements, title and description.
    var postingInput: PostingInput {
        PostingInput(postCode: postCode, level: level, requirements: requirements,
                     text: [title, description].compactMap { $0 }.joined(separator: "\n"))
    }
}
