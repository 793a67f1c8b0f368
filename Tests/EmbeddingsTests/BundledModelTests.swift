import Embeddings
import Foundation
import Testing

/// The bundled model `models/cn-digital-2022/v2`, loaded once (immutable, shared by the tests).
enum BundledModel {
    static let model: CompetencyModel = {
        do { return try CompetencyModel.load(from: Bundled.url) } catch { fatalError("bundled model does not load: \(error)") }
    }()
    static let extractor = Extractor(model: model)
    /// The latent space matchd serves with (built once per test process: seconds in a debug build).
    static let latent: LatentSpace = {
        do { return try LatentSpace.build(model: model, rank: LatentSpace.defaultRank) } catch { fatalError("latent space: \(error)") }
    }()
}

@Suite(.enabled(if: Bundled.isPresent, "the bundled model is not in this checkout"))
struct BundledModelTests {
    @Test func loadsAndValidatesWithoutProblems() {
        let problems = CompetencyModel.validate(directory: Bundled.url)
        #expect(problems.isEmpty, "\(problems.prefix(20))")
        let model = BundledModel.model
        #expect(model.manifest.id == "cn-digital-2022")
        #expect(model.competencies.count > 500)
        #expect(model.posts.count > 50)
        #expect(model.occupations.count > 1000)
        #expect(model.post(id: "2-02-38-01.cv") != nil)
        #expect(model.levels.ord(of: "中级") == 5)
        #expect(model.levels.ord(of: "高级工") == 4)
        #expect(model.levels.ord(of: "工程师") == 5)
        #expect(model.levels.ord(of: "精通") == 6)
        for (p, reqs) in model.postRequirements.enumerated() {
            #expect(abs(reqs.reduce(0) { $0 + $1.weight } - 1) < 1e-9, "\(model.posts[p].id)")
        }
    }

    /// The example sentence, checked by hand against the bundled files: 熟悉 → 3,
    /// 3年以上 → experienceYears 4, the intermediate AI-engineer certificate and its grants.
    @Test func theExamplePostingSentence() throws {
        let text = "熟悉PyTorch/TensorFlow，3年以上计算机视觉项目经验，持有人工智能工程技术人员（中级）证书"
        let mentions = BundledModel.extractor.extract(text).mentions
        func level(_ id: String, source: Mention.Source = .alias) -> Int?? {
            mentions.first { $0.competency == id && $0.source == source }.map(\.level)
        }
        #expect(level("ai.pytorch") == 3)
        #expect(level("ai.tensorflow") == 3)
        #expect(level("ai.cv") == 4)
        let cert = try #require(mentions.first { $0.certificate == "cert.dte.ai.2" && $0.competency == nil })
        #expect(cert.text == "人工智能工程技术人员（中级）")
        #expect(level("ai.deep-learning", source: .certificate) == 5)
        #expect(level("ai.cv", source: .certificate) == 4)
        #expect(mentions.allSatisfy { !$0.negated })
    }

    @Test func latentSpaceRelatesNeighbours() throws {
        let model = BundledModel.model
        let latent = BundledModel.latent
        func sim(_ a: String, _ b: String) -> Float { latent.similarity(a, b, in: model)! }
        #expect(sim("ai.pytorch", "ai.tensorflow") > sim("ai.pytorch", "ec.live-commerce") + 0.3)
        #expect(sim("ai.deep-learning", "ai.cv") > sim("ai.deep-learning", "ec.live-commerce") + 0.3)
    }

    @Test func aComputerVisionTalentIsNearestToTheComputerVisionPost() throws {
        let model = BundledModel.model
        let vz = Vectorizer(model: model, latent: BundledModel.latent, extractor: BundledModel.extractor)
        let talent = vz.searchVector(try vz.capabilities(for: ProfileInput(
            text: "精通PyTorch与计算机视觉，熟练使用Python和OpenCV，3年图像识别项目经验")))
        var best: (String, Float) = ("", -1)
        for post in model.posts {
            let v = vz.searchVector(try vz.requirements(for: PostingInput(postCode: post.id)))
            let s = zip(talent, v).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            if s > best.1 { best = (post.id, s) }
        }
        #expect(best.0.hasPrefix("2-02-38-01"), "best post \(best)")
    }
}
