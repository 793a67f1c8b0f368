import Embeddings
import Foundation
import Testing

/// The coder on the bundled model, against titles coded by hand from the official definitions.
enum BundledCoder {
    static let coder: OccupationCoder = {
        let model = BundledModel.model
        return OccupationCoder(model: model, vectorizer: Vectorizer(model: model, latent: BundledModel.latent,
                                                                    extractor: BundledModel.extractor))
    }()
}

@Suite(.enabled(if: Bundled.isPresent, "the bundled model is not in this checkout"))
struct OccupationCoderTests {
    let coder = BundledCoder.coder

    /// Each title's code was chosen by reading the classification's definitions, not the model.
    @Test(arguments: [
        ("电工", "6-31-01-03"),
        ("前台", "3-01-02-02"),
        ("Java开发（急招）", "2-02-10-03"),
        ("【北京】高级Java开发工程师 15-25K", "2-02-10-03"),
        ("（成都）C++开发工程师 15-25K·13薪", "2-02-10-03"),
        ("軟體工程師", "2-02-10-03"),
        ("ＵＩ设计师", "2-09-06-07"),
        ("AI训练师-兼职", "4-04-05-05"),
        ("嵌入式软件工程师 STM32", "2-02-10-06"),
        ("货车司机（A2本）", "4-02-02-02"),
        ("Senior Java Engineer", "2-02-10-03"),
    ])
    func codesHandCheckedTitles(title: String, code: String) {
        let c = coder.classify(title: title)
        #expect(c.occupation?.code == code, "\(title): \(c.candidates.map { "\($0.code) \($0.confidence)" })")
        #expect(c.candidates.first?.code == code)
    }

    @Test func noiseIsReadNotScored() {
        let c = coder.classify(title: "【北京】资深Java开发工程师（急招）20-35K·14薪")
        #expect(c.reading.head == "java开发工程师")
        #expect(c.reading.level == 6)
        let kinds = Set(c.reading.noise.map(\.kind))
        #expect(kinds.isSuperset(of: [.place, .urgency, .salary, .level]), "\(c.reading.noise)")
        #expect(c.occupation?.code == "2-02-10-03")
    }

    @Test func notATitleIsUnknown() {
        for title in ["急招", "五险一金 双休", "储备干部"] {
            let c = coder.classify(title: title)
            #expect(c.isUnknown, "\(title) → \(c.occupation.map { "\($0.code) \($0.confidence)" } ?? "-")")
            #expect(c.candidates.allSatisfy { $0.confidence < c.threshold })
        }
    }

    /// A non-digital occupation gets its own code, not the nearest digital one.
    @Test func nonDigitalOccupationsAreCodable() {
        for (title, code) in [("电工", "6-31-01-03"), ("前台", "3-01-02-02")] {
            let c = coder.classify(title: title)
            #expect(c.occupation?.code == code)
            #expect(c.occupation?.digital == false)
        }
    }

    /// Candidates come best first, confidences are probabilities, the chosen one carries its evidence,
    /// and the same title with a description still ranks by the same rule.
    @Test func candidatesAreRankedAndExplained() throws {
        let c = coder.classify(title: "数据分析师", description: "负责用SQL和Python做经营数据分析，搭建BI报表看板。", limit: 5)
        #expect(c.candidates.count == 5)
        #expect(zip(c.candidates, c.candidates.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(c.candidates.allSatisfy { (0...1).contains($0.confidence) })
        let chosen = try #require(c.occupation)
        #expect(chosen.evidence.contains { $0.kind == .title || $0.kind == .containsTitle })
        let competencies = chosen.evidence.first { $0.kind == .competencies }
        #expect(competencies?.competencies?.isEmpty == false, "\(chosen.evidence)")
        // Evidence scores add up to the candidate's score.
        #expect(abs(chosen.evidence.reduce(0) { $0 + $1.score } - chosen.score) < 1e-6)
    }

    /// The confidence is the documented logistic of score and margin.
    @Test func confidenceFollowsTheCalibration() {
        let c = coder.classify(title: "网络工程师", limit: 3)
        let (a, b, bias) = coder.configuration.calibration
        let s = c.candidates.map(\.score)
        let expected = 1 / (1 + exp(-(a * s[0] + b * (s[0] - s[1]) + bias)))
        #expect(abs(c.candidates[0].confidence - expected) < 1e-9)
        let second = 1 / (1 + exp(-(a * s[1] + b * (s[1] - s[0]) + bias)))
        #expect(abs(c.candidates[1].confidence - second) < 1e-9)
    }

    /// Top-k without a full sort equals a full sort of all occupations' scores.
    @Test func limitsAgreeWithEachOther() {
        let wide = coder.classify(title: "运维工程师", limit: 20)
        let narrow = coder.classify(title: "运维工程师", limit: 3)
        #expect(narrow.candidates.map(\.code) == Array(wide.candidates.prefix(3)).map(\.code))
        #expect(zip(wide.candidates, wide.candidates.dropFirst()).allSatisfy { $0.score >= $1.score })
    }
}

@Suite struct TitleReaderTests {
    let reader = TitleReader()

    @Test func cutsSalaryPlaceUrgencyAndWorkType() {
        let r = reader.read("【上海】Python爬虫工程师（实习）8000-12000元/月 急聘")
        #expect(r.head == "python爬虫工程师")
        #expect(r.workType == .internship)
        #expect(r.noise.contains { $0.kind == .salary })
        #expect(r.noise.contains { $0.kind == .place && $0.text == "上海" })
        #expect(r.noise.contains { $0.kind == .urgency })
    }

    @Test func keepsLanguageNamesWhole() {
        #expect(reader.read("C++开发工程师").pieces == ["c++开发工程师"])
        #expect(reader.read("C#/.NET开发").pieces.first == "c#")
        #expect(reader.read("Java+Python开发").pieces == ["java", "python开发"])
    }

    @Test func fullWidthAndTraditionalFold() {
        #expect(reader.read("ＵＩ设计师").head == "ui设计师")
        #expect(reader.read("資料分析師").head == "数据分析师")
        #expect(reader.read("軟體工程師").head == "软件工程师")
    }

    @Test func levelWordsAreReadAndCut() {
        let r = reader.read("高级测试工程师")
        #expect(r.head == "测试工程师")
        #expect(r.level == 6)
        // 专家 names the work in 算法专家: read as a level, kept in the head.
        #expect(reader.read("算法专家").head.contains("专家"))
    }

    @Test func trailingPostWordIsDropped() {
        #expect(reader.read("仓库管理员岗位").head == "仓库管理员")
    }
}
