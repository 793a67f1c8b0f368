import Matcher

/// Codes a job title (and optionally its description) to an occupation of the classification.
///
/// Built once per model, immutable, `Sendable`. Every level-4 occupation of `occupations.tsv` can
/// be chosen, digital or not; the vocabulary is the model's own: each occupation's official name,
/// definition and tasks, the names and market aliases of its posts, and the market titles of
/// `titles.jsonl`.
///
/// **How a title is scored** (`classify`). `TitleReader` first cuts out cities, salaries,
/// urgency, work type and level words. Then, for every occupation `o`, with `s_x ∈ [0, 1]`:
///
/// `score(o) = w_title · title + w_contains · contains + w_similar · similar + w_context · context
///           + w_definition · definition + w_competencies · competencies`
///
/// - `title`: 1 when the head or one of its pieces *is* a name or market title of `o` (spaces ignored);
/// - `contains`: the best name or title of `o` found inside a piece, `√(length / piece length)`,
///   times `containsInsideFactor` unless it ends the piece (head-final: 运营 in 抖音直播运营);
/// - `similar`: the TF-IDF cosine of the head with the best name or title of `o` (`NGramIndex`,
///   with end tokens), averaged with its second best at `similarSecondFactor`; `context`: the same for bracketed parts;
/// - `definition`: the TF-IDF cosine of head, context and description with `o`'s name,
///   definition and tasks;
/// - `competencies`: the best cosine, through `Matcher`, between the requirement vector the
///   extractor reads from title, context and description (`Vectorizer`, text only) and the
///   requirement vectors of `o`'s posts; 0 when no competency is read.
///
/// The **confidence** of a candidate is `σ(a · score + b · margin + c)`, `margin` its score minus the
/// best other candidate's, with `a, b, c` fitted on the development split of the labelled titles
/// (`Configuration.calibration`). Below `threshold` the answer is unknown.
public struct OccupationCoder: Sendable {
    public struct Configuration: Sendable {
        /// Weights chosen by top-1 on the dev titles (`quality classify --set name=value`).
        public var titleWeight: Double = 1.0
        public var containsWeight: Double = 0.6
        public var containsInsideFactor: Double = 0.6
        public var similarWeight: Double = 0.5
        /// `similar` also counts the second-best title of an occupation, at this factor (top-3 +1 point on dev).
        public var similarSecondFactor: Double = 0.5
        public var contextWeight: Double = 0.25
        public var definitionWeight: Double = 0.7
        public var competenciesWeight: Double = 1.2
        /// `(a, b, c)` of the confidence, and the threshold that keeps 0.90 of dev answers right:
        /// `quality classify --fit --target-precision 0.90`, fitted before the v2 market titles were
        /// aligned with the dev split's conventions (a refit after it answers a zero score with 0.57:
        /// the dev titles no longer hold enough wrong answers to calibrate on; `benchmarks/results/classify-dev.md`).
        public var calibration: (Double, Double, Double) = (0.710, 1.508, -0.263)
        /// Answers below this confidence are "unknown".
        public var threshold: Double = 0.678
        /// At most this many description tokens (the most informative) are scored against definitions.
        public var descriptionTokens: Int = 48
        public init() {}
    }

    public let model: CompetencyModel
    public let configuration: Configuration
    let vectorizer: Vectorizer
    let reader: TitleReader
    let normalizer = TextNormalizer.shared

    // The occupations that can be chosen: the classification's, plus post occupations it lacks.
    let codes: [String]
    let names: [String]
    let digital: [Bool]
    // Names and market titles ("entries").
    let entryOccupation: [Int32]
    let entryPost: [Int32]
    let entryText: [String]
    let entryKind: [EntryKind]
    let exact: [String: [Int32]]
    let containTrie: AliasTrie
    let titleIndex: NGramIndex
    let definitionIndex: NGramIndex
    /// Post vectors through Matcher (id = post position) and each post's occupation.
    let posts: IndexSnapshot?
    let postOccupation: [Int32]

    enum EntryKind: Sendable { case name, post, title }

    public init(model: CompetencyModel, vectorizer: Vectorizer, configuration: Configuration = Configuration()) {
        self.model = model
        self.configuration = configuration
        self.vectorizer = vectorizer
        self.reader = TitleReader(levels: model.levels)
        var codes = model.occupations.map(\.code)
        var names = model.occupations.map(\.name)
        var digital = model.occupations.map(\.isDigital)
        var position = Dictionary(codes.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { a, _ in a })
        var definitions = model.occupations.map { [$0.name, $0.definition, $0.tasks].joined(separator: " ") }
        for post in model.posts where position[post.occupation] == nil {
            // An occupation announced after the edition (4-04-05-13): coded through its post.
            position[post.occupation] = Int32(codes.count)
            codes.append(post.occupation)
            names.append(post.name.zh)
            digital.append(true)
            definitions.append(post.name.zh)
        }

        var entryOccupation: [Int32] = [], entryPost: [Int32] = [], entryText: [String] = [], entryKind: [EntryKind] = []
        var keys: [[UInt32]] = []
        var seen = Set<String>()
        let normalizer = TextNormalizer.shared
        func add(_ text: String, _ occupation: Int32, _ post: Int32, _ kind: EntryKind) {
            let key = normalizer.key(text)
            guard !key.isEmpty, seen.insert("\(occupation)\u{0}\(key)").inserted else { return }
            entryOccupation.append(occupation); entryPost.append(post); entryText.append(text); entryKind.append(kind)
            keys.append(Array(key.unicodeScalars.map(\.value)))
        }
        for (o, occupation) in model.occupations.enumerated() { add(occupation.name, Int32(o), -1, .name) }
        for (p, post) in model.posts.enumerated() {
            let o = position[post.occupation]!
            for text in [post.name.zh, post.name.en] + post.aliases.all { add(text, o, Int32(p), .post) }
        }
        for titles in model.occupationTitles {
            guard let o = position[titles.occupation] else { continue }
            for text in titles.aliases.all { add(text, o, -1, .title) }
        }
        var exact: [String: [Int32]] = [:]
        var compact: [[UInt32]] = []
        for (e, key) in keys.enumerated() {
            let c = key.filter { $0 != 0x20 }
            compact.append(c)
            exact[Self.string(c), default: []].append(Int32(e))
        }
        self.codes = codes
        self.names = names
        self.digital = digital
        self.entryOccupation = entryOccupation
        self.entryPost = entryPost
        self.entryText = entryText
        self.entryKind = entryKind
        self.exact = exact
        self.containTrie = AliasTrie(patterns: compact, payloads: compact.indices.map { Int32($0) })
        self.titleIndex = NGramIndex(documents: keys, marksEnds: true)
        self.definitionIndex = NGramIndex(documents: definitions.map { Array(TextNormalizer.shared.key($0).unicodeScalars.map(\.value)) },
                                          marksEnds: false)

        // Each post's requirement vector, searched through Matcher.
        var postOccupation: [Int32] = []
        var ids: [UInt64] = [], vectors: [[Float]] = []
        for (p, post) in model.posts.enumerated() {
            postOccupation.append(position[post.occupation]!)
            guard let needs = try? vectorizer.requirements(for: PostingInput(postCode: post.id)) else { continue }
            let v = vectorizer.searchVector(needs)
            if v.contains(where: { $0 != 0 }) { ids.append(UInt64(p)); vectors.append(v) }
        }
        self.postOccupation = postOccupation
        if !ids.isEmpty, let index = try? FlatIndex(dimension: vectorizer.dimension, metric: .cosine),
           let snapshot = try? index.upsert(ids: ids, vectors: vectors) {
            self.posts = snapshot
        } else {
            self.posts = nil
        }
    }

    /// The number of occupations that can be chosen.
    public var occupationCount: Int { codes.count }

    static func string(_ scalars: some Sequence<UInt32>) -> String {
        var view = String.UnicodeScalarView()
        for v in scalars { view.append(Unicode.Scalar(v)!) }
        return String(view)
    }
}
