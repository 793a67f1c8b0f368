import Embeddings
import Foundation
import Testing
import TestSupport

@Suite struct ESCOImportTests {
    static let source = Fixtures.url("esco")

    func imported(_ options: ESCOImport.Options = ESCOImport.Options()) throws -> (CompetencyModel, ESCOImport.Report, URL) {
        let dir = try Fixtures.temporaryDirectory("esco-model")
        let report = try ESCOImport.run(source: Self.source, destination: dir, options: options)
        return (try CompetencyModel.load(from: dir), report, dir)
    }

    @Test func fixtureImportsAndLoads() throws {
        let (model, report, dir) = try imported()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(CompetencyModel.validate(directory: dir).isEmpty)
        #expect(report.competencies == 10 && model.competencies.count == 10)
        #expect(report.occupations == 4 && model.occupations.count == 4)
        // ICT system architect has no skill relation: listed, but no post.
        #expect(report.posts == 3 && report.occupationsWithoutSkills == ["2511.1"])
        #expect(report.requirements == 15)
        #expect(report.skippedRelations == 1)  // a relation to a skill the file does not have
        #expect(report.relatedLinks == 3)
        // "data mining" is an altLabel of two skills: dropped from both.
        #expect(report.droppedAliases == ["data mining"])

        let python = try #require(model.competency(id: "esco.0b1f6c2a-1111-4a6e-9c1e-000000000001"))
        #expect(python.name == LocalizedText(zh: "Python (computer programming)", en: "Python (computer programming)"))
        #expect(python.aliases.en == ["Python", "Python 3"])  // the quoted multi-line altLabels field
        #expect(python.kind == .knowledge && python.domain == "esco-knowledge")
        let sql = try #require(model.competency(id: "esco.0b1f6c2a-1111-4a6e-9c1e-000000000005"))
        #expect(sql.aliases.en == ["Structured Query Language"])  // "sql" repeats the name
        let ml = try #require(model.competency(id: "esco.0b1f6c2a-1111-4a6e-9c1e-000000000002"))
        #expect(ml.aliases.en == ["apply machine learning", "ML"])
        #expect(ml.kind == .skill && ml.related == ["esco.0b1f6c2a-1111-4a6e-9c1e-000000000003"])
        #expect(model.competency(id: "esco.0b1f6c2a-1111-4a6e-9c1e-000000000007")?.kind == .transversal)
    }

    /// ESCO occupations share alternative labels; a post alias names one post, so a label that is
    /// another post's name, or an earlier post's alias, is dropped and the model validates.
    @Test func sharedOccupationLabelsNameOnePost() throws {
        let source = try Fixtures.temporaryDirectory("esco-source")
        defer { try? FileManager.default.removeItem(at: source) }
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.source.path) {
            var text = try String(contentsOf: Self.source.appendingPathComponent(file), encoding: .utf8)
            if file == "occupations_en.csv" {
                text = text.replacingOccurrences(of: "\"CV engineer\nimage recognition engineer\"",
                                                 with: "\"CV engineer\nimage recognition engineer\ndata science specialist\nData Scientist\"")
            }
            try text.write(to: source.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let dir = try Fixtures.temporaryDirectory("esco-model")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try ESCOImport.run(source: source, destination: dir)
        #expect(CompetencyModel.validate(directory: dir).isEmpty)
        let model = try CompetencyModel.load(from: dir)
        let cv = try #require(model.posts.first { $0.name.en == "computer vision engineer" })
        #expect(cv.aliases.en == ["CV engineer", "image recognition engineer"])
        let ds = try #require(model.posts.first { $0.name.en == "data scientist" })
        #expect(ds.aliases.en.contains("data science specialist"))
    }

    /// Data scientist: four essential (3) and two optional (1) skills in one function of weight
    /// 100: Σ importance = 14.
    @Test func essentialAndOptionalRelationsBecomeWeightedRequirements() throws {
        let (model, _, dir) = try imported()
        defer { try? FileManager.default.removeItem(at: dir) }
        let post = try #require(model.post(id: "2511.4"))
        #expect(post.name.en == "data scientist" && post.referenceLevel == 4 && post.source == ["ESCO"])
        #expect(post.aliases.en == ["data science specialist", "ML scientist"])
        let reqs = try #require(model.requirements(ofPost: "2511.4"))
        let weights = Dictionary(uniqueKeysWithValues: reqs.map { (String($0.competency.suffix(2)), $0.weight) })
        let essential: Double = 3.0 / 14, optional: Double = 1.0 / 14
        let expected: [String: Double] = ["01": essential, "02": essential, "05": essential, "10": essential,
                                          "07": optional, "03": optional]
        #expect(weights == expected)
        #expect(reqs.allSatisfy { $0.level == 4 })
    }

    @Test func importedModelWorksEndToEnd() throws {
        let (model, _, dir) = try imported()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mentions = Extractor(model: model).extract("Proficient in Python and SQL, familiar with image recognition").mentions
        #expect(mentions.map { $0.competency!.suffix(2) } == ["01", "05", "04"])
        #expect(mentions.map(\.level) == [5, 5, 3])
        #expect(model.lookup("data scientist", limit: 1).first?.id == "2511.4")
        let latent = try LatentSpace.build(model: model, rank: 3)
        #expect(latent.rank == 3)
    }

    @Test func keepFirstLeavesASharedAliasWithTheFirstSkill() throws {
        var options = ESCOImport.Options()
        options.sharedAliases = .keepFirst
        let (model, report, dir) = try imported(options)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(report.droppedAliases == ["data mining"])
        #expect(model.competency(id: "esco.0b1f6c2a-1111-4a6e-9c1e-000000000002")?.aliases.en.contains("data mining") == true)
        #expect(model.competency(id: "esco.0b1f6c2a-1111-4a6e-9c1e-000000000010")?.aliases.en == ["data analysis"])
    }

    @Test func missingFileOrColumnIsATypedError() throws {
        let empty = try Fixtures.temporaryDirectory("esco-empty")
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: EmbeddingsError.invalidESCO(file: "skills_en.csv", line: nil, message: "the file is missing")) {
            try ESCOImport.run(source: empty, destination: empty.appendingPathComponent("out"))
        }
        try "conceptUri,preferredLabel\nx,y\n".write(to: empty.appendingPathComponent("skills_en.csv"), atomically: true, encoding: .utf8)
        #expect(throws: EmbeddingsError.invalidESCO(file: "skills_en.csv", line: 1, message: "missing column \"skillType\"")) {
            try ESCOImport.run(source: empty, destination: empty.appendingPathComponent("out"))
        }
    }

    /// ESCO beside the mini model, worked out by hand from both fixtures: names the mini model
    /// uses get " (ESCO)", aliases it uses are dropped, posts and occupations get the prefix.
    @Test func besideTheMiniModel() throws {
        let dir = try Fixtures.temporaryDirectory("esco-beside")
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = try ESCOImport.run(source: Self.source, destination: dir, beside: Mini.url)
        let uuid = "esco.0b1f6c2a-1111-4a6e-9c1e-0000000000"
        #expect(report.modelID == "mini-esco")
        #expect(report.renamed == [uuid + "03", uuid + "04", uuid + "05", uuid + "10", "esco.2511.8"])
        #expect(report.droppedAliases == ["data analysis", "deep neural networks", "image recognition", "machine vision", "ml", "python"])
        #expect(CompetencyModel.validate(directory: dir).isEmpty)
        let model = try CompetencyModel.load(from: dir)
        #expect(model.competencies.count == 16 + 10 && model.posts.count == 5 + 3)
        #expect(model.occupations.count == Mini.model.occupations.count + 4)
        #expect(model.manifest.sources.map(\.id) == ["T1", "ESCO"] && model.manifest.languages.isEmpty)
        #expect(model.competency(id: uuid + "05")?.name.en == "SQL (ESCO)")
        #expect(model.competency(id: uuid + "01")?.aliases.en == ["Python 3"])
        #expect(model.post(id: "esco.2511.8")?.name.en == "computer vision engineer (ESCO)")
        #expect(model.post(id: "esco.2511.4")?.occupation == "esco.2511.4" && model.post(id: "esco.2511.4")?.edition == nil)
        // The base entries are unchanged and keep their lines.
        #expect(model.post(id: "2-02-38-01.cv") == Mini.model.post(id: "2-02-38-01.cv"))
        let firstLine = try String(contentsOf: dir.appendingPathComponent("competencies.jsonl"), encoding: .utf8)
            .split(separator: "\n").first.map(String.init)
        #expect(firstLine == (try Mini.line(CompetencyModel.File.competencies, 1)))
        // Both parts are found in text.
        let ids = Extractor(model: model).extract("熟悉Python，Python 3 and Structured Query Language").mentions
            .filter { $0.source == .alias }.compactMap(\.competency)
        #expect(ids == ["prog.python", uuid + "01", uuid + "05"])
    }

    @Test func besideABrokenModelWritesNothing() throws {
        let broken = try Mini.copy(editing: [CompetencyModel.File.posts: [1: "{not json"]])
        defer { try? FileManager.default.removeItem(at: broken) }
        let out = broken.appendingPathComponent("out")
        #expect {
            try ESCOImport.run(source: Self.source, destination: out, beside: broken)
        } throws: { error in
            guard case EmbeddingsError.invalidModel(let problems) = error else { return false }
            return problems.contains { $0.kind == .malformedJSON && $0.file == "posts.jsonl" && $0.line == 1 }
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test(.enabled(if: Bundled.isPresent, "the bundled model is not in this checkout"))
    func besideTheBundledModel() throws {
        let dir = try Fixtures.temporaryDirectory("esco-beside-bundled")
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = try ESCOImport.run(source: Self.source, destination: dir, beside: Bundled.url)
        #expect(report.modelID == "cn-digital-2022-esco")
        let problems = CompetencyModel.validate(directory: dir)
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        let model = try CompetencyModel.load(from: dir)
        #expect(model.competencies.count == BundledModel.model.competencies.count + 10)
        #expect(model.posts.count == BundledModel.model.posts.count + 3)
    }
}
