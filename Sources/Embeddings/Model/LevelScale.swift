/// The model's one ordinal level scale and every scheme's labels on it.
///
/// `ord(of:)` resolves a label or alias (`"中级"`, `"高级工"`, `"三级"`, `"工程师"`, `"精通"`,
/// `"proficient"`; case, width and script folded) to an ord. A word can belong to several
/// schemes (初级 is an engineer level and a title); given a `scheme` only that scheme is searched,
/// otherwise the first scheme of `LevelScale.resolutionOrder` that has the word wins.
public struct LevelScale: Sendable {
    /// Without a scheme, a label shared by schemes resolves in this order.
    public static let resolutionOrder: [LevelLabel.Scheme] = [.proficiency, .engineer, .title, .skill]

    public let min: Int
    public let max: Int
    /// Names of the ords, from `model.json`.
    public let ordinals: [Manifest.Scale.Ordinal]
    /// Every label of every scheme, in file order.
    public let labels: [LevelLabel]
    /// `experienceYears` rows, ascending `minYears`.
    public let experienceYears: [Manifest.ExperienceRule]
    private let byKey: [String: [Int]]
    private let byID: [String: Int]

    init(scale: Manifest.Scale, experienceYears: [Manifest.ExperienceRule], labels: [LevelLabel],
         normalizer: TextNormalizer) {
        self.min = scale.min
        self.max = scale.max
        self.ordinals = scale.ordinals.sorted { $0.ord < $1.ord }
        self.labels = labels
        self.experienceYears = experienceYears.sorted { $0.minYears < $1.minYears }
        var byKey: [String: [Int]] = [:]
        var byID: [String: Int] = [:]
        for (i, label) in labels.enumerated() {
            byID[label.id] = byID[label.id] ?? i
            var keys = Set<String>()
            for text in [label.name.zh, label.name.en] + label.aliases.all {
                let key = normalizer.key(text)
                if !key.isEmpty, keys.insert(key).inserted { byKey[key, default: []].append(i) }
            }
        }
        self.byKey = byKey
        self.byID = byID
    }

    /// The label with this `levels.jsonl` id.
    public func label(id: String) -> LevelLabel? { byID[id].map { labels[$0] } }

    /// Every label whose name or alias is `text` (folded), optionally in one scheme.
    public func labels(matching text: String, scheme: LevelLabel.Scheme? = nil) -> [LevelLabel] {
        let key = TextNormalizer.shared.key(text)
        return (byKey[key] ?? []).map { labels[$0] }.filter { scheme == nil || $0.scheme == scheme }
    }

    /// The ord of a label, alias or label id; `nil` when unknown.
    public func ord(of text: String, scheme: LevelLabel.Scheme? = nil) -> Int? {
        if let label = label(id: text), scheme == nil || label.scheme == scheme { return label.ord }
        return resolve(labels(matching: text, scheme: scheme))?.ord
    }

    /// The label that wins among `candidates` by `resolutionOrder`.
    func resolve(_ candidates: [LevelLabel]) -> LevelLabel? {
        for scheme in Self.resolutionOrder {
            if let hit = candidates.first(where: { $0.scheme == scheme }) { return hit }
        }
        return candidates.first
    }

    /// The name of an ord on the scale.
    public func name(ofOrd ord: Int) -> LocalizedText? { ordinals.first { $0.ord == ord }?.name }

    /// The ord `experienceYears` gives `years` of experience: the last row with `minYears <= years`.
    public func ord(forYears years: Double) -> Int? {
        experienceYears.last { $0.minYears <= years }?.ord
    }

    /// `level` clamped into the requirement range 1…`max`.
    public func clampRequirement(_ level: Int) -> Int { Swift.min(Swift.max(level, 1), Swift.max(max, 1)) }

    /// Normalised keys of every label, with the label indices they name (for the extractor).
    var keyedLabels: [String: [Int]] { byKey }
}
