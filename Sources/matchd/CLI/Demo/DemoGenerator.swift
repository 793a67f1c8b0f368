import Embeddings
import Foundation

/// Generates a realistic synthetic dataset from a model: talents and job postings spread over
/// cities, posts, levels, salaries and the last 18 months. No real people: names are "候选人 #n",
/// contacts use the reserved `example.invalid` domain. Seeded, so the same seed and `now` give the
/// same data.
///
/// The market view must show something true of its inputs, so the generator builds in patterns
/// a report can find and a naive loop can confirm:
/// - **Regions.** Every mainland city of tiers 1–3 in `Regions` (52 cities in 27 provinces), weighted
///   by tier; pay scales with the tier (1.25, 1.0, 0.85).
/// - **Months.** Postings and registrations spread over 18 months, more in later ones (the market
///   grows); postings older than three months are mostly closed, 15–90 days after they opened.
/// - **Rising posts.** Every ninth post of the model is "rising": its share of postings grows six-fold
///   over the 18 months while a quarter as many talents aim at it as at any other post, so its
///   shortage index and its competencies' demand rise.
struct DemoGenerator {
    /// The demo's cities: tiers 1–3 of `Regions`, with a weight and a salary multiplier per tier.
    static let cities: [(name: String, weight: Double, pay: Double)] = Regions.all.filter { $0.tier <= 3 && !["香港", "澳门", "台湾"].contains($0.province) }.map {
        ($0.city, [1: 12.0, 2: 4.0, 3: 1.5][$0.tier]!, [1: 1.25, 2: 1.0, 3: 0.85][$0.tier]!)
    }
    /// Months of history.
    static let months = 18
    static let companySuffixes = ["数字科技有限公司", "智能科技有限公司", "信息技术有限公司", "网络科技有限公司",
                                  "软件股份有限公司", "智能制造有限公司", "云计算有限公司", "数据服务有限公司"]
    static let companyStems = ["云帆", "星河", "智源", "数联", "启明", "青禾", "锐思", "远景", "海纳", "恒信", "极光", "卓越",
                               "天衡", "新桥", "联创", "致远", "博识", "砺行", "聚能", "明德"]

    let model: CompetencyModel
    var rng: DemoRandom
    /// The end of the demo's history.
    let now: Date

    /// The first instants of the history's months.
    let monthStarts: [Date]

    init(model: CompetencyModel, seed: UInt64, now: Date = Date()) {
        self.model = model
        self.rng = DemoRandom(seed: seed)
        self.now = now
        self.monthStarts = MarketReport.monthStarts(ending: now, count: Self.months)
    }

    /// Whether the post at `index` of the model is one whose demand rises over the months.
    static func isRising(postIndex: Int) -> Bool { postIndex % 9 == 4 }

    mutating func city() -> (name: String, pay: Double) {
        let c = rng.weighted(Self.cities.map(\.weight))
        return (Self.cities[c].name, Self.cities[c].pay)
    }

    /// A month of the history (0 = the oldest), later ones likelier (the market grows).
    mutating func month() -> Int { rng.weighted((0..<Self.months).map { 1 + Double($0) / 6 }) }

    /// A moment in calendar month `month` (0 = the oldest of `months`, Beijing time), never after `now`.
    mutating func date(inMonth month: Int) -> Date {
        let start = monthStarts[month]
        let end = month + 1 < monthStarts.count ? monthStarts[month + 1] : now
        return start.addingTimeInterval(rng.double(in: 0...0.999) * max(0, end.timeIntervalSince(start)))
    }

    /// A post for a posting in `month`: rising posts gain share month by month.
    mutating func postIndex(month: Int) -> Int {
        let growth = 1 + 5 * Double(month) / Double(Self.months - 1)
        return rng.weighted(model.posts.indices.map { Self.isRising(postIndex: $0) ? growth : 1 })
    }

    /// Monthly salary (yuan) for a level and city, with spread.
    mutating func salary(level: Int, pay: Double) -> (Int, Int) {
        let base = [0, 4_000, 5_500, 7_500, 10_000, 15_000, 22_000, 32_000, 45_000][min(max(level, 0), 8)]
        let mid = Double(base) * pay * rng.double(in: 0.85...1.2)
        let low = Int((mid * 0.85 / 500).rounded()) * 500
        let high = Int((mid * 1.3 / 500).rounded()) * 500
        return (low, high)
    }

    mutating func employers(count: Int) -> [(id: String, name: String)] {
        (0..<count).map { i in
            let city = Self.cities[i % Self.cities.count].name
            let name = "\(city)\(Self.companyStems[rng.int(Self.companyStems.count)])\(Self.companySuffixes[rng.int(Self.companySuffixes.count)])"
            return (String(format: "emp-%04d", i + 1), "\(name)（\(i + 1)）")
        }
    }

    /// A job posting for a random post of the model.
    mutating func job(index: Int, employerID: String) -> JobDraft {
        let month = month()
        let post = model.posts[postIndex(month: month)]
        let postedAt = date(inMonth: month)
        let age = now.timeIntervalSince(postedAt) / 86_400
        let closedAt = rng.bool(age > 90 ? 0.85 : 0.1)
            ? min(now, postedAt.addingTimeInterval(rng.double(in: 15...90) * 86_400)) : nil
        let level = min(8, max(2, post.referenceLevel + rng.int(5) - 2))
        let (cityName, pay) = city()
        let (low, high) = salary(level: level, pay: pay)
        let reqs = model.requirements(ofPost: post.id) ?? []
        let top = reqs.sorted { $0.weight > $1.weight }.prefix(6)
        let titleBase = rng.bool(0.6) ? (post.aliases.zh.first ?? post.name.zh) : post.name.zh
        let levelWord = ["", "", "初级", "初级", "", "中级", "高级", "资深", "首席"][level]
        var lines: [String] = ["岗位职责：负责\(post.functions.first?.name.zh ?? "相关工作")等工作。", "任职要求："]
        for (i, r) in top.enumerated() {
            let name = model.competency(id: r.competency)?.name.zh ?? r.competency
            let cue = r.level >= 6 ? "精通" : r.level >= 5 ? "熟练掌握" : r.level >= 4 ? "熟悉" : "了解"
            lines.append("\(i + 1). \(cue)\(name)；")
        }
        let years = max(0, level - 3) * 2
        if years > 0 { lines.append("\(years)年以上相关工作经验。") }
        if rng.bool(0.3) { lines.append("Good written English is a plus.") }
        var explicit: [RequirementInput] = []
        if rng.bool(0.5), let r = top.first { explicit.append(RequirementInput(competency: r.competency, level: min(8, r.level + 1))) }
        // A third of the employers name no post and write the title as job boards show it; the
        // coder infers their occupation (the market view counts them under it).
        let named = rng.bool(0.67)
        var title = "\(levelWord)\(titleBase)"
        if !named {
            let aliases = post.aliases.zh.isEmpty ? [post.name.zh] : post.aliases.zh
            title = levelWord + aliases[rng.int(aliases.count)]
            if rng.bool(0.3) { title = "【\(cityName)】" + title }
            if rng.bool(0.2) { title += "（急招）" }
        }
        return JobDraft(id: String(format: "job-%05d", index + 1), employerId: employerID,
                        title: title, description: lines.joined(separator: "\n"),
                        postCode: named ? post.id : nil, level: level, city: cityName, salaryMin: low, salaryMax: high,
                        requirements: explicit, postedAt: postedAt, closedAt: closedAt)
    }

    /// A talent aiming at a random post, with skills around that post's requirements.
    mutating func talent(index: Int) -> TalentDraft {
        let post = model.posts[rng.weighted(model.posts.indices.map { Self.isRising(postIndex: $0) ? 0.25 : 1 })]
        let level = min(8, max(2, post.referenceLevel + rng.int(5) - 2))
        let (cityName, pay) = city()
        let reqs = model.requirements(ofPost: post.id) ?? []
        var skills: [SkillInput] = []
        for r in reqs where rng.bool(0.7) {
            let l = min(8, max(1, r.level + (level - post.referenceLevel) + rng.int(3) - 1))
            skills.append(SkillInput(competency: r.competency, level: l, verified: rng.bool(0.2)))
        }
        for _ in 0..<rng.int(3) {
            let c = model.competencies[rng.int(model.competencies.count)]
            if !skills.contains(where: { $0.competency == c.id }) {
                skills.append(SkillInput(competency: c.id, level: 2 + rng.int(4), verified: false))
            }
        }
        var certificates: [String] = []
        let fitting = model.certificates.filter { $0.occupation == post.occupation && ($0.level?.ord ?? 9) <= level }
        if !fitting.isEmpty && rng.bool(0.35) { certificates.append(fitting[rng.int(fitting.count)].id) }
        let years = Double(max(0, (level - 2) * 2 + rng.int(3)))
        let named = skills.prefix(3).compactMap { model.competency(id: $0.competency)?.name.zh }
        let experience = years > 0
            ? [ExperienceInput(text: "\(Int(years))年\(post.name.zh)相关经验，参与\(named.joined(separator: "、"))相关项目。", years: years)]
            : []
        let desired = rng.bool(0.5) ? [cityName] : [cityName, Self.cities[rng.int(Self.cities.count)].name]
        let (low, _) = salary(level: level, pay: pay)
        let number = index + 1
        return TalentDraft(id: String(format: "t-%05d", number), displayName: "候选人 #\(number)",
                           contact: .init(email: "t\(number)@example.invalid", phone: nil), city: cityName,
                           desiredCities: Array(Set(desired)).sorted(), desiredPosts: [post.id], salaryMin: low,
                           salaryMax: nil, level: level, searchable: rng.bool(0.85),
                           profile: ProfileInput(skills: skills, certificates: certificates, experience: experience,
                                                 completedCourses: [], text: nil),
                           registeredAt: date(inMonth: month()))
    }
}

/// SplitMix64 with the draws the generator needs.
struct DemoRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<n`.
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    mutating func double(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + Double(next() >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
    }
    mutating func bool(_ p: Double) -> Bool { double(in: 0...1) < p }
    mutating func weighted(_ weights: [Double]) -> Int {
        var x = double(in: 0...weights.reduce(0, +))
        for (i, w) in weights.enumerated() {
            if x < w { return i }
            x -= w
        }
        return weights.count - 1
    }
}
