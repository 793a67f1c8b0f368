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
    var occupationCode: String?
    var occupationSource: OccupationSource?
    var occupationConfidence: Double?
    var codedWith: String?
    var closedAt: Date?

    /// Where a posting's occupation code comes from.
    enum OccupationSource: String, Codable, Sendable {
        /// The post the employer named.
        case given
        /// The coder's answer for the title and description.
        case inferred
    }

    /// The occupation of a posting, as `Engine.occupation(of:)` codes it.
    struct Occupation: Sendable, Equatable {
        var code: String?
        var source: OccupationSource?
        var confidence: Double?
        var codedWith: String
    }

    mutating func assign(_ o: Occupation) {
        occupationCode = o.code
        occupationSource = o.source
        occupationConfidence = o.confidence
        codedWith = o.codedWith
    }

    enum Columns {
        static let seq = Column(CodingKeys.seq)
        static let id = Column(CodingKeys.id)
        static let employerId = Column(CodingKeys.employerId)
        static let status = Column(CodingKeys.status)
        static let city = Column(CodingKeys.city)
        static let level = Column(CodingKeys.level)
        static let salaryMin = Column(CodingKeys.salaryMin)
        static let salaryMax = Column(CodingKeys.salaryMax)
        static let occupationCode = Column(CodingKeys.occupationCode)
        static let codedWith = Column(CodingKeys.codedWith)
        static let createdAt = Column(CodingKeys.createdAt)
        static let closedAt = Column(CodingKeys.closedAt)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { seq = inserted.rowID }

    /// What the vectorizer reads: post template, level, explicit requirements, title and description.
    var postingInput: PostingInput {
        PostingInput(postCode: postCode, level: level, requirements: requirements,
                     text: [title, description].compactMap { $0 }.joined(separator: "\n"))
    }
}
