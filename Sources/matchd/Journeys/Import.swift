import Embeddings
import Foundation

/// One refused import line.
struct ImportLineError: Sendable, Equatable, Codable {
    var line: Int
    var id: String?
    var code: String
    var message: String
    var field: String?
}

/// One decoded import line.
enum ImportItem: Sendable {
    case talent(TalentDraft)
    case job(JobDraft)
    case course(Course)

    var id: String? {
        switch self {
        case .talent(let d): d.id
        case .job(let d): d.id
        case .course(let c): c.id
        }
    }
}

extension Engine {
    /// Lines per transaction: large enough to amortise the commit's fsync, small enough that
    /// searches see progress and a refused batch is cheap to retry line by line.
    static let importBatch = 500

    /// Validates and upserts a batch of decoded lines; valid lines are committed, each invalid one
    /// is returned with its line number. Searches keep answering meanwhile (each batch publishes
    /// a new snapshot).
    func importBatch(_ items: [(line: Int, item: ImportItem)]) async throws -> [ImportLineError] {
        var errors: [ImportLineError] = []
        var valid: [(line: Int, item: ImportItem)] = []
        var seen: [String: Int] = [:]
        for (line, item) in items {
            do {
                try check(item)
                if let id = item.id, let first = seen[id] {
                    throw ServiceError.unprocessable(field: "id", message: "id \(id) appears again (first on line \(first))")
                }
                if let id = item.id { seen[id] = line }
                valid.append((line, item))
            } catch {
                errors.append(lineError(line: line, id: item.id, error))
            }
        }
        do {
            try await commit(valid.map(\.item))
        } catch {
            // A batch refused as a whole (e.g. an employer missing): retry line by line.
            for (line, item) in valid {
                do { try await commit([item]) } catch { errors.append(lineError(line: line, id: item.id, error)) }
            }
        }
        return errors.sorted { $0.line < $1.line }
    }

    private func check(_ item: ImportItem) throws(ServiceError) {
        switch item {
        case .talent(let d):
            guard d.id != nil else { throw .invalid(field: "id", message: "an imported talent needs an id") }
            _ = try validate(d)
        case .job(let d):
            guard d.id != nil else { throw .invalid(field: "id", message: "an imported job needs an id") }
            guard d.employerId != nil else { throw .invalid(field: "employerId", message: "an imported job needs an employerId") }
            _ = try validate(d)
        case .course(let c):
            if let refusal = refusal(of: c) { throw refusal }
        }
    }

    private func commit(_ items: [ImportItem]) async throws {
        var talents: [TalentDraft] = [], jobs: [JobDraft] = [], courses: [Course] = []
        for item in items {
            switch item {
            case .talent(let d): talents.append(d)
            case .job(let d): jobs.append(d)
            case .course(let c): courses.append(c)
            }
        }
        if !talents.isEmpty { _ = try await upsertTalents(talents) }
        if !jobs.isEmpty { _ = try await upsertJobs(jobs) }
        if !courses.isEmpty { _ = try await putCourses(courses) }
    }

    func lineError(line: Int, id: String?, _ error: any Error) -> ImportLineError {
        if let e = error as? ServiceError {
            return ImportLineError(line: line, id: id, code: e.code, message: e.description, field: e.field)
        }
        return ImportLineError(line: line, id: id, code: "import.invalid_line", message: "\(error)", field: nil)
    }
}
