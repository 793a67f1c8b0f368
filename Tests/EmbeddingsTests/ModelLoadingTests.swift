import Embeddings
import Foundation
import Testing
import TestSupport

@Suite struct ModelLoadingTests {
    let model = Mini.model

    @Test func miniModelLoadsWithItsEntries() throws {
        #expect(model.manifest.id == "mini")
        #expect(model.competencies.count == 16)
        #expect(model.posts.count == 5)
        #expect(model.certificates.count == 2)
        #expect(model.courses.count == 4)
        #expect(model.occupations.count == 5)
        #expect(model.levels.labels.count == 22)
        #expect(model.index(ofCompetency: "ai.pytorch") == 0)
        #expect(model.index(ofCompetency: "ecom.operations") == 15)
        #expect(model.competency(id: "cloud.kubernetes")?.aliases.en == ["k8s"])
        #expect(model.certificate(id: "cert.cka")?.grants == [CompetencyLevel(competency: "cloud.kubernetes", level: 5)])
        #expect(model.course(id: "course.ai.tf-basics")?.hours == 24)
        #expect(model.competency(id: "nope") == nil)
        #expect(CompetencyModel.validate(directory: Mini.url).isEmpty)
    }

    @Test func postByIdOrBareOccupationCode() {
        #expect(model.post(id: "2-02-38-01.nlp")?.id == "2-02-38-01.nlp")
        // No post has the bare id 2-02-38-01: the occupation's first direction in file order.
        #expect(model.post(id: "2-02-38-01")?.id == "2-02-38-01.cv")
        #expect(model.post(id: "2-02-38-04")?.id == "2-02-38-04")
        #expect(model.post(id: "9-99-99-99") == nil)
    }

    /// 2-02-38-01.cv by hand: functions 40 (importance 3+2+3 = 8), 40 (3+2 = 5), 20 (1+1+2 = 4).
    @Test func postRequirementWeightsFollowTheReadmeFormula() throws {
        let reqs = try #require(model.requirements(ofPost: "2-02-38-01.cv"))
        let byID = Dictionary(uniqueKeysWithValues: reqs.map { ($0.competency, $0) })
        let expected: [String: (Double, Int)] = [
            "ai.pytorch": (0.4 * 3 / 8, 5), "ai.tensorflow": (0.4 * 2 / 8, 4), "ai.deep-learning": (0.4 * 3 / 8, 5),
            "ai.computer-vision": (0.4 * 3 / 5, 5),
            // required in two functions: weights add, the highest level wins
            "prog.python": (0.4 * 2 / 5 + 0.2 * 2 / 4, 6),
            "cloud.docker": (0.2 / 4, 4), "cloud.kubernetes": (0.2 / 4, 3),
        ]
        #expect(byID.count == expected.count)
        for (id, (weight, level)) in expected {
            let r = try #require(byID[id], "\(id)")
            #expect(abs(r.weight - weight) < 1e-12, "\(id)")
            #expect(r.level == level, "\(id)")
            #expect(r.index == model.index(ofCompetency: id))
        }
        #expect(abs(reqs.reduce(0) { $0 + $1.weight } - 1) < 1e-12)
    }

    @Test(arguments: [
        ("中级", nil, 5), ("中级工", nil, 3), ("高级工", nil, 4), ("三级", nil, 4), ("工程师", nil, 5),
        ("精通", nil, 6), ("proficient", nil, 5), ("ＰＲＯＦＩＣＩＥＮＴ", nil, 5), ("熟練", nil, 5),
        ("初级", nil, 4), ("初级", "title", 4), ("高级", "engineer", 6), ("engineer.2", nil, 5),
    ] as [(String, String?, Int)])
    func levelLabelsResolveToOrds(label: String, scheme: String?, ord: Int) {
        #expect(model.levels.ord(of: label, scheme: scheme.flatMap(LevelLabel.Scheme.init(rawValue:))) == ord)
    }

    @Test func levelResolutionIsSchemeAware() {
        #expect(model.levels.ord(of: "中级", scheme: .skill) == nil)
        #expect(model.levels.ord(of: "中级工", scheme: .skill) == 3)
        #expect(model.levels.ord(of: "nonsense") == nil)
        #expect(model.levels.labels(matching: "初级").map(\.id).sorted() == ["engineer.1", "title.assistant"])
        #expect(model.levels.ord(forYears: 0) == 2)
        #expect(model.levels.ord(forYears: 2.5) == 3)
        #expect(model.levels.ord(forYears: 3) == 4)
        #expect(model.levels.ord(forYears: 20) == 6)
        #expect(model.levels.name(ofOrd: 5)?.zh == "熟练")
    }

    @Test func lookupRanksExactThenPrefixThenSubstring() throws {
        let torch = model.lookup("ＰｙＴｏｒｃｈ", limit: 5)
        #expect(torch.first?.id == "ai.pytorch")
        #expect(torch.first?.score == 1)
        let cv = model.lookup("计算机视觉", limit: 10)
        #expect(cv.map(\.id).prefix(2) == ["ai.computer-vision", "2-02-38-01.cv"])
        #expect(cv[1].kind == .post && cv[1].score < 1 && cv[1].score > 0.7)
        let senior = model.lookup("高级工", limit: 10)
        #expect(senior.first?.kind == .level && senior.first?.id == "skill.3")
        // traditional script and the post's bare code
        #expect(model.lookup("計算機視覺", limit: 1).first?.id == "ai.computer-vision")
        #expect(model.lookup("2-02-38-04", limit: 1).first?.id == "2-02-38-04")
        #expect(model.lookup("cka", limit: 3).first?.id == "cert.cka")
        #expect(model.lookup("", limit: 3).isEmpty)
        #expect(model.lookup("java", limit: 10).map(\.id).prefix(2) == ["prog.java", "prog.javascript"])
    }
}
