import CSV
public import Foundation

/// Builds a matchd model directory from the ESCO CSV download (`skills_en.csv`,
/// `occupations_en.csv`, `occupationSkillRelations_en.csv`, optionally `skillSkillRelations_en.csv`),
/// read with the CSV.swift library (quoted fields, `altLabels` one per line inside a field).
///
/// The mapping:
/// - **competencies** ← skills: id `esco.<uuid of the conceptUri>`; `kind` `knowledge` for
///   skillType "knowledge", `transversal` for reuseLevel "transversal", else `skill`; domain
///   `esco-knowledge`, `esco-skill` or `esco-transversal` likewise; `related` ← skill–skill
///   relations; description ← `description`.
/// - **names in Chinese**: ESCO has none in these files, so `name.zh` repeats the English label
///   and `aliases.zh` stays empty (both keys are required by the schema).
/// - **aliases** ← `altLabels`, minus forms equal to the skill's own name after normalisation and,
///   since a form may name one competency only, minus forms several skills claim
///   (`Options.sharedAliases`: drop them from all, or keep them on the first skill in file
///   order). Two skills with the same preferred label: the later one's name gets " (ESCO <code>)"
///   appended, with the first 8 characters of its uuid.
/// - **posts** ← occupations with at least one skill relation: id and `occupation` = the ESCO
///   `code` (e.g. `2511.4`); one function "ESCO skill requirements" of weight 100 holding every
///   related skill at `Options.level`, importance 3 for essential and 1 for optional relations
///   (a skill related twice keeps the higher); `referenceLevel` = `Options.level`. Occupations
///   without relations are listed in `occupations.tsv` but get no post (`Report.occupationsWithoutSkills`).
/// - **occupations.tsv** ← every occupation (code, preferred label, empty marker).
/// - **levels.jsonl** ← a proficiency scheme (aware 2 … expert 7) in zh and en, since ESCO has
///   no levels; **certificates.jsonl** and **courses.jsonl** are empty.
/// - **sources**: one, `ESCO`, cited by every post.
///
/// The written directory follows every rule of `models/README.md` (ESCO uuids and codes are
/// valid ids), so it loads with `CompetencyModel.load(from:)` unchanged.
public enum ESCOImport {
    public struct Options: Sendable {
        public enum SharedAliases: Sendable { case drop, keepFirst }
        public var modelID = "esco"
        public var version = 1
        /// The ESCO release, written as the classification edition.
        public var edition = "1.2.0"
        /// The level every requirement is written at, and the posts' `referenceLevel` (4: 掌握 /
        /// competent on matchd's scale).
        public var level = 4
        public var essentialImportance = 3
        public var optionalImportance = 1
        public var sharedAliases: SharedAliases = .drop
        /// The language suffix of the file names (`skills_<language>.csv`).
        public var language = "en"
        public init() {}
    }

    /// What the import did.
    public struct Report: Sendable, Equatable {
        public var competencies = 0
        public var occupations = 0
        public var posts = 0
        public var requirements = 0
        public var relatedLinks = 0
        /// Aliases removed because several skills claimed them (normalised form).
        public var droppedAliases: [String] = []
        /// Skill ids whose name was made unique.
        public var renamedSkills: [String] = []
        /// Relations naming a skill or occupation the files do not have.
        public var skippedRelations = 0
        public var occupationsWithoutSkills: [String] = []
    }

    struct Skill {
        var uri: String
        var id: String
        var label: String
        var altLabels: [String]
        var skillType: String
        var reuseLevel: String
        var description: String
    }

    struct ESCOOccupation {
        var uri: String
        var code: String
        var label: String
        var altLabels: [String]
    }

    /// Reads the ESCO files in `source` and writes a model directory at `destination` (created
    /// if needed; existing model files are replaced).
    /// - Throws: `EmbeddingsError.invalidESCO` for a missing file or column, `.io` when writing fails.
    @discardableResult
    public static func run(source: URL, destination: URL, options: Options = Options()) throws(EmbeddingsError) -> Report {
        var report = Report()
        let lang = options.language
        let skillsFile = "skills_\(lang).csv", occupationsFile = "occupations_\(lang).csv"
        let relationsFile = "occupationSkillRelations_\(lang).csv", skillRelationsFile = "skillSkillRelations_\(lang).csv"

        var skills: [Skill] = []
        var skillIndex: [String: Int] = [:]
        try readCSV(source.appendingPathComponent(skillsFile), file: skillsFile,
                    required: ["conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels"]) { row, _ in
            let uri = row["conceptUri"] ?? ""
            guard !uri.isEmpty, skillIndex[uri] == nil else { return }
            skillIndex[uri] = skills.count
            skills.append(Skill(uri: uri, id: "esco." + lastPathComponent(uri), label: row["preferredLabel"] ?? "",
                                altLabels: lines(row["altLabels"]), skillType: row["skillType"] ?? "",
                                reuseLevel: row["reuseLevel"] ?? "", description: row["description"] ?? ""))
        }
        var occupations: [ESCOOccupation] = []
        var occupationIndex: [String: Int] = [:]
        try readCSV(source.appendingPathComponent(occupationsFile), file: occupationsFile,
                    required: ["conceptUri", "preferredLabel", "altLabels", "code"]) { row, _ in
            let uri = row["conceptUri"] ?? ""
            guard !uri.isEmpty, occupationIndex[uri] == nil else { return }
            var code = (row["code"] ?? "").lowercased()
            if code.isEmpty || !ModelValidator.isValidID(code) { code = "esco." + lastPathComponent(uri) }
            occupationIndex[uri] = occupations.count
            occupations.append(ESCOOccupation(uri: uri, code: code, label: row["preferredLabel"] ?? "",
                                              altLabels: lines(row["altLabels"])))
        }
        // occupation → skill → importance, in file order.
        var requirements: [[(skill: Int, importance: Int)]] = Array(repeating: [], count: occupations.count)
        try readCSV(source.appendingPathComponent(relationsFile), file: relationsFile,
                    required: ["occupationUri", "relationType", "skillUri"]) { row, _ in
            guard let o = occupationIndex[row["occupationUri"] ?? ""], let s = skillIndex[row["skillUri"] ?? ""] else {
                report.skippedRelations += 1
                return
            }
            let importance = row["relationType"] == "essential" ? options.essentialImportance : options.optionalImportance
            if let k = requirements[o].firstIndex(where: { $0.skill == s }) {
                requirements[o][k].importance = max(requirements[o][k].importance, importance)
            } else {
                requirements[o].append((s, importance))
            }
        }
        var related: [[Int]] = Array(repeating: [], count: skills.count)
        let skillRelationsURL = source.appendingPathComponent(skillRelationsFile)
        if FileManager.default.fileExists(atPath: skillRelationsURL.path) {
            try readCSV(skillRelationsURL, file: skillRelationsFile, required: ["originalSkillUri", "relatedSkillUri"]) { row, _ in
                guard let a = skillIndex[row["originalSkillUri"] ?? ""], let b = skillIndex[row["relatedSkillUri"] ?? ""] else {
                    report.skippedRelations += 1
                    return
                }
                guard a != b, !related[a].contains(b), !related[b].contains(a) else { return }
                related[a].append(b)
                report.relatedLinks += 1
            }
        }

        // Names unique, aliases owned by one skill.
        let normalizer = TextNormalizer.shared
        var nameOwner: [String: Int] = [:]
        var names: [String] = []
        for (i, s) in skills.enumerated() {
            var name = s.label
            if nameOwner[normalizer.key(name)] != nil {
                name += " (ESCO \(lastPathComponent(s.uri).prefix(8)))"
                report.renamedSkills.append(s.id)
            }
            nameOwner[normalizer.key(name)] = i
            names.append(name)
        }
        var claims: [String: [Int]] = [:]
        for (i, s) in skills.enumerated() {
            var own = Set([normalizer.key(names[i])])
            for alt in s.altLabels {
                let key = normalizer.key(alt)
                guard !key.isEmpty, own.insert(key).inserted else { continue }
                claims[key, default: []].append(i)
            }
        }
        var dropped = Set<String>()
        func keeps(_ key: String, _ i: Int) -> Bool {
            if let owner = nameOwner[key], owner != i { dropped.insert(key); return false }
            let owners = claims[key] ?? [i]
            if owners.count == 1 { return true }
            switch options.sharedAliases {
            case .drop: dropped.insert(key); return false
            case .keepFirst: if owners.first != i { dropped.insert(key) }; return owners.first == i
            }
        }

        let ordinalNames: [(String, String)] = [("无", "none"), ("入门", "novice"), ("了解", "aware"), ("熟悉", "familiar"),
                                                ("掌握", "competent"), ("熟练", "proficient"), ("精通", "advanced"),
                                                ("专家", "expert"), ("领军", "leading")]
        let manifest = Manifest(
            id: options.modelID, version: options.version,
            name: LocalizedText(zh: "ESCO 职业与技能", en: "ESCO occupations and skills"),
            description: LocalizedNote(zh: "由 ESCO CSV 导入；ESCO 无中文名称，中文名称沿用英文。",
                                       en: "Imported from the ESCO CSV files; Chinese names repeat the English labels."),
            classification: Manifest.Classification(name: "ESCO", edition: options.edition),
            sources: [Manifest.Source(id: "ESCO", title: "ESCO – European Skills, Competences, Qualifications and Occupations",
                                      url: "https://esco.ec.europa.eu", note: "skills, occupations and their relations")],
            domains: [Manifest.Domain(id: "esco-knowledge", name: LocalizedText(zh: "知识", en: "Knowledge")),
                      Manifest.Domain(id: "esco-skill", name: LocalizedText(zh: "技能", en: "Skills and competences")),
                      Manifest.Domain(id: "esco-transversal", name: LocalizedText(zh: "通用能力", en: "Transversal skills"))],
            scale: Manifest.Scale(min: 0, max: 8, ordinals: ordinalNames.enumerated().map {
                Manifest.Scale.Ordinal(ord: $0.offset, name: LocalizedText(zh: $0.element.0, en: $0.element.1))
            }),
            experienceYears: [.init(minYears: 0, ord: 2), .init(minYears: 1, ord: 3), .init(minYears: 3, ord: 4),
                              .init(minYears: 5, ord: 5), .init(minYears: 8, ord: 6)])
        let levels = (2...7).map { ord in
            LevelLabel(id: "proficiency.\(ordinalNames[ord].1)", scheme: .proficiency, ord: ord,
                       name: LocalizedText(zh: ordinalNames[ord].0, en: ordinalNames[ord].1),
                       aliases: AliasList(zh: [], en: ord == 3 ? ["familiar with"] : ord == 5 ? ["proficient in"] : []),
                       confidence: .proposal, source: ["ESCO"])
        }
        var competencies: [Competency] = []
        for (i, s) in skills.enumerated() {
            let transversal = s.reuseLevel == "transversal"
            let kind: Competency.Kind = transversal ? .transversal : s.skillType == "knowledge" ? .knowledge : .skill
            let domain = transversal ? "esco-transversal" : s.skillType == "knowledge" ? "esco-knowledge" : "esco-skill"
            var seen = Set([normalizer.key(names[i])])
            let aliases = s.altLabels.filter {
                let key = normalizer.key($0)
                return !key.isEmpty && seen.insert(key).inserted && keeps(key, i)
            }
            competencies.append(Competency(id: s.id, domain: domain, kind: kind, name: LocalizedText(zh: names[i], en: names[i]),
                                           aliases: AliasList(zh: [], en: aliases), related: related[i].map { skills[$0].id },
                                           description: s.description.isEmpty ? nil : LocalizedNote(en: s.description)))
        }
        report.droppedAliases = dropped.sorted()
        var posts: [Post] = []
        // A post alias names one post: ESCO occupations share alternative labels ("sound designer"),
        // so an alias another post uses as its name, or an earlier post as an alias, is dropped.
        var postKeys = Set(occupations.indices.filter { !requirements[$0].isEmpty }.map { normalizer.key(occupations[$0].label) })
        for (o, occupation) in occupations.enumerated() {
            guard !requirements[o].isEmpty else {
                report.occupationsWithoutSkills.append(occupation.code)
                continue
            }
            let reqs = requirements[o].map {
                Post.Requirement(competency: skills[$0.skill].id, level: options.level, importance: $0.importance)
            }
            report.requirements += reqs.count
            posts.append(Post(id: occupation.code, occupation: occupation.code, edition: options.edition,
                              name: LocalizedText(zh: occupation.label, en: occupation.label),
                              aliases: AliasList(zh: [], en: occupation.altLabels.filter { postKeys.insert(normalizer.key($0)).inserted }),
                              referenceLevel: options.level,
                              functions: [Post.Function(name: LocalizedText(zh: "ESCO 技能要求", en: "ESCO skill requirements"),
                                                        weight: 100,
                                                        workItems: [Post.WorkItem(name: LocalizedText(zh: "必备与可选技能", en: "Essential and optional skills"),
                                                                                  requirements: reqs)])],
                              confidence: .verified, source: ["ESCO"]))
        }
        report.competencies = competencies.count
        report.occupations = occupations.count
        report.posts = posts.count

        // Write.
        do {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            throw .io(path: destination.path, message: "cannot create the directory: \(error.localizedDescription)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func jsonLines<T: Encodable>(_ items: [T]) throws -> String {
            try items.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
        }
        func write(_ text: String, _ file: String) throws(EmbeddingsError) {
            let url = destination.appendingPathComponent(file)
            do { try text.write(to: url, atomically: true, encoding: .utf8) } catch {
                throw .io(path: url.path, message: error.localizedDescription)
            }
        }
        let files: [(String, String)]
        do {
            let pretty = JSONEncoder()
            pretty.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            files = [
                (CompetencyModel.File.manifest, String(decoding: try pretty.encode(manifest), as: UTF8.self) + "\n"),
                (CompetencyModel.File.levels, try jsonLines(levels)),
                (CompetencyModel.File.competencies, try jsonLines(competencies)),
                (CompetencyModel.File.posts, try jsonLines(posts)),
                (CompetencyModel.File.certificates, ""),
                (CompetencyModel.File.courses, ""),
                (CompetencyModel.File.occupations, "code\tname\tmarker\n" + occupations.map {
                    "\($0.code)\t\($0.label.replacingOccurrences(of: "\t", with: " "))\t\n"
                }.joined()),
            ]
        } catch {
            throw .io(path: destination.path, message: "cannot encode the model: \(error)")
        }
        for (file, text) in files { try write(text, file) }
        return report
    }

    /// Calls `body` with each record of a CSV file with a header row, as column → value.
    static func readCSV(_ url: URL, file: String, required: [String],
                        _ body: ([String: String], Int) -> Void) throws(EmbeddingsError) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .invalidESCO(file: file, line: nil, message: "the file is missing")
        }
        // The whole file as one string: corelibs' InputStream reports an error at its end,
        // which CSV.swift's stream reader takes for a read failure.
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .invalidESCO(file: file, line: nil, message: "cannot be read as UTF-8: \(error.localizedDescription)")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            throw .invalidESCO(file: file, line: 1, message: "cannot read the header row: \(error)")
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF} ")) }
        for column in required where !header.contains(column) {
            throw .invalidESCO(file: file, line: 1, message: "missing column \"\(column)\"")
        }
        var record = 0
        while let row = reader.next() {
            record += 1
            var fields: [String: String] = [:]
            for (name, value) in zip(header, row) { fields[name] = value }
            body(fields, record)
        }
        if let error = reader.error {
            throw .invalidESCO(file: file, line: nil, message: "record \(record + 1): \(error)")
        }
    }

    /// Newline-separated labels of one field, trimmed, empty ones dropped.
    static func lines(_ field: String?) -> [String] {
        (field ?? "").split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func lastPathComponent(_ uri: String) -> String {
        String(uri.split(separator: "/").last ?? Substring(uri)).lowercased()
    }
}
