@testable import Embeddings
import TestSupport
import Testing

@Suite struct ProtectedAttributesTests {
    static let detector = ProtectedAttributes()

    @Test(arguments: [
        ("限男性，熟悉Python", ProtectedAttributes.Category.gender, "限男性"),
        ("男性优先", .gender, "男性优先"),
        ("性别：女", .gender, "性别：女"),
        ("35岁以下", .age, "35岁"),
        ("年龄25-35", .age, "年龄25"),
        ("年龄：不超过30周岁", .age, "年龄：不超过"),
        ("已婚已育者优先", .maritalStatus, "已婚已育"),
        ("本地户口", .householdRegistration, "户口"),
        ("要求上海户籍", .householdRegistration, "户籍"),
        ("汉族", .ethnicity, "汉族"),
        ("Male only", .gender, "Male only"),
        ("female candidates preferred", .gender, "female candidates preferred"),
        ("Applicants under 35", .age, "under 35"),
        ("aged 25-35", .age, "aged 25"),
        ("must be unmarried", .maritalStatus, "unmarried"),
        ("local hukou required", .householdRegistration, "hukou"),
        ("限男性", .gender, "限男性"),
        ("ＭＡＬＥ ＯＮＬＹ", .gender, "ＭＡＬＥ ＯＮＬＹ"),
    ] as [(String, ProtectedAttributes.Category, String)])
    func demandsAreFound(text: String, category: ProtectedAttributes.Category, span: String) throws {
        let found = Self.detector.findings(in: text)
        let f = try #require(found.first, "\(text)")
        #expect(f.category == category, "\(text)")
        #expect(f.text == span, "\(text)")
        let scalars = Array(text.unicodeScalars)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[f.span.start..<f.span.end])
        #expect(String(view) == span)
    }

    @Test(arguments: [
        "3年以上经验", "5年以上Python开发经验", "男女不限", "年龄不限，户籍不限", "负责女装运营", "男装品类",
        "over 5 years of experience", "more than 10 years of Python experience", "We do not discriminate regardless of age, gender or marital status.",
        "Under 10 people in the team", "above 50 employees", "熟悉PyTorch/TensorFlow，3年以上计算机视觉项目经验",
        "single sign-on and single-page apps", "1-3年工作经验，本科以上学历", "2024年入职",
        "equal opportunity employer: race, ethnicity and marital status are irrelevant",
    ])
    func ordinaryPhrasesAreNotFlagged(text: String) {
        #expect(Self.detector.findings(in: text).isEmpty, "\(text): \(Self.detector.findings(in: text))")
    }

    @Test func severalFindingsInOnePosting() {
        let found = Self.detector.findings(in: "招聘算法工程师：男性优先，35岁以下，已婚已育，本地户口。熟悉Python。")
        #expect(found.map(\.category) == [.gender, .age, .maritalStatus, .householdRegistration])
    }

    /// The trigger shortcut (rules run only on text holding one of their fragments) changes no
    /// finding: random postings assembled from demands, exemptions, near misses and ordinary
    /// phrases, screened with and without it.
    @Test func triggersChangeNoFinding() {
        let pieces = [
            "限男性", "男性优先", "性别：女", "35岁以下", "年龄25-35", "已婚已育者优先", "本地户口", "要求上海户籍", "汉族",
            "Male only", "female candidates preferred", "Applicants under 35", "aged 25-35", "must be unmarried",
            "local hukou required", "ＭＡＬＥ ＯＮＬＹ", "男女不限", "年龄不限，户籍不限", "负责女装运营", "over 5 years of experience",
            "We do not discriminate regardless of age, gender or marital status.", "Under 10 people in the team",
            "熟悉PyTorch/TensorFlow", "3年以上计算机视觉项目经验", "Manager of the women's wear line", "overall ownership",
            "agent platforms", "golden path", "育儿平台产品经理", "婚礼策划", "少数民族语言翻译", "No children's products",
            "family planning app", "hukou", "Household registration: Beijing", "older than 40", "民族：汉", "单身公寓运营",
            "only women", "must be a man", "20 to 30 years old", "Age limit: 35", "ethnic Han preferred", "not pregnant",
            "，", "。", "\n", " ", "负责后端开发", "Kubernetes", "本科及以上学历",
        ]
        let plain = ProtectedAttributes(usesTriggers: false)
        let fast = ProtectedAttributes(usesTriggers: true)
        var rng = SplitMix64(seed: 2026_12_01)
        var flagged = 0
        for _ in 0..<400 {
            var text = ""
            for _ in 0..<Int.random(in: 1...12, using: &rng) {
                text += pieces.randomElement(using: &rng)! + [" ", "，", "。", "\n", "; ", ""].randomElement(using: &rng)!
            }
            let expected = plain.findings(in: text)
            flagged += expected.isEmpty ? 0 : 1
            #expect(fast.findings(in: text) == expected, "\(text)")
        }
        #expect(flagged > 100, "the corpus should hold demands")
    }
}
