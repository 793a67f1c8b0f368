import Benchmark
import Embeddings
import Foundation

/// Text → vector throughput on ~500-character mixed Chinese/English postings built from the
/// bundled model (the mini test model when the bundled one is absent). One thread.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal],
                                           maxDuration: .seconds(3), maxIterations: 1_000_000)

    Benchmark("embeddings/normalize len=500") { benchmark in
        let postings = Corpus.postings
        let normalizer = TextNormalizer.shared
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations { blackHole(normalizer.normalize(postings[i % postings.count])) }
    }

    Benchmark("embeddings/extract len=500") { benchmark in
        let postings = Corpus.postings
        let extractor = Corpus.extractor
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations { blackHole(extractor.extract(postings[i % postings.count])) }
    }

    Benchmark("embeddings/extract len=500 fuzzy=off") { benchmark in
        let postings = Corpus.postings
        let extractor = Corpus.extractorWithoutFuzzy
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations { blackHole(extractor.extract(postings[i % postings.count])) }
    }

    Benchmark("embeddings/posting-to-vector len=500 rank=\(LatentSpace.defaultRank)") { benchmark in
        let postings = Corpus.postings.map { PostingInput(text: $0) }
        let vectorizer = Corpus.vectorizer
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            // Every posting in the corpus vectorises without error.
            let profile = try! vectorizer.requirements(for: postings[i % postings.count])
            blackHole(vectorizer.searchVector(profile))
        }
    }

    Benchmark("embeddings/protected-attributes len=500") { benchmark in
        let postings = Corpus.postings
        let detector = ProtectedAttributes()
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations { blackHole(detector.findings(in: postings[i % postings.count])) }
    }
}

/// The benchmark corpus, built once per process.
enum Corpus {
    static let modelURL: URL = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let bundled = root.appendingPathComponent("models/cn-digital-2022/v1")
        if FileManager.default.fileExists(atPath: bundled.appendingPathComponent("posts.jsonl").path) { return bundled }
        return root.appendingPathComponent("Tests/Fixtures/models/mini/v1")
    }()

    static let model: CompetencyModel = {
        do { return try CompetencyModel.load(from: modelURL) } catch { fatalError("\(error)") }
    }()
    static let extractor = Extractor(model: model)
    static let extractorWithoutFuzzy: Extractor = {
        var configuration = Extractor.Configuration()
        configuration.fuzzy = false
        return Extractor(model: model, configuration: configuration)
    }()
    static let vectorizer: Vectorizer = {
        let latent = try? LatentSpace.build(model: model, rank: LatentSpace.defaultRank)
        return Vectorizer(model: model, latent: latent, extractor: extractor)
    }()

    /// 200 postings of about 500 scalars: Chinese duties and requirements with English terms,
    /// competency names and aliases drawn from the model, level cues, years, a negation and
    /// tool names the model does not know.
    static let postings: [String] = {
        var rng = Generator(seed: 42)
        let names: [String] = model.competencies.flatMap { [$0.name.zh, $0.name.en] + $0.aliases.all }
        func pick() -> String { names[Int(rng.next() % UInt64(names.count))] }
        let unknown = ["Jira", "Confluence", "Figma", "Notion", "飞书", "钉钉", "Visio", "Xmind"]
        var out: [String] = []
        for _ in 0..<200 {
            let years = 1 + Int(rng.next() % 8)
            var text = """
                岗位职责：
                1. 负责\(pick())相关系统的设计、开发与维护，参与\(pick())平台建设；
                2. 与产品、运营团队协作，推动\(pick())和\(pick())在业务中的落地；
                3. 跟踪\(pick())领域的新技术，持续优化系统性能与稳定性。
                任职要求：
                1. 本科及以上学历，计算机相关专业，\(years)年以上\(pick())开发经验；
                2. 熟练掌握\(pick())、\(pick())，熟悉\(pick())/\(pick())，了解\(pick())者优先；
                3. 有\(pick())或\(pick())项目经验，能使用\(unknown[Int(rng.next() % 8)])进行协作；
                4. 不要求\(pick())经验，English: proficient in \(pick()) and \(pick()), familiar with \(pick()).
                5. 具备良好的沟通能力、学习能力和团队合作精神，能承受一定的工作压力。
                """
            while text.unicodeScalars.count < 480 { text += "\n加分项：熟悉\(pick())，有\(pick())经验。" }
            out.append(text)
        }
        return out
    }()
}

/// SplitMix64, so the corpus is the same in every run.
struct Generator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
