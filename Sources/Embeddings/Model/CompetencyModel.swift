import Foundation

/// A loaded, validated post-competency model: immutable and indexed, shared by every request.
///
/// `competencies[i]` is dimension `i` of the exact part of every vector. Load one with
/// `CompetencyModel.load(from:)`; `validate(directory:)` lists every problem of a directory.
public final class CompetencyModel: Sendable {
    public let manifest: Manifest
    /// The ordinal scale with every scheme's labels.
    public let levels: LevelScale
    /// Array index = vector dimension index.
    public let competencies: [Competency]
    public let posts: [Post]
    public let certificates: [Certificate]
    public let courses: [Course]
    public let occupations: [Occupation]
    /// Market job titles of occupations without a post (`titles.jsonl`).
    public let occupationTitles: [OccupationTitles]
    /// `postRequirements[p]`: post `p`'s competencies with resolved weights (summing to 1) and levels.
    public let postRequirements: [[PostRequirement]]
    /// Competency index pairs listed in `related` (each unordered pair once, lower index first).
    public let relatedPairs: [(Int, Int)]

    let competencyIndex: [String: Int]
    let postIndex: [String: Int]
    let postByOccupation: [String: Int]
    let certificateIndex: [String: Int]
    let courseIndex: [String: Int]
    let occupationIndex: [String: Int]
    let lookupEntries: [LookupEntry]

    /// The number of competencies, the exact part's dimension.
    public var dimension: Int { competencies.count }

    init(manifest: Manifest, levels: [LevelLabel], competencies: [Competency], posts: [Post],
         certificates: [Certificate], courses: [Course], occupations: [Occupation], titles: [OccupationTitles] = []) {
        let normalizer = TextNormalizer.shared
        self.manifest = manifest
        self.levels = LevelScale(scale: manifest.scale, experienceYears: manifest.experienceYears, labels: levels,
                                 normalizer: normalizer)
        self.competencies = competencies
        self.posts = posts
        self.certificates = certificates
        self.courses = courses
        self.occupations = occupations
        self.occupationTitles = titles
        func firstIndex<T>(_ items: [T], _ key: (T) -> String) -> [String: Int] {
            var out: [String: Int] = [:]
            for (i, item) in items.enumerated() where out[key(item)] == nil { out[key(item)] = i }
            return out
        }
        let competencyIndex = firstIndex(competencies) { $0.id }
        self.competencyIndex = competencyIndex
        self.postIndex = firstIndex(posts) { $0.id }
        var byOccupation: [String: Int] = [:]
        for (i, post) in posts.enumerated() {
            if post.id == post.occupation || byOccupation[post.occupation] == nil { byOccupation[post.occupation] = i }
        }
        self.postByOccupation = byOccupation
        self.certificateIndex = firstIndex(certificates) { $0.id }
        self.courseIndex = firstIndex(courses) { $0.id }
        self.occupationIndex = firstIndex(occupations) { $0.code }
        self.postRequirements = posts.map { Self.resolveRequirements(of: $0, competencyIndex: competencyIndex) }

        var pairs = Set<[Int]>()
        for (i, c) in competencies.enumerated() {
            for r in c.related {
                guard let j = competencyIndex[r], j != i else { continue }
                pairs.insert([min(i, j), max(i, j)])
            }
        }
        self.relatedPairs = pairs.sorted { $0[0] != $1[0] ? $0[0] < $1[0] : $0[1] < $1[1] }.map { ($0[0], $0[1]) }

        var entries: [LookupEntry] = []
        func add(_ kind: ModelMatch.Kind, _ index: Int, _ id: String, _ name: LocalizedText, _ texts: [String]) {
            var seen = Set<String>()
            for text in [name.zh, name.en] + texts {
                let key = normalizer.key(text)
                guard !key.isEmpty, seen.insert(key).inserted else { continue }
                entries.append(LookupEntry(key: key, kind: kind, index: index, id: id, name: name, text: text))
            }
        }
        for (i, c) in competencies.enumerated() { add(.competency, i, c.id, c.name, c.aliases.all) }
        for (i, p) in posts.enumerated() { add(.post, i, p.id, p.name, p.aliases.all + [p.id]) }
        for (i, c) in certificates.enumerated() { add(.certificate, i, c.id, c.name, c.aliases.all) }
        for (i, l) in levels.enumerated() { add(.level, i, l.id, l.name, l.aliases.all) }
        self.lookupEntries = entries
    }

    /// `Σ function.weight / 100 × importance / Σ importance` per competency (summed over
    /// functions), with the highest level; functions without requirements contribute nothing.
    static func resolveRequirements(of post: Post, competencyIndex: [String: Int]) -> [PostRequirement] {
        var order: [String] = []
        var byID: [String: PostRequirement] = [:]
        for function in post.functions {
            let requirements = function.workItems.flatMap(\.requirements)
            let total = requirements.reduce(0) { $0 + max($1.importance, 0) }
            guard total > 0 else { continue }
            for r in requirements {
                guard let index = competencyIndex[r.competency] else { continue }
                let w = Double(function.weight) / 100 * Double(max(r.importance, 0)) / Double(total)
                if var existing = byID[r.competency] {
                    existing.weight += w
                    existing.level = max(existing.level, r.level)
                    byID[r.competency] = existing
                } else {
                    order.append(r.competency)
                    byID[r.competency] = PostRequirement(competency: r.competency, index: index, level: r.level, weight: w)
                }
            }
        }
        return order.map { byID[$0]! }
    }

    // MARK: Lookups by id

    public func competency(id: String) -> Competency? { competencyIndex[id].map { competencies[$0] } }
    /// The vector dimension of a competency.
    public func index(ofCompetency id: String) -> Int? { competencyIndex[id] }
    /// A post by id, or by bare occupation code (then the post whose id is the code, else the
    /// occupation's first direction in file order).
    public func post(id: String) -> Post? { postPosition(id: id).map { posts[$0] } }
    /// The index in `posts` of `post(id:)`.
    public func postPosition(id: String) -> Int? { postIndex[id] ?? postByOccupation[id] }
    public func certificate(id: String) -> Certificate? { certificateIndex[id].map { certificates[$0] } }
    public func course(id: String) -> Course? { courseIndex[id].map { courses[$0] } }
    public func occupation(code: String) -> Occupation? { occupationIndex[code].map { occupations[$0] } }
    /// A post's resolved requirements (weights summing to 1), by post id or occupation code.
    public func requirements(ofPost id: String) -> [PostRequirement]? { postPosition(id: id).map { postRequirements[$0] } }
}

/// One name or alias the model can be searched by.
struct LookupEntry: Sendable {
    let key: String
    let kind: ModelMatch.Kind
    let index: Int
    let id: String
    let name: LocalizedText
    let text: String
}

/// A hit of `CompetencyModel.lookup(_:limit:)`.
public struct ModelMatch: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case competency, post, certificate, level }
    public var kind: Kind
    public var id: String
    public var name: LocalizedText
    /// The name or alias that matched, as written in the model.
    public var matched: String
    /// 1 for an exact (folded) match; 0.7…0.8 for a prefix; 0.4…0.5 for a substring.
    public var score: Double
}

extension CompetencyModel {
    /// Posts, competencies, certificates and level labels whose zh/en name or alias matches
    /// `query` after normalisation (case, width, script): exact, then prefix, then substring.
    ///
    /// Score: exact 1; prefix `0.7 + 0.1 × |query| / |alias|`; substring `0.4 + 0.1 × |query| / |alias|`.
    /// Each entry appears once, with its best alias; ties go to competencies, posts,
    /// certificates, levels, then id.
    /// - Complexity: O(total names and aliases × query length).
    public func lookup(_ query: String, limit: Int = 10) -> [ModelMatch] {
        let q = TextNormalizer.shared.key(query)
        guard !q.isEmpty, limit > 0 else { return [] }
        let qCount = Double(q.unicodeScalars.count)
        var best: [String: ModelMatch] = [:]
        for entry in lookupEntries {
            let score: Double
            if entry.key == q {
                score = 1
            } else if entry.key.hasPrefix(q) {
                score = 0.7 + 0.1 * qCount / Double(entry.key.unicodeScalars.count)
            } else if entry.key.contains(q) {
                score = 0.4 + 0.1 * qCount / Double(entry.key.unicodeScalars.count)
            } else {
                continue
            }
            let slot = entry.kind.rawValue + "\u{0}" + entry.id
            if let existing = best[slot], existing.score >= score { continue }
            best[slot] = ModelMatch(kind: entry.kind, id: entry.id, name: entry.name, matched: entry.text, score: score)
        }
        let kindOrder = Dictionary(uniqueKeysWithValues: ModelMatch.Kind.allCases.enumerated().map { ($1, $0) })
        return best.values.sorted {
            if $0.score != $1.score { return $0.score > $1.score }
            if $0.kind != $1.kind { return kindOrder[$0.kind]! < kindOrder[$1.kind]! }
            return $0.id < $1.id
        }.prefix(limit).map { $0 }
    }
}
