import Embeddings
import Foundation
import Testing
import TestSupport

/// Hand-checked texts in `Tests/Fixtures/texts/` with their expected mentions in `expected.json`.
@Suite struct ExtractionTests {
    struct Expected: Decodable {
        struct Item: Decodable, Equatable, CustomStringConvertible {
            var id: String
            var text: String
            var level: Int?
            var negated: Bool
            var source: String
            var description: String { "\(id) \"\(text)\" level \(level.map(String.init) ?? "-")\(negated ? " negated" : "") \(source)" }
        }
        var file: String
        var note: String?
        var mentions: [Item]
    }

    static let cases: [Expected] = {
        let data = try! Data(contentsOf: Fixtures.url("texts/expected.json"))
        return try! JSONDecoder().decode([Expected].self, from: data)
    }()
    static let extractor = Extractor(model: Mini.model)

    /// The original text a span points at.
    static func slice(_ text: String, _ span: TextSpan) -> String {
        let scalars = Array(text.unicodeScalars)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[span.start..<span.end])
        return String(view)
    }

    @Test(arguments: cases.map(\.file))
    func fixtureTextGivesItsHandCheckedMentions(file: String) throws {
        let expected = try #require(Self.cases.first { $0.file == file })
        let text = try fixtureText("texts/\(file)")
        let extraction = Self.extractor.extract(text)
        let got = extraction.mentions.map {
            Expected.Item(id: $0.competency ?? $0.certificate ?? "?", text: Self.slice(text, $0.span), level: $0.level,
                          negated: $0.negated, source: $0.source.rawValue)
        }
        #expect(got == expected.mentions, "\(file)\n got: \(got)\nwant: \(expected.mentions)")
        for m in extraction.mentions {
            #expect(m.text == Self.slice(text, m.span))
            #expect(m.source == .fuzzy ? (m.confidence >= 0.6 && m.confidence < 1) : m.confidence == 1)
        }
    }

    @Test func traditionalAndFullWidthGiveTheSameResult() throws {
        let simplified = Self.extractor.extract(try fixtureText("texts/zh-requirements.txt"))
        let traditional = Self.extractor.extract(try fixtureText("texts/zh-requirements-hant.txt"))
        func key(_ m: Mention) -> String { "\(m.competency ?? "-") \(m.certificate ?? "-") \(m.level ?? -1) \(m.negated) \(m.source)" }
        #expect(simplified.mentions.map(key) == traditional.mentions.map(key))
        #expect(!simplified.mentions.isEmpty)
    }

    @Test(arguments: [
        ("JavaScript developer", ["prog.javascript"]),
        ("javascript and java", ["prog.javascript", "prog.java"]),
        ("we use Google Cloud", []),
        ("Go and Golang", ["prog.go", "prog.go"]),
        ("熟悉Go语言", ["prog.go"]),
        ("python3 and k8s", ["prog.python", "cloud.kubernetes"]),
        ("mlops, ML", ["ai.machine-learning"]),
        ("torchvision", []),
        ("PyTorch框架", ["ai.pytorch"]),
        ("MySQL/PostgreSQL", ["data.sql", "data.sql"]),
        ("node.js golang-based", ["prog.javascript", "prog.go"]),  // "js" is an alias of JavaScript
    ] as [(String, [String])])
    func latinAliasesRespectWordBoundaries(text: String, ids: [String]) {
        let found = Self.extractor.extract(text).mentions.filter { $0.source != .fuzzy }.compactMap(\.competency)
        #expect(found == ids, "\(text)")
    }

    @Test(arguments: [
        ("不要求Java经验", true), ("Java非必须", true), ("无需掌握Docker", true), ("不需要Kubernetes", true),
        ("Python is not required", true), ("no SQL experience required", true), ("without Docker", true),
        ("不必精通Go语言", true), ("熟悉Java", false), ("SQL required", false), ("no overtime, SQL required", false),
    ] as [(String, Bool)])
    func negationIsScopedToTheClause(text: String, negated: Bool) throws {
        let mentions = Self.extractor.extract(text).mentions
        let m = try #require(mentions.first, "\(text)")
        #expect(m.negated == negated, "\(text)")
    }

    @Test func negationDoesNotCrossClauses() {
        let m = Self.extractor.extract("不要求Java，熟悉Python；无需出差。SQL required").mentions
        #expect(m.map { "\($0.competency!):\($0.negated)" } == ["prog.java:true", "prog.python:false", "data.sql:false"])
    }

    @Test(arguments: [
        ("3年以上Python开发经验", 4), ("1-3年SQL经验", 3), ("Python 5年以上", 5), ("三年以上Java经验", 4),
        ("10+ years of Python", 6), ("Python 2 years", 3), ("半年Docker经验", 2),
        ("精通Python", 6), ("熟练掌握Python", 5), ("Python（熟练）", 5), ("中级SQL", 5), ("高级工 Docker", 4),
    ] as [(String, Int)])
    func levelCues(text: String, ord: Int) throws {
        let m = try #require(Self.extractor.extract(text).mentions.first { $0.competency != nil })
        #expect(m.level == ord, "\(text)")
    }

    @Test func yearsAreNotReadFromDatesOrAges() {
        let e = Self.extractor.extract("2024年加入，年龄35岁，Python")
        #expect(e.years.isEmpty)
        #expect(e.mentions.first?.level == nil)
    }

    @Test func spansPointIntoTheOriginalTextAcrossExpansions() throws {
        // "①" expands to "1" and full-width spaces collapse: offsets still refer to the original scalars.
        let text = "①　　熟悉ＰｙＴｏｒｃｈ，😀 k8s"
        let m = Self.extractor.extract(text).mentions
        #expect(m.map { Self.slice(text, $0.span) } == ["ＰｙＴｏｒｃｈ", "k8s"])
        #expect(m.first?.span == TextSpan(start: 5, end: 12))
        #expect(m.first?.cue?.text == "熟悉")
        #expect(m.first?.cue?.span == TextSpan(start: 3, end: 5))
    }

    @Test func fuzzyMatchesTyposAndNotUnrelatedWords() throws {
        let e = Self.extractor.extract("熟悉Tensorflw和深度学校，使用Excel")
        let fuzzy = e.mentions.filter { $0.source == .fuzzy }
        #expect(fuzzy.map(\.competency) == ["ai.tensorflow", "ai.deep-learning"])
        #expect(fuzzy.allSatisfy { $0.level == 3 && $0.confidence < 1 })
        var config = Extractor.Configuration()
        config.fuzzy = false
        #expect(Extractor(model: Mini.model, configuration: config).extract("熟悉Tensorflw").mentions.isEmpty)
    }

    @Test func emptyAndPlainTexts() {
        #expect(Self.extractor.extract("").mentions.isEmpty)
        #expect(Self.extractor.extract("我们是一家充满活力的公司。").mentions.isEmpty)
    }
}

extension ExtractionTests {
    /// One extractor shared by concurrent tasks gives the serial results (it is immutable).
    @Test func concurrentExtractionMatchesSerial() async throws {
        let texts = try Self.cases.map { try fixtureText("texts/\($0.file)") }
        let serial = texts.map { Self.extractor.extract($0) }
        let extractor = Self.extractor
        let parallel = await withTaskGroup(of: (Int, Extraction).self) { group in
            for _ in 0..<8 {
                for (i, text) in texts.enumerated() { group.addTask { (i, extractor.extract(text)) } }
            }
            var out: [(Int, Extraction)] = []
            for await result in group { out.append(result) }
            return out
        }
        #expect(parallel.count == 8 * texts.count)
        for (i, extraction) in parallel { #expect(extraction == serial[i]) }
    }
}
