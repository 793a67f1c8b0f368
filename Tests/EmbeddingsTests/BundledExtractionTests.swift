import Embeddings
import Foundation
import Testing

/// Extraction through the bundled model's extractor on realistic postings and résumés. Every
/// expectation was worked out by hand from the bundled files: the alias that fires, the level
/// cue of its clause (levels.jsonl: 了解 2, 熟悉 3, 掌握/熟练/熟练使用 4, proficient in 5, 精通 6;
/// model.json experienceYears: 1 year → 3, 3 → 4, 5 → 5), and the negation scope.
@Suite(.enabled(if: Bundled.isPresent, "the bundled model is not in this checkout"))
struct BundledExtractionTests {
    /// Exact (alias) mentions as competency → level, and the set of negated competencies.
    struct Found: Equatable, CustomStringConvertible {
        var levels: [String: Int?]
        var negated: Set<String>
        var description: String { "levels \(levels.sorted { $0.key < $1.key }) negated \(negated.sorted())" }
    }

    static func found(_ text: String) -> Found {
        var levels: [String: Int?] = [:]
        var negated = Set<String>()
        for m in BundledModel.extractor.extract(text).mentions where m.source == .alias {
            guard let id = m.competency else { continue }
            levels[id] = m.level
            if m.negated { negated.insert(id) }
        }
        return Found(levels: levels, negated: negated)
    }

    static let zhPosting = "岗位职责：负责后端服务的设计与维护。任职要求：精通Java，熟练使用Spring Boot和MySQL；熟悉Redis、Kafka；3年以上微服务开发经验；了解Docker与Kubernetes。"
    /// The same posting in traditional script with full-width Latin letters, digits and spaces.
    static let zhPostingHant = "崗位職責：負責後端服務的設計與維護。任職要求：精通Ｊａｖａ，熟練使用Ｓｐｒｉｎｇ　Ｂｏｏｔ和ＭｙＳＱＬ；熟悉Ｒｅｄｉｓ、Ｋａｆｋａ；３年以上微服務開發經驗；了解Ｄｏｃｋｅｒ與Ｋｕｂｅｒｎｅｔｅｓ。"
    static let zhPostingExpected: [String: Int?] = [
        "prog.java": 6, "prog.spring": 4, "data.mysql": 4, "data.redis": 3, "data.kafka": 3,
        "prog.microservices": 4, "cloud.docker": 2, "cloud.kubernetes": 2,
        "prog.backend": nil,  // 负责后端服务的设计与维护
    ]

    @Test func aChinesePosting() {
        #expect(Self.found(Self.zhPosting) == Found(levels: Self.zhPostingExpected, negated: []))
    }

    @Test func traditionalAndFullWidthVariantsGiveTheSameResult() {
        #expect(Self.found(Self.zhPostingHant) == Found(levels: Self.zhPostingExpected, negated: []))
    }

    /// "5+ years of experience with" → 5; "Proficient in" reaches "Hive and Airflow" as a list
    /// continuation; Tableau and Power BI are one competency; the last sentence negates its list.
    @Test func anEnglishPosting() {
        let text = "Requirements: 5+ years of experience with Python and SQL. Proficient in Spark, Hive and Airflow. "
            + "Familiar with Tableau or Power BI. No Java, C++ or Go required."
        let expected: [String: Int?] = [
            "prog.python": 5, "data.sql": 5, "data.spark": 5, "data.hive": 5, "data.scheduling": 5, "data.bi": 3,
            "prog.java": nil, "prog.cpp": nil, "prog.golang": nil,
        ]
        #expect(Self.found(text) == Found(levels: expected, negated: ["prog.java", "prog.cpp", "prog.golang"]))
    }

    /// A mixed résumé: a certificate yields its grants, Chinese and English clauses both read.
    @Test func aMixedResume() throws {
        let text = "5年Python开发经验，精通PyTorch和TensorFlow，熟悉Go与Docker；持有人工智能训练师（三级）证书。Skills: familiar with Kubernetes and Linux."
        let expected: [String: Int?] = [
            "prog.python": 5, "ai.pytorch": 6, "ai.tensorflow": 6, "prog.golang": 3, "cloud.docker": 3,
            "cloud.kubernetes": 3, "ops.linux": 3,
        ]
        #expect(Self.found(text) == Found(levels: expected, negated: []))
        let mentions = BundledModel.extractor.extract(text).mentions
        let cert = try #require(mentions.first { $0.certificate == "cert.skill.ai-trainer.3" && $0.competency == nil })
        #expect(cert.text == "人工智能训练师（三级）" && cert.level == 4)
        let grants = Dictionary(uniqueKeysWithValues: mentions.filter { $0.source == .certificate && $0.competency != nil }
            .map { ($0.competency!, $0.level!) })
        #expect(grants == ["ai.data-labelling": 4, "ai.model-evaluation": 4, "ai.data-qa": 4, "ai.hci-design": 3,
                           "ai.model-training": 3, "ai.ai-product-ops": 3])
    }

    /// Taiwan vocabulary converts per character (資料庫 → 资料库), so the model lists the regional
    /// terms as aliases: the Taiwan text finds what the mainland text finds.
    @Test func taiwanVocabularyFindsTheSameCompetencies() {
        let mainland = "熟悉数据库管理与软件测试，具备程序设计能力，了解网络安全与算法设计"
        let taiwan = "熟悉資料庫管理與軟體測試，具備程式設計能力，了解網路安全與演算法設計"
        let expected: [String: Int?] = [
            "data.dba": 3, "prog.software-testing": 3, "prog.programming-fundamentals": nil,
            "sec.fundamentals": 2, "prog.data-structures": 2,
        ]
        #expect(Self.found(mainland) == Found(levels: expected, negated: []))
        #expect(Self.found(taiwan) == Found(levels: expected, negated: []))
        #expect(Self.found("精通人工智慧與雲端運算").levels == ["ai.fundamentals": 6, "cloud.fundamentals": 6])
    }

    /// 电工 (im.electrical) is a two-character alias: inside 机电工程师 or 发电工程 it is not a word.
    @Test(arguments: [
        ("招聘机电工程师，负责发电工程项目", false),
        ("招聘機電工程師", false),
        ("负责输电工程与变电工程的施工管理", false),
        ("持有电工证，熟悉电工操作", true),
        ("机电工程师：熟悉电工", true),
    ])
    func shortChineseAliasesDoNotFireInsideLongerWords(text: String, found: Bool) {
        #expect(Self.found(text).levels.keys.contains("im.electrical") == found, "\(Self.found(text))")
    }

    @Test func otherNotWithinWords() {
        #expect(Self.found("先做简单测试再上线").levels["prog.unit-testing"] == nil)
        #expect(Self.found("熟悉单测与压测").levels == ["prog.unit-testing": 3, "prog.performance-testing": 3])
        #expect(Self.found("测量电压测试电路").levels["prog.performance-testing"] == nil)
        #expect(Self.found("负责互联网管理平台").levels["tel.nms"] == nil)
    }

    /// "Go" is a cased alias: it matches as written, not the English verb.
    @Test(arguments: [
        ("熟悉Go、Python", ["prog.golang", "prog.python"]),
        ("熟悉Ｇｏ", ["prog.golang"]),
        ("精通Go语言", ["prog.golang"]),
        ("Golang developers wanted", ["prog.golang"]),
        ("Experience with Go and Rust", ["prog.golang"]),
        ("let's go! we go to market fast", []),
        ("a go-to person for Python", ["prog.python"]),
        ("Google search, MongoDB and Gobi", ["data.nosql"]),
    ])
    func goIsFoundOnlyAsTheLanguage(text: String, ids: [String]) {
        let found = Self.found(text).levels.keys
        #expect(found.contains("prog.golang") == ids.contains("prog.golang"), "\(Self.found(text))")
        for id in ids { #expect(found.contains(id), "\(id) in \(Self.found(text))") }
    }

    /// Negation covers the list its cue belongs to, not the next sentence or a positive clause.
    @Test(arguments: [
        ("不要求Java，C++", ["prog.java", "prog.cpp"], [String]()),
        ("不要求Java，以及C++和Go", ["prog.java", "prog.cpp", "prog.golang"], []),
        ("不要求Java，但需精通Python", ["prog.java"], ["prog.python"]),
        ("无需Java、C++经验；熟悉Python", ["prog.java", "prog.cpp"], ["prog.python"]),
        ("不需要Java/C++/Go基础，熟悉Python即可", ["prog.java", "prog.cpp", "prog.golang"], ["prog.python"]),
        ("精通Python，Java不要求", ["prog.java"], ["prog.python"]),
        ("No Java, C++ or Go required.", ["prog.java", "prog.cpp", "prog.golang"], []),
        ("No Java, C++ or Go required. Python, SQL", ["prog.java", "prog.cpp", "prog.golang"], ["prog.python", "data.sql"]),
        ("Java, C++ and Go are not required, but proficient in Python", ["prog.java", "prog.cpp", "prog.golang"], ["prog.python"]),
        ("No overtime, Python and SQL required", [], ["prog.python", "data.sql"]),
        ("Proficient in Python, Java is not required", ["prog.java"], ["prog.python"]),
    ])
    func negationCoversItsList(text: String, negated: [String], positive: [String]) {
        let found = Self.found(text)
        #expect(found.negated == Set(negated), "\(found)")
        #expect(Set(found.levels.keys) == Set(negated + positive), "\(found)")
    }
}
