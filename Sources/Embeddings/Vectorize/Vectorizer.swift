import Matcher

/// Turns postings, profiles and courses into competency profiles and search vectors of one space.
///
/// ## Requirements of a posting (`requirements(for:)`)
/// Each competency gathers raw weights from three sources:
/// - **explicit** `requirements[k]`: `weight ?? 1` at `level ?? posting.level ?? defaultRequirementLevel`;
/// - **text**: every competency the extractor finds (negated mentions excluded) adds 1, at the
///   highest level its mentions give, else `posting.level ?? defaultRequirementLevel`;
/// - **post template** (`postCode`): each resolved requirement `r` of the post (weights `w_r`
///   summing to 1) adds `w_r × T`, `T` = the number of template requirements (an average template
///   requirement weighs as much as one explicit one), at `clamp(level_r + posting.level −
///   referenceLevel, 1, max)` (no shift without `posting.level`).
///
/// `level` = the explicit level when there is one, else the highest level of the other sources.
/// A competency the text negates and that is not explicit is dropped, from the template too.
/// `weight_i = raw_i / Σ raw`.
///
/// ## Capabilities of a person (`capabilities(for:)`)
/// Each piece of evidence claims a level `ℓ_e` with a trust factor `f_e`; a competency's
/// effective level is `max_e f_e × ℓ_e`. Factors (`Configuration`): verified skill 1.0,
/// certificate 1.0 (at its granted levels), completed course 0.9 (at its taught levels),
/// self-declared skill 0.8, experience text 0.7 (level from the text's cue, else the entry's
/// `years` through `experienceYears`, else 3), free text 0.6 (level from its cue, else 3); text
/// factors are multiplied by the mention's confidence (below 1 for fuzzy matches), and a
/// certificate named in text counts as the certificate.
///
/// ## Search vectors (`searchVector`)
/// Exact part `e ∈ ℝ^N` (N competencies): a requirement profile puts `weight_i`, a capability
/// profile `level_i / max` (the scale's max). Latent part `z = Σ_i e_i L_i` (`LatentSpace`).
/// The vector is `[√(1−α) · e/‖e‖, √α · z/‖z‖]`, α = `latentWeight` (0.3), so it has unit length and
/// `cos(v, v′) = (1−α) cos(e, e′) + α cos(z, z′)`: one space for talents and jobs, searched
/// with cosine either way. Without a latent space (or when `z = 0`) that part is zero. An empty
/// profile gives the zero vector. `dimension = N + rank`.
public struct Vectorizer: Sendable {
    /// The most years of experience a profile entry may claim (`openapi.yaml` says the same).
    public static let maxExperienceYears = 60.0

    public struct Configuration: Sendable {
        /// α, the latent part's share of the cosine.
        public var latentWeight: Double = 0.3
        /// The level of a requirement that names none, when the posting has no `level`.
        public var defaultRequirementLevel: Int = 5
        public var verifiedSkillFactor: Double = 1.0
        public var certificateFactor: Double = 1.0
        public var courseFactor: Double = 0.9
        public var declaredSkillFactor: Double = 0.8
        public var experienceFactor: Double = 0.7
        public var textFactor: Double = 0.6
        /// The level of a competency found in experience or free text with no cue and no years.
        public var defaultTextLevel: Int = 3
        public init() {}
    }

    public let model: CompetencyModel
    public let latent: LatentSpace?
    public let extractor: Extractor
    public let configuration: Configuration

    public init(model: CompetencyModel, latent: LatentSpace?, extractor: Extractor? = nil,
                configuration: Configuration = Configuration()) {
        self.model = model
        self.latent = latent
        self.extractor = extractor ?? Extractor(model: model)
        self.configuration = configuration
    }

    /// `N + rank`.
    public var dimension: Int { model.dimension + (latent?.rank ?? 0) }

    private var maxLevel: Int { max(model.levels.max, 1) }

    private func checkLevel(_ level: Int, field: String) throws(EmbeddingsError) {
        guard level >= 1, level <= maxLevel else {
            throw .invalidValue(field: field, message: "level \(level) is outside 1…\(maxLevel)")
        }
    }

    private func competencyIndex(_ id: String, field: String) throws(EmbeddingsError) -> Int {
        guard let i = model.index(ofCompetency: id) else { throw .unknownCompetency(field: field, id: id) }
        return i
    }

    // MARK: Requirements

    public func requirements(for posting: PostingInput) throws(EmbeddingsError) -> RequirementProfile {
        if let level = posting.level { try checkLevel(level, field: "level") }
        let baseLevel = posting.level ?? configuration.defaultRequirementLevel
        struct Acc {
            let index: Int
            var raw = 0.0
            var explicitLevel: Int?
            var otherLevel = 0
            var sources: [RequirementProfile.Source] = []
            var explicit = false, negated = false, affirmed = false
            /// The highest level the text gives (0: found without a level) and its first span.
            var textLevel: Int?
            var textSpan: TextSpan?
            /// Negated by the text and neither explicit nor affirmed: left out, from the template too.
            var isDropped: Bool { negated && !explicit && !affirmed }
        }
        // One accumulator per competency met, found through a dense slot table (hashing the
        // indices cost more than the rest of this function).
        var slot = [Int32](repeating: -1, count: model.competencies.count)
        var accs: [Acc] = []
        accs.reserveCapacity(32)
        func acc(_ i: Int) -> Int {
            if slot[i] < 0 {
                slot[i] = Int32(accs.count)
                accs.append(Acc(index: i))
            }
            return Int(slot[i])
        }
        for (k, r) in posting.requirements.enumerated() {
            let field = "requirements[\(k)]"
            let i = try competencyIndex(r.competency, field: field + ".competency")
            let level = r.level ?? baseLevel
            if r.level != nil { try checkLevel(level, field: field + ".level") }
            let weight = r.weight ?? 1
            guard weight > 0, weight.isFinite else {
                throw .invalidValue(field: field + ".weight", message: "weight \(weight) must be a positive number")
            }
            let a = acc(i)
            accs[a].raw += weight
            accs[a].explicitLevel = max(accs[a].explicitLevel ?? 0, level)
            accs[a].sources.append(.init(kind: .explicit, field: field, level: level, weight: weight))
            accs[a].explicit = true
        }
        if let text = posting.text, !text.isEmpty {
            // The extractor's plain findings: no mention texts are cut out here.
            let found = extractor.find(text)
            for item in found.items where item.competency >= 0 {
                let a = acc(Int(item.competency))
                if item.negated { accs[a].negated = true; continue }
                accs[a].affirmed = true
                accs[a].textLevel = max(accs[a].textLevel ?? 0, max(item.level, 0))
                if accs[a].textSpan == nil { accs[a].textSpan = found.span(item.start, item.end) }
            }
            for a in accs.indices {
                guard let l = accs[a].textLevel else { continue }
                let level = l > 0 ? l : baseLevel
                accs[a].raw += 1
                accs[a].otherLevel = max(accs[a].otherLevel, level)
                accs[a].sources.append(.init(kind: .text, field: "text", span: accs[a].textSpan, level: level, weight: 1))
            }
        }
        var postID: String?
        if let code = posting.postCode {
            guard let p = model.postPosition(id: code) else { throw .unknownPost(field: "postCode", id: code) }
            let post = model.posts[p]
            postID = post.id
            let template = model.postRequirements[p]
            let shift = posting.level.map { $0 - post.referenceLevel } ?? 0
            let t = Double(template.count)
            for r in template {
                let level = min(max(r.level + shift, 1), maxLevel)
                let a = acc(r.index)
                accs[a].raw += r.weight * t
                accs[a].otherLevel = max(accs[a].otherLevel, level)
                accs[a].sources.append(.init(kind: .post, post: post.id, level: level, weight: r.weight * t))
            }
        }
        var dropped: [Int] = []
        var total = 0.0
        for a in accs {
            if a.isDropped { dropped.append(a.index) } else { total += a.raw }
        }
        var entries: [RequirementProfile.Entry] = []
        entries.reserveCapacity(accs.count)
        for a in accs where !a.isDropped {
            entries.append(RequirementProfile.Entry(competency: model.competencies[a.index].id, index: a.index,
                                                    level: a.explicitLevel ?? a.otherLevel,
                                                    weight: total > 0 ? a.raw / total : 0, sources: a.sources))
        }
        entries.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.index < $1.index }
        return RequirementProfile(entries: entries, post: postID,
                                  excluded: dropped.sorted().map { model.competencies[$0].id })
    }

    // MARK: Capabilities

    public func capabilities(for profile: ProfileInput) throws(EmbeddingsError) -> CapabilityProfile {
        var evidence: [Int: [CapabilityProfile.Evidence]] = [:]
        let c = configuration
        for (k, s) in profile.skills.enumerated() {
            let field = "skills[\(k)]"
            let i = try competencyIndex(s.competency, field: field + ".competency")
            try checkLevel(s.level, field: field + ".level")
            evidence[i, default: []].append(.init(kind: s.verified ? .verifiedSkill : .declaredSkill, field: field,
                                                  level: s.level, factor: s.verified ? c.verifiedSkillFactor : c.declaredSkillFactor))
        }
        for (k, id) in profile.certificates.enumerated() {
            guard let cert = model.certificate(id: id) else { throw .unknownCertificate(field: "certificates[\(k)]", id: id) }
            for g in cert.grants {
                guard let i = model.index(ofCompetency: g.competency) else { continue }
                evidence[i, default: []].append(.init(kind: .certificate, field: "certificates[\(k)]", reference: id,
                                                      level: g.level, factor: c.certificateFactor))
            }
        }
        for (k, id) in profile.completedCourses.enumerated() {
            guard let course = model.course(id: id) else { throw .unknownCourse(field: "completedCourses[\(k)]", id: id) }
            for t in course.teaches {
                guard let i = model.index(ofCompetency: t.competency) else { continue }
                evidence[i, default: []].append(.init(kind: .course, field: "completedCourses[\(k)]", reference: id,
                                                      level: t.level, factor: c.courseFactor))
            }
        }
        for (k, e) in profile.experience.enumerated() {
            let field = "experience[\(k)]"
            if let years = e.years, !(0...Self.maxExperienceYears).contains(years) {
                throw .invalidValue(field: field + ".years", message: "years \(years) must be 0 to \(Int(Self.maxExperienceYears))")
            }
            let fallback = e.years.flatMap { model.levels.ord(forYears: $0) } ?? c.defaultTextLevel
            addText(e.text, field: field + ".text", kind: .experience, factor: c.experienceFactor, fallback: fallback,
                    into: &evidence)
        }
        if let text = profile.text, !text.isEmpty {
            addText(text, field: "text", kind: .text, factor: c.textFactor, fallback: c.defaultTextLevel, into: &evidence)
        }
        return makeProfile(from: evidence)
    }

    private func addText(_ text: String, field: String, kind: CapabilityProfile.Evidence.Kind, factor: Double,
                         fallback: Int, into evidence: inout [Int: [CapabilityProfile.Evidence]]) {
        // The extractor's plain findings, as for requirements: no mention texts are cut out.
        let found = extractor.find(text)
        for m in found.items where !m.negated && m.competency >= 0 {
            // A certificate named in text counts as the certificate, at its grant level.
            let isGrant = m.source == .certificate
            evidence[Int(m.competency), default: []].append(
                .init(kind: isGrant ? .certificate : kind, field: field,
                      reference: m.certificate >= 0 ? model.certificates[Int(m.certificate)].id : nil,
                      span: found.span(m.start, m.end), level: m.level >= 0 ? m.level : fallback,
                      factor: (isGrant ? configuration.certificateFactor : factor) * (isGrant ? 1 : m.confidence)))
        }
    }

    private func makeProfile(from evidence: [Int: [CapabilityProfile.Evidence]]) -> CapabilityProfile {
        var entries = evidence.map { i, list in
            CapabilityProfile.Entry(competency: model.competencies[i].id, index: i,
                                    level: list.map { $0.factor * Double($0.level) }.max() ?? 0, evidence: list)
        }
        entries.sort { $0.level != $1.level ? $0.level > $1.level : $0.index < $1.index }
        return CapabilityProfile(entries: entries)
    }

    /// What a course teaches, as a capability profile (factor 1: the course's own levels).
    /// - Throws: `unknownCompetency` naming `teaches[k].competency`, `invalidValue` for a level
    ///   outside the scale.
    public func teaching(of course: Course) throws(EmbeddingsError) -> CapabilityProfile {
        var evidence: [Int: [CapabilityProfile.Evidence]] = [:]
        for (k, t) in course.teaches.enumerated() {
            let i = try competencyIndex(t.competency, field: "teaches[\(k)].competency")
            try checkLevel(t.level, field: "teaches[\(k)].level")
            evidence[i, default: []].append(.init(kind: .course, field: "teaches[\(k)]", reference: course.id,
                                                  level: t.level, factor: 1))
        }
        return makeProfile(from: evidence)
    }

    // MARK: Vectors

    /// The search vector of a posting's requirements (see the type's documentation).
    public func searchVector(_ requirements: RequirementProfile) -> [Float] {
        var exact = [Float](repeating: 0, count: model.dimension)
        for e in requirements.entries { exact[e.index] += Float(e.weight) }
        return combine(exact)
    }

    /// The search vector of a person's or a course's capabilities.
    public func searchVector(_ capabilities: CapabilityProfile) -> [Float] {
        var exact = [Float](repeating: 0, count: model.dimension)
        let scale = Float(maxLevel)
        for e in capabilities.entries { exact[e.index] = max(exact[e.index], Float(e.level) / scale) }
        return combine(exact)
    }

    /// `[√(1−α) e/‖e‖, √α z/‖z‖]`.
    func combine(_ exact: [Float]) -> [Float] {
        let rank = latent?.rank ?? 0
        var out = [Float](repeating: 0, count: exact.count + rank)
        var norm: Float = 0
        for x in exact { norm += x * x }
        guard norm > 0 else { return out }
        let alpha = Float(min(max(configuration.latentWeight, 0), 1))
        let exactScale = (1 - alpha).squareRoot() / norm.squareRoot()
        for i in exact.indices { out[i] = exact[i] * exactScale }
        if let latent, rank > 0 {
            var entries: [(index: Int, weight: Float)] = []
            for (i, x) in exact.enumerated() where x != 0 { entries.append((i, x)) }
            let z = latent.embed(sparse: entries)
            var zn: Float = 0
            for x in z { zn += x * x }
            if zn > 0 {
                let s = alpha.squareRoot() / zn.squareRoot()
                for r in 0..<rank { out[exact.count + r] = z[r] * s }
            }
        }
        return out
    }
}
