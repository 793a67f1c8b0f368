import Foundation
import GRDB

/// A row of `importRun`: the progress of an import a client named (`importId`), so that a client
/// whose connection broke can ask what landed and send the rest.
struct ImportRunRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "importRun"

    enum State: String, Codable, Sendable {
        /// A request is streaming it now.
        case running
        /// Its request ended with the whole body read.
        case completed
        /// Its request ended early (the connection broke, the body was refused midway, or the
        /// server stopped); sending the body again under the same id resumes after `lastLine`.
        case interrupted
    }

    var id: String
    var kind: String
    var state: State
    /// The highest line number read so far.
    var linesReceived: Int
    /// Valid lines committed.
    var linesCommitted: Int
    /// Lines refused (their errors in `errors`, the first `maxErrors`).
    var linesFailed: Int
    /// Every line up to this one is committed or refused; a resumed request skips them.
    var lastLine: Int
    var errors: [ImportLineError]
    var startedAt: Date
    var updatedAt: Date

    static let maxErrors = 1000
}
