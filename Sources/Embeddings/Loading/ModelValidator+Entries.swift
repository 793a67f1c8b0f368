import Foundation

/// The checks of one competency level and one course, shared by the model's files and the
/// platform's course API.
extension ModelValidator {
    static func checkCompetencyLevel(_ value: CompetencyLevel, field: String, file: String, line: Int?, entry: String,
                                     maxLevel: Int, exists: (String) -> Bool, into problems: inout [ModelProblem]) {
        if !isValidID(value.competency) {
            problems.append(ModelProblem(.invalidID, file: file, line: line, entry: entry, field: field + ".competency",
                                         message: "\"\(value.competency)\" is not a lowercase [a-z0-9.-]+ id"))
        } else if !exists(value.competency) {
            problems.append(ModelProblem(.unknownReference, file: file, line: line, entry: entry, field: field + ".competency",
                                         message: "no competency \"\(value.competency)\""))
        }
        if value.level < 1 || value.level > maxLevel {
            problems.append(ModelProblem(.outOfRange, file: file, line: line, entry: entry, field: field + ".level",
                                         message: "level \(value.level) is outside 1…\(maxLevel)"))
        }
    }

    static func checkCourse(_ c: Course, line: Int?, file: String, maxLevel: Int, competencyExists: (String) -> Bool,
                            certificateExists: (String) -> Bool, into problems: inout [ModelProblem]) {
        if !isValidID(c.id) {
            problems.append(ModelProblem(.invalidID, file: file, line: line, entry: c.id, field: "id",
                                         message: "\"\(c.id)\" is not a lowercase [a-z0-9.-]+ id"))
        }
        for (field, text) in [("title.zh", c.title.zh), ("title.en", c.title.en)] where text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append(ModelProblem(.invalidValue, file: file, line: line, entry: c.id, field: field, message: "empty title"))
        }
        if c.hours < 1 || c.hours > 2000 {
            problems.append(ModelProblem(.outOfRange, file: file, line: line, entry: c.id, field: "hours",
                                         message: "hours \(c.hours) is outside 1…2000"))
        }
        if c.teaches.isEmpty {
            problems.append(ModelProblem(.invalidValue, file: file, line: line, entry: c.id, field: "teaches",
                                         message: "a course must teach at least one competency"))
        }
        for (i, t) in c.teaches.enumerated() {
            Self.checkCompetencyLevel(t, field: "teaches[\(i)]", file: file, line: line, entry: c.id, maxLevel: maxLevel,
                                 exists: competencyExists, into: &problems)
        }
        for (i, t) in c.prerequisites.enumerated() {
            Self.checkCompetencyLevel(t, field: "prerequisites[\(i)]", file: file, line: line, entry: c.id, maxLevel: maxLevel,
                                 exists: competencyExists, into: &problems)
        }
        if let cert = c.certificate, !isValidID(cert) {
            problems.append(ModelProblem(.invalidID, file: file, line: line, entry: c.id, field: "certificate",
                                         message: "\"\(cert)\" is not a lowercase [a-z0-9.-]+ id"))
        } else if let cert = c.certificate, !certificateExists(cert) {
            problems.append(ModelProblem(.unknownReference, file: file, line: line, entry: c.id, field: "certificate",
                                         message: "no certificate \"\(cert)\""))
        }
        if let price = c.priceYuan, price < 0 || !price.isFinite {
            problems.append(ModelProblem(.outOfRange, file: file, line: line, entry: c.id, field: "priceYuan",
                                         message: "price \(price) must be a non-negative number"))
        }
    }
}

extension CompetencyModel {
    /// Whether `id` has the form of a model id (lowercase ASCII `[a-z0-9.-]+`), known or not.
    public static func isWellFormedID(_ id: String) -> Bool { ModelValidator.isValidID(id) }
}
