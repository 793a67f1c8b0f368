import Embeddings
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
}
