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

    /// A model declaring `languages` needs aliases in each, and Chinese script among the zh forms.
    @Test func declaredLanguagesRequireAliasesInEach() throws {
        let manifest = try Mini.line(File.manifest, 4) + #" "languages": ["zh", "en", "fr"],"#
        let found = try problems([File.manifest: [4: manifest]])
        expectProblem(found, .invalidValue, file: File.manifest, line: nil, entry: "mini", field: "languages[2]",
                      message: "\"fr\" is not one of zh, en")
        // TensorFlow: no zh alias, and neither its zh name nor an alias is in Chinese.
        let tensorflow = found.filter { $0.entry == "ai.tensorflow" }.map(\.message)
        #expect(tensorflow == ["no zh alias; model.json declares the languages zh, en, fr",
                               "neither name.zh nor an alias in aliases.zh is written in Chinese"])
        #expect(found.contains { $0.file == File.competencies && $0.line == 2 && $0.field == "aliases.zh" })
        expectProblem(found, .invalidValue, file: File.competencies, line: 7, entry: "prog.python", field: "aliases.en",
                      message: "no en alias; model.json declares the languages zh, en, fr")
        expectProblem(found, .invalidValue, file: File.competencies, line: 8, entry: "prog.java", field: "aliases.en")
        // 深度学习 has aliases in both languages: no problem.
        #expect(!found.contains { $0.entry == "ai.deep-learning" })
        // Without `languages` (the mini model as shipped, an ESCO import) the rule does not apply.
        #expect(try problems([:]).isEmpty)
    }

    @Test func aPostAliasBelongsToOnePost() throws {
        let line = try Mini.line(File.posts, 4).replacingOccurrences(of: "[\"云计算工程师\"]", with: "[\"云计算工程师\", \"大数据工程师\"]")
        let found = try problems([File.posts: [4: line]])
        expectProblem(found, .duplicateAlias, file: File.posts, line: 4, entry: "2-02-38-04", field: "aliases.zh[1]",
                      message: "\"大数据工程师\" also names 2-02-38-03 (line 3)")
        #expect(found.count == 1)
    }

    @Test func aPostEditionIsTheClassificationEditionOrASupplement() throws {
        let post = try Mini.line(File.posts, 3).replacingOccurrences(of: "\"edition\": \"2022\"", with: "\"edition\": \"2024-07\"")
        let found = try problems([File.posts: [3: post]])
        expectProblem(found, .invalidValue, file: File.posts, line: 3, entry: "2-02-38-03", field: "edition",
                      message: "edition \"2024-07\" is neither the classification edition nor one of its supplements in model.json (2022)")
        #expect(found.count == 1)
        // Declared as a supplement, the same edition is valid.
        let classification = try Mini.line(File.manifest, 6).replacingOccurrences(of: "\"edition\": \"2022\"}",
                                                                                  with: "\"edition\": \"2022\", \"supplements\": [\"2024-07\"]}")
        #expect(classification != (try Mini.line(File.manifest, 6)))
        #expect(try problems([File.posts: [3: post], File.manifest: [6: classification]]).isEmpty)
    }

    @Test func aVerifiedEntryCitesASourceAndAnUncitedOneSaysSo() throws {
        let verified = try Mini.line(File.certificates, 2).replacingOccurrences(of: "\"confidence\": \"proposal\", \"source\": [\"T1\"]",
                                                                               with: "\"confidence\": \"verified\"")
        let silent = try Mini.line(File.posts, 5).replacingOccurrences(of: ", \"confidence\": \"proposal\"", with: "")
            .replacingOccurrences(of: ", \"source\": [\"T1\"]", with: "")
        let unverified = try Mini.line(File.certificates, 2).replacingOccurrences(of: "\"confidence\": \"proposal\", \"source\": [\"T1\"]",
                                                                                 with: "\"confidence\": \"unverified\"")
        let found = try problems([File.certificates: [2: verified], File.posts: [5: silent]])
        expectProblem(found, .invalidValue, file: File.certificates, line: 2, entry: "cert.cka", field: "source",
                      message: "a verified entry cites at least one source")
        expectProblem(found, .invalidValue, file: File.posts, line: 5, entry: "4-01-06-02", field: "confidence",
                      message: "an entry without a source must say unverified or proposal")
        #expect(found.count == 2)
        #expect(try problems([File.certificates: [2: unverified]]).isEmpty)
    }

    @Test func casedAliasesAndNotWithinWordsAreChecked() throws {
        let java = try Mini.line(File.competencies, 8).replacingOccurrences(of: "\"related\": []",
            with: "\"related\": [], \"notWithin\": [\"咖啡Java\", \"爪哇岛\", \"Go语言\"]")
        let go = try Mini.line(File.competencies, 10).replacingOccurrences(of: "\"related\": []",
            with: "\"related\": [], \"casedAliases\": [\"Go\", \"JS\"]")
        let found = try problems([File.competencies: [8: java, 10: go]])
        expectProblem(found, .duplicateAlias, file: File.competencies, line: 10, entry: "prog.go", field: "casedAliases[1]",
                      message: "\"JS\" also names prog.javascript (line 9)")
        expectProblem(found, .invalidValue, file: File.competencies, line: 8, entry: "prog.java", field: "notWithin[1]",
                      message: "\"爪哇岛\" does not contain a name or alias of prog.java")
        expectProblem(found, .duplicateAlias, file: File.competencies, line: 8, entry: "prog.java", field: "notWithin[2]",
                      message: "\"Go语言\" is itself a name or alias of prog.go")
        // "Go" repeats prog.go's own English name: a warning, as for any alias listed twice.
        #expect(found.contains { $0.field == "casedAliases[0]" && $0.severity == .warning })
        #expect(found.filter { $0.severity == .error }.count == 3)
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

/// `titles.jsonl`: market titles of occupations without a post.
extension ModelValidationTests {
    @Test func marketTitlesLoadForAnOccupationWithoutAPost() throws {
        let dir = try Mini.copy(editing: [File.titles: [1: #"{"occupation": "4-04-05-01", "aliases": {"zh": ["程序员"], "en": ["programmer"]}}"#]])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(CompetencyModel.validate(directory: dir).isEmpty)
        let model = try CompetencyModel.load(from: dir)
        #expect(model.occupationTitles.map(\.occupation) == ["4-04-05-01"])
        #expect(model.occupationTitles.first?.aliases.zh == ["程序员"])
    }

    @Test func marketTitleProblemsNameTheirLineAndField() throws {
        let found = try problems([File.titles: [
            1: #"{"occupation": "9-99-99-99", "aliases": {"zh": ["无此职业"]}}"#,
            2: #"{"occupation": "2-02-38-01", "aliases": {"zh": ["算法工程师甲"]}}"#,
            3: #"{"occupation": "4-04-05-01", "aliases": {"zh": ["计算机视觉工程师"]}}"#,
        ]])
        expectProblem(found, .unknownReference, file: File.titles, line: 1, entry: "9-99-99-99", field: "occupation",
                      message: "occupation \"9-99-99-99\" is not in occupations.tsv")
        expectProblem(found, .invalidValue, file: File.titles, line: 2, entry: "2-02-38-01", field: "occupation")
        expectProblem(found, .duplicateAlias, file: File.titles, line: 3, entry: "4-04-05-01", field: "aliases.zh[0]")
    }
}
