import Embeddings
import Foundation
import Testing
import TestSupport

/// Broken copies of the mini model: each gives its precise problem (file, line, entry, field).
@Suite struct ModelValidationTests {
    typealias File = CompetencyModel.File

    func problems(_ edits: [String: [Int: String?]]) throws -> [ModelProblem] {
        let dir = try Mini.copy(editing: edits)
        defer { try? FileManager.default.removeItem(at: dir) }
        return CompetencyModel.validate(directory: dir)
    }

    func expectProblem(_ problems: [ModelProblem], _ kind: ModelProblem.Kind, file: String, line: Int?, entry: String?,
                       field: String?, message: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let hit = problems.first { $0.kind == kind && $0.file == file && $0.line == line && $0.entry == entry && $0.field == field }
        #expect(hit != nil, "no \(kind) at \(file):\(line.map(String.init) ?? "-") \(entry ?? "-") \(field ?? "-") in \(problems)",
                sourceLocation: sourceLocation)
        if let message, let hit { #expect(hit.message == message, sourceLocation: sourceLocation) }
        #expect(hit?.severity == .error, sourceLocation: sourceLocation)
    }

    @Test func unknownReference() throws {
        let line = try Mini.line(File.competencies, 1).replacingOccurrences(of: "\"ai.tensorflow\", ", with: "\"ai.nope\", ")
        let found = try problems([File.competencies: [1: line]])
        expectProblem(found, .unknownReference, file: File.competencies, line: 1, entry: "ai.pytorch", field: "related[0]",
                      message: "no competency \"ai.nope\"")
        #expect(found.count == 1)
    }

    @Test func unknownCompetencyInAPostAndAnUnknownOccupation() throws {
        let line = try Mini.line(File.posts, 4)
            .replacingOccurrences(of: "\"prog.go\"", with: "\"prog.rust\"")
            .replacingOccurrences(of: "\"occupation\": \"2-02-38-04\"", with: "\"occupation\": \"2-02-38-99\"")
            .replacingOccurrences(of: "\"id\": \"2-02-38-04\"", with: "\"id\": \"2-02-38-99\"")
        let found = try problems([File.posts: [4: line]])
        expectProblem(found, .unknownReference, file: File.posts, line: 4, entry: "2-02-38-99",
                      field: "functions[0].workItems[0].requirements[2].competency")
        expectProblem(found, .unknownReference, file: File.posts, line: 4, entry: "2-02-38-99", field: "occupation")
    }

    @Test func duplicateID() throws {
        let java = try Mini.line(File.competencies, 8)
        let found = try problems([File.competencies: [17: java.replacingOccurrences(of: "\"Java\"", with: "\"Java SE\"")]])
        expectProblem(found, .duplicateID, file: File.competencies, line: 17, entry: "prog.java", field: "id",
                      message: "id \"prog.java\" appears twice (first on line 8)")
    }

    /// "ＴＯＲＣＨ" folds (width, case) to pytorch's alias "torch".
    @Test func duplicateAliasAcrossCompetencies() throws {
        let line = try Mini.line(File.competencies, 2).replacingOccurrences(of: "[\"TF2\"]", with: "[\"TF2\", \"ＴＯＲＣＨ\"]")
        let found = try problems([File.competencies: [2: line]])
        expectProblem(found, .duplicateAlias, file: File.competencies, line: 2, entry: "ai.tensorflow", field: "aliases.en[1]",
                      message: "\"ＴＯＲＣＨ\" also names ai.pytorch (line 1)")
    }

    @Test func certificateAliasEqualToACompetencyName() throws {
        let line = try Mini.line(File.certificates, 2).replacingOccurrences(of: "[\"CKA\"]", with: "[\"CKA\", \"kubernetes\"]")
        let found = try problems([File.certificates: [2: line]])
        expectProblem(found, .duplicateAlias, file: File.certificates, line: 2, entry: "cert.cka", field: "aliases.en[1]",
                      message: "\"kubernetes\" also names cloud.kubernetes (competencies.jsonl:13)")
    }

    @Test func levelOutOfRange() throws {
        let line = try Mini.line(File.posts, 4).replacingOccurrences(of: "\"cloud.kubernetes\", \"level\": 5", with: "\"cloud.kubernetes\", \"level\": 9")
        let found = try problems([File.posts: [4: line]])
        expectProblem(found, .outOfRange, file: File.posts, line: 4, entry: "2-02-38-04",
                      field: "functions[0].workItems[0].requirements[0].level", message: "level 9 is outside 1…8")
        let levelLine = try Mini.line(File.levels, 2).replacingOccurrences(of: "\"ord\": 1", with: "\"ord\": 12")
        let found2 = try problems([File.levels: [2: levelLine]])
        expectProblem(found2, .outOfRange, file: File.levels, line: 2, entry: "skill.apprentice", field: "ord")
    }

    @Test func weightsNotSummingTo100() throws {
        let line = try Mini.line(File.posts, 1).replacingOccurrences(of: "\"weight\": 20", with: "\"weight\": 15")
        let found = try problems([File.posts: [1: line]])
        expectProblem(found, .weightSum, file: File.posts, line: 1, entry: "2-02-38-01.cv", field: "functions[2].weight",
                      message: "function weights sum to 95, expected 100")
    }

    @Test func unknownKeysAreReportedWithTheirPath() throws {
        let top = try Mini.line(File.competencies, 3).replacingOccurrences(of: "\"related\"", with: "\"relatd\"")
        let nested = try Mini.line(File.posts, 5).replacingOccurrences(of: "\"importance\": 1}]}]}, {", with: "\"importance\": 1, \"note\": \"x\"}]}]}, {")
        let found = try problems([File.competencies: [3: top], File.posts: [5: nested]])
        expectProblem(found, .unknownKey, file: File.competencies, line: 3, entry: "ai.deep-learning", field: "relatd",
                      message: "unknown key \"relatd\"")
        expectProblem(found, .unknownKey, file: File.posts, line: 5, entry: "4-01-06-02",
                      field: "functions[0].workItems[0].requirements[1].note")
    }

    @Test func malformedJSONLine() throws {
        let line = String(try Mini.line(File.courses, 2).dropLast(3))
        let found = try problems([File.courses: [2: line]])
        expectProblem(found, .malformedJSON, file: File.courses, line: 2, entry: nil, field: nil)
        #expect(found.count == 1)
    }

    @Test func missingKeyAndWrongType() throws {
        let noKind = try Mini.line(File.competencies, 4).replacingOccurrences(of: "\"kind\": \"knowledge\", ", with: "")
        let badHours = try Mini.line(File.courses, 1).replacingOccurrences(of: "\"hours\": 48", with: "\"hours\": \"48\"")
        let found = try problems([File.competencies: [4: noKind], File.courses: [1: badHours]])
        expectProblem(found, .missingKey, file: File.competencies, line: 4, entry: "ai.machine-learning", field: "kind")
        expectProblem(found, .wrongType, file: File.courses, line: 1, entry: "course.ai.cv-pytorch-01", field: "hours")
    }

    @Test func certificateLevelMustMatchItsLabel() throws {
        let line = try Mini.line(File.certificates, 1).replacingOccurrences(of: "\"ord\": 5}", with: "\"ord\": 6}")
        let found = try problems([File.certificates: [1: line]])
        expectProblem(found, .invalidValue, file: File.certificates, line: 1, entry: "cert.dte.ai.2", field: "level.ord",
                      message: "ord 6 differs from engineer.2's ord 5")
    }

    @Test func levelAliasBelongsToOneLabelPerScheme() throws {
        let line = try Mini.line(File.levels, 3).replacingOccurrences(of: "[\"初级工\", \"五级\"]", with: "[\"初级工\", \"五级\", \"学徒工\"]")
        let found = try problems([File.levels: [3: line]])
        expectProblem(found, .duplicateAlias, file: File.levels, line: 3, entry: "skill.5", field: "aliases.zh[2]")
    }

    @Test func everyProblemIsCollectedAndLoadThrowsThemAll() throws {
        let dir = try Mini.copy(editing: [
            File.competencies: [1: try Mini.line(File.competencies, 1).replacingOccurrences(of: "\"ai.tensorflow\", ", with: "\"ai.nope\", ")],
            File.posts: [1: try Mini.line(File.posts, 1).replacingOccurrences(of: "\"weight\": 20", with: "\"weight\": 15")],
            File.courses: [3: "{not json"],
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try CompetencyModel.load(from: dir)
            Issue.record("a broken model loaded")
        } catch {
            guard case .invalidModel(let problems) = error else { Issue.record("wrong error \(error)"); return }
            #expect(Set(problems.map(\.kind)) == [.unknownReference, .weightSum, .malformedJSON])
            #expect(error.code == "embeddings.invalid_model")
            #expect(error.description.contains("posts.jsonl:1: 2-02-38-01.cv: functions[2].weight: function weights sum to 95, expected 100 [embeddings.model.weight_sum]"))
            #expect(problems.map(\.code).contains("embeddings.model.malformed_json"))
        }
    }

    @Test func missingFileIsReported() throws {
        let dir = try Mini.copy()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.removeItem(at: dir.appendingPathComponent(File.posts))
        let found = CompetencyModel.validate(directory: dir)
        #expect(found.contains { $0.kind == .missingFile && $0.file == File.posts && $0.severity == .error })
    }

    @Test func userCoursesAreValidatedAgainstTheModel() {
        let good = Course(id: "user.course-1", title: LocalizedText(zh: "K8s 实战", en: "K8s in practice"),
                          provider: .init(type: .enterprise, name: "ACME"), hours: 16, mode: .online,
                          teaches: [CompetencyLevel(competency: "cloud.kubernetes", level: 4)])
        #expect(Mini.model.validate(course: good).isEmpty)
        #expect(CompetencyModel.validate(course: good, against: Mini.model).isEmpty)
        var bad = good
        bad.hours = 0
        bad.teaches = [CompetencyLevel(competency: "cloud.kubernetes", level: 4), CompetencyLevel(competency: "cloud.nomad", level: 9)]
        bad.certificate = "cert.none"
        let found = Mini.model.validate(course: bad)
        #expect(Set(found.compactMap(\.field)) == ["hours", "teaches[1].competency", "teaches[1].level", "certificate"])
        #expect(found.allSatisfy { $0.file == "request" && $0.entry == "user.course-1" })
    }

    @Test func userCourseJSONRejectsUnknownKeys() throws {
        let json = #"{"id":"c1","title":{"zh":"课","en":"Course"},"provider":{"type":"enterprise","name":"x"},"hours":3,"mode":"online","teaches":[{"competency":"prog.go","level":3}],"colour":"red"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Course.self, from: Data(json.utf8)) }
        let ok = json.replacingOccurrences(of: #","colour":"red""#, with: "")
        let course = try JSONDecoder().decode(Course.self, from: Data(ok.utf8))
        #expect(course.teaches == [CompetencyLevel(competency: "prog.go", level: 3)])
    }
}
