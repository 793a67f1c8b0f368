/// A level-4 occupation (细类) of the classification (`occupations.tsv`).
public struct Occupation: Codable, Sendable, Hashable, Identifiable {
    public var code: String
    /// The name exactly as published.
    public var name: String
    /// `S` (digital), `L` (green), `L/S`, or empty.
    public var marker: String
    /// The official definition (定义), when the file carries it.
    public var definition: String
    /// The official main tasks (主要工作任务), numbered as published ("1.… 2.…"), when the file carries them.
    public var tasks: String
    public var id: String { code }
    /// Marked `S` or `L/S` in the classification.
    public var isDigital: Bool { marker == "S" || marker == "L/S" }

    public init(code: String, name: String, marker: String, definition: String = "", tasks: String = "") {
        self.code = code; self.name = name; self.marker = marker; self.definition = definition; self.tasks = tasks
    }
}

/// The job titles the market uses for one occupation that has no post (`titles.jsonl`): a
/// posting titled 前台 or 维修电工 is coded to its own occupation, not the nearest digital post.
public struct OccupationTitles: Codable, Sendable, Hashable {
    public var occupation: String
    public var aliases: AliasList
    public var confidence: Confidence?

    public init(occupation: String, aliases: AliasList, confidence: Confidence? = nil) {
        self.occupation = occupation; self.aliases = aliases; self.confidence = confidence
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case occupation, aliases, confidence }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        occupation = try c.decode(String.self, forKey: .occupation)
        aliases = try c.decode(AliasList.self, forKey: .aliases)
        confidence = try c.decodeIfPresent(Confidence.self, forKey: .confidence)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s = s.dropLast() }
        return String(s)
    }
}
