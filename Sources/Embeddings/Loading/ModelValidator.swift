import Foundation

/// Checks every rule of `models/README.md` over decoded model contents; collects all problems.
struct ModelValidator {
    typealias File = CompetencyModel.File
    let contents: ModelContents
    let normalizer = TextNormalizer.shared

    static let markers: Set<String> = ["S", "L", "L/S", ""]
    static let languages: Set<String> = ["zh", "en"]

    /// Whether `text` holds a Han ideograph (is written in Chinese).
    static func hasHan(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.isIdeographic }
    }

    /// Ids are lowercase ASCII `[a-z0-9.-]+`.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }
    }

    func validate(into problems: inout [ModelProblem]) {
        let m = contents.manifest
        let scale = m.scale
        let maxLevel = scale.max
        let sourceIDs = Set(m.sources.map(\.id))
        let domainIDs = Set(m.domains.map(\.id))
        let occupationCodes = Set(contents.occupations.map(\.value.code))
        let competencyIDs = Set(contents.competencies.map(\.value.id))
        let certificateIDs = Set(contents.certificates.map(\.value.id))
        var labelOrd: [String: LevelLabel] = [:]
        for l in contents.levels where labelOrd[l.value.id] == nil { labelOrd[l.value.id] = l.value }

        // model.json
        func manifestProblem(_ kind: ModelProblem.Kind, _ field: String, _ message: String) {
            problems.append(ModelProblem(kind, file: File.manifest, entry: m.id, field: field, message: message))
        }
        if !Self.isValidID(m.id) { manifestProblem(.invalidID, "id", "\"\(m.id)\" is not a lowercase [a-z0-9.-]+ id") }
        if m.version < 1 { manifestProblem(.outOfRange, "version", "version \(m.version) must be at least 1") }
        if scale.min > scale.max { manifestProblem(.outOfRange, "scale", "min \(scale.min) is above max \(scale.max)") }
        var ords = Set<Int>()
        for (i, o) in scale.ordinals.enumerated() {
            if o.ord < scale.min || o.ord > scale.max {
                manifestProblem(.outOfRange, "scale.ordinals[\(i)].ord", "ord \(o.ord) is outside \(scale.min)…\(scale.max)")
            }
            if !ords.insert(o.ord).inserted { manifestProblem(.duplicateID, "scale.ordinals[\(i)].ord", "ord \(o.ord) is named twice") }
        }
        var lastYears = -Double.infinity
        for (i, r) in m.experienceYears.enumerated() {
            if r.ord < scale.min || r.ord > scale.max {
                manifestProblem(.outOfRange, "experienceYears[\(i)].ord", "ord \(r.ord) is outside \(scale.min)…\(scale.max)")
            }
            if r.minYears < 0 || r.minYears <= lastYears {
                manifestProblem(.invalidValue, "experienceYears[\(i)].minYears",
                                "minYears \(r.minYears) must be non-negative and ascending")
            }
            lastYears = r.minYears
        }
        for (kind, ids, name) in [(ModelProblem.Kind.duplicateID, m.sources.map(\.id), "sources"),
                                  (.duplicateID, m.domains.map(\.id), "domains")] {
            var seen = Set<String>()
            for (i, id) in ids.enumerated() where !seen.insert(id).inserted {
                manifestProblem(kind, "\(name)[\(i)].id", "id \"\(id)\" appears twice")
            }
        }
        for (i, language) in m.languages.enumerated() where !Self.languages.contains(language) {
            manifestProblem(.invalidValue, "languages[\(i)]", "\"\(language)\" is not one of zh, en")
        }
        for (i, file) in m.syntheticFiles.enumerated() where !File.all.contains(file) {
            manifestProblem(.unknownReference, "syntheticFiles[\(i)]", "\"\(file)\" is not a model file")
        }

        // Shared entry checks.
        func checkIDs<T>(_ entries: [Lined<T>], file: String, id: (T) -> String) {
            var first: [String: Int?] = [:]
            for e in entries {
                let value = id(e.value)
                if !Self.isValidID(value) {
                    problems.append(ModelProblem(.invalidID, file: file, line: e.line, entry: value, field: "id",
                                                 message: "\"\(value)\" is not a lowercase [a-z0-9.-]+ id"))
                }
                if let previous = first[value] {
                    let at = previous.map { " (first on line \($0))" } ?? ""
                    problems.append(ModelProblem(.duplicateID, file: file, line: e.line, entry: value, field: "id",
                                                 message: "id \"\(value)\" appears twice\(at)"))
                } else {
                    first[value] = e.line
                }
            }
        }
        func checkSources(_ source: [String], file: String, line: Int?, entry: String) {
            for (i, s) in source.enumerated() where !sourceIDs.contains(s) {
                problems.append(ModelProblem(.unknownReference, file: file, line: line, entry: entry, field: "source[\(i)]",
                                             message: "source \"\(s)\" is not in model.json sources"))
            }
        }
        /// A `verified` entry cites a source; an entry citing none says `unverified` or `proposal`.
        func checkEvidence(_ confidence: Confidence?, _ source: [String], file: String, line: Int?, entry: String) {
            guard source.isEmpty else { return }
            if confidence == .verified {
                problems.append(ModelProblem(.invalidValue, file: file, line: line, entry: entry, field: "source",
                                             message: "a verified entry cites at least one source"))
            } else if confidence == nil {
                problems.append(ModelProblem(.invalidValue, file: file, line: line, entry: entry, field: "confidence",
                                             message: "an entry without a source must say unverified or proposal"))
            }
        }
        func checkName(_ name: LocalizedText, file: String, line: Int?, entry: String, field: String = "name") {
            if name.zh.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append(ModelProblem(.invalidValue, file: file, line: line, entry: entry, field: "\(field).zh", message: "empty name"))
            }
            if name.en.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append(ModelProblem(.invalidValue, file: file, line: line, entry: entry, field: "\(field).en", message: "empty name"))
            }
        }

        // occupations.tsv
        var seenCodes: [String: Int?] = [:]
        for e in contents.occupations {
            let o = e.value
            if let previous = seenCodes[o.code] {
                problems.append(ModelProblem(.duplicateID, file: File.occupations, line: e.line, entry: o.code, field: "code",
                                             message: "code \"\(o.code)\" appears twice" + (previous.map { " (first on line \($0))" } ?? "")))
            } else {
                seenCodes[o.code] = e.line
            }
            if !Self.markers.contains(o.marker) {
                problems.append(ModelProblem(.invalidValue, file: File.occupations, line: e.line, entry: o.code, field: "marker",
                                             message: "marker \"\(o.marker)\" is not S, L, L/S or empty"))
            }
        }

        // levels.jsonl
        checkIDs(contents.levels, file: File.levels) { $0.id }
        var schemeAlias: [String: (id: String, line: Int?)] = [:]
        for e in contents.levels {
            let l = e.value
            checkName(l.name, file: File.levels, line: e.line, entry: l.id)
            checkSources(l.source, file: File.levels, line: e.line, entry: l.id)
            checkEvidence(l.confidence, l.source, file: File.levels, line: e.line, entry: l.id)
            if l.ord < scale.min || l.ord > scale.max {
                problems.append(ModelProblem(.outOfRange, file: File.levels, line: e.line, entry: l.id, field: "ord",
                                             message: "ord \(l.ord) is outside \(scale.min)…\(scale.max)"))
            }
            var own = Set<String>()
            for (field, text) in aliasFields(name: l.name, aliases: l.aliases) {
                let key = normalizer.key(text)
                guard !key.isEmpty, own.insert(key).inserted else { continue }
                let slot = l.scheme.rawValue + "\u{0}" + key
                if let other = schemeAlias[slot], other.id != l.id {
                    problems.append(ModelProblem(.duplicateAlias, file: File.levels, line: e.line, entry: l.id, field: field,
                                                 message: "\"\(text)\" already names \(other.id)" + (other.line.map { " (line \($0))" } ?? "")
                                                     + " in scheme \(l.scheme.rawValue)"))
                } else {
                    schemeAlias[slot] = (l.id, e.line)
                }
            }
        }

        // competencies.jsonl
        checkIDs(contents.competencies, file: File.competencies) { $0.id }
        var aliasOwner: [String: (id: String, line: Int?, file: String)] = [:]
        for e in contents.competencies {
            let c = e.value
            checkName(c.name, file: File.competencies, line: e.line, entry: c.id)
            if !domainIDs.contains(c.domain) {
                problems.append(ModelProblem(.unknownReference, file: File.competencies, line: e.line, entry: c.id, field: "domain",
                                             message: "domain \"\(c.domain)\" is not in model.json domains"))
            }
            for (i, r) in c.related.enumerated() {
                if !competencyIDs.contains(r) {
                    problems.append(ModelProblem(.unknownReference, file: File.competencies, line: e.line, entry: c.id,
                                                 field: "related[\(i)]", message: "no competency \"\(r)\""))
                } else if r == c.id {
                    problems.append(ModelProblem(.invalidValue, file: File.competencies, line: e.line, entry: c.id,
                                                 field: "related[\(i)]", message: "a competency cannot be related to itself"))
                }
            }
            claimAliases(file: File.competencies, line: e.line, entry: c.id, name: c.name, aliases: c.aliases,
                         cased: c.casedAliases, owners: &aliasOwner, problems: &problems)
            for language in m.languages {
                let list = language == "zh" ? c.aliases.zh : language == "en" ? c.aliases.en : []
                if list.isEmpty, Self.languages.contains(language) {
                    problems.append(ModelProblem(.invalidValue, file: File.competencies, line: e.line, entry: c.id,
                                                 field: "aliases.\(language)",
                                                 message: "no \(language) alias; model.json declares the languages \(m.languages.joined(separator: ", "))"))
                }
                if language == "zh", !Self.hasHan(c.name.zh), !c.aliases.zh.contains(where: Self.hasHan) {
                    problems.append(ModelProblem(.invalidValue, file: File.competencies, line: e.line, entry: c.id, field: "aliases.zh",
                                                 message: "neither name.zh nor an alias in aliases.zh is written in Chinese"))
                }
            }
        }
        // notWithin: longer words holding one of the competency's own forms, naming nothing.
        for e in contents.competencies {
            let c = e.value
            let own = ([c.name.zh, c.name.en] + c.aliases.all + c.casedAliases).map(normalizer.key).filter { !$0.isEmpty }
            for (i, word) in c.notWithin.enumerated() {
                let key = normalizer.key(word)
                if let other = aliasOwner[key] {
                    problems.append(ModelProblem(.duplicateAlias, file: File.competencies, line: e.line, entry: c.id, field: "notWithin[\(i)]",
                                                 message: "\"\(word)\" is itself a name or alias of \(other.id)"))
                } else if !own.contains(where: { key.count > $0.count && key.contains($0) }) {
                    problems.append(ModelProblem(.invalidValue, file: File.competencies, line: e.line, entry: c.id, field: "notWithin[\(i)]",
                                                 message: "\"\(word)\" does not contain a name or alias of \(c.id)"))
                }
            }
        }

        // certificates.jsonl
        checkIDs(contents.certificates, file: File.certificates) { $0.id }
        for e in contents.certificates {
            let c = e.value
            checkName(c.name, file: File.certificates, line: e.line, entry: c.id)
            checkSources(c.source, file: File.certificates, line: e.line, entry: c.id)
            checkEvidence(c.confidence, c.source, file: File.certificates, line: e.line, entry: c.id)
            claimAliases(file: File.certificates, line: e.line, entry: c.id, name: c.name, aliases: c.aliases,
                         owners: &aliasOwner, problems: &problems)
            if let level = c.level {
                if LevelLabel.Scheme(rawValue: level.scheme) == nil {
                    problems.append(ModelProblem(.invalidValue, file: File.certificates, line: e.line, entry: c.id, field: "level.scheme",
                                                 message: "scheme \"\(level.scheme)\" is not one of skill, engineer, title, proficiency"))
                }
                if level.ord < scale.min || level.ord > scale.max {
                    problems.append(ModelProblem(.outOfRange, file: File.certificates, line: e.line, entry: c.id, field: "level.ord",
                                                 message: "ord \(level.ord) is outside \(scale.min)…\(scale.max)"))
                }
                if let label = level.label {
                    if let l = labelOrd[label] {
                        if l.ord != level.ord {
                            problems.append(ModelProblem(.invalidValue, file: File.certificates, line: e.line, entry: c.id, field: "level.ord",
                                                         message: "ord \(level.ord) differs from \(label)'s ord \(l.ord)"))
                        }
                        if l.scheme.rawValue != level.scheme {
                            problems.append(ModelProblem(.invalidValue, file: File.certificates, line: e.line, entry: c.id, field: "level.scheme",
                                                         message: "scheme \"\(level.scheme)\" differs from \(label)'s scheme \(l.scheme.rawValue)"))
                        }
                    } else {
                        problems.append(ModelProblem(.unknownReference, file: File.certificates, line: e.line, entry: c.id, field: "level.label",
                                                     message: "no level label \"\(label)\" in levels.jsonl"))
                    }
                }
            }
            if let occupation = c.occupation, !occupationCodes.contains(occupation), c.confidence != .unverified {
                problems.append(ModelProblem(.unknownReference, file: File.certificates, line: e.line, entry: c.id, field: "occupation",
                                             message: "occupation \"\(occupation)\" is not in occupations.tsv"))
            }
            if c.grants.isEmpty {
                problems.append(ModelProblem(.invalidValue, severity: .warning, file: File.certificates, line: e.line, entry: c.id,
                                             field: "grants", message: "the certificate grants no competency"))
            }
            for (i, g) in c.grants.enumerated() {
                Self.checkCompetencyLevel(g, field: "grants[\(i)]", file: File.certificates, line: e.line, entry: c.id,
                                     maxLevel: maxLevel, exists: competencyIDs.contains, into: &problems)
            }
            if let months = c.validityMonths, months < 1 {
                problems.append(ModelProblem(.outOfRange, file: File.certificates, line: e.line, entry: c.id, field: "validityMonths",
                                             message: "validityMonths \(months) must be at least 1 (or null)"))
            }
        }

        // posts.jsonl
        checkIDs(contents.posts, file: File.posts) { $0.id }
        var postAliasOwner: [String: (id: String, line: Int?, file: String)] = [:]
        let editions = m.classification.map { [$0.edition] + $0.supplements } ?? []
        for e in contents.posts {
            let p = e.value
            checkName(p.name, file: File.posts, line: e.line, entry: p.id)
            checkSources(p.source, file: File.posts, line: e.line, entry: p.id)
            checkEvidence(p.confidence, p.source, file: File.posts, line: e.line, entry: p.id)
            claimAliases(file: File.posts, line: e.line, entry: p.id, name: p.name, aliases: p.aliases,
                         owners: &postAliasOwner, problems: &problems)
            if let edition = p.edition, !editions.isEmpty, !editions.contains(edition) {
                problems.append(ModelProblem(.invalidValue, file: File.posts, line: e.line, entry: p.id, field: "edition",
                                             message: "edition \"\(edition)\" is neither the classification edition nor one of its "
                                                 + "supplements in model.json (\(editions.joined(separator: ", ")))"))
            }
            if !occupationCodes.contains(p.occupation), p.confidence != .unverified {
                problems.append(ModelProblem(.unknownReference, file: File.posts, line: e.line, entry: p.id, field: "occupation",
                                             message: "occupation \"\(p.occupation)\" is not in occupations.tsv"))
            }
            if p.id != p.occupation, !(p.id.hasPrefix(p.occupation + ".") && p.id.count > p.occupation.count + 1) {
                problems.append(ModelProblem(.invalidID, file: File.posts, line: e.line, entry: p.id, field: "id",
                                             message: "a post id is its occupation code \"\(p.occupation)\", optionally followed by .<direction>"))
            }
            if p.referenceLevel < 1 || p.referenceLevel > maxLevel {
                problems.append(ModelProblem(.outOfRange, file: File.posts, line: e.line, entry: p.id, field: "referenceLevel",
                                             message: "referenceLevel \(p.referenceLevel) is outside 1…\(maxLevel)"))
            }
            if p.functions.isEmpty {
                problems.append(ModelProblem(.weightSum, file: File.posts, line: e.line, entry: p.id, field: "functions",
                                             message: "a post needs at least one function"))
            } else {
                let sum = p.functions.reduce(0) { $0 + $1.weight }
                if sum != 100 {
                    problems.append(ModelProblem(.weightSum, file: File.posts, line: e.line, entry: p.id,
                                                 field: "functions[\(p.functions.count - 1)].weight",
                                                 message: "function weights sum to \(sum), expected 100"))
                }
            }
            for (f, function) in p.functions.enumerated() {
                checkName(function.name, file: File.posts, line: e.line, entry: p.id, field: "functions[\(f)].name")
                if function.weight < 0 || function.weight > 100 {
                    problems.append(ModelProblem(.outOfRange, file: File.posts, line: e.line, entry: p.id, field: "functions[\(f)].weight",
                                                 message: "weight \(function.weight) is outside 0…100"))
                }
                if function.workItems.allSatisfy({ $0.requirements.isEmpty }) {
                    problems.append(ModelProblem(.invalidValue, severity: .warning, file: File.posts, line: e.line, entry: p.id,
                                                 field: "functions[\(f)]", message: "the function requires no competency; its weight is lost"))
                }
                for (w, item) in function.workItems.enumerated() {
                    checkName(item.name, file: File.posts, line: e.line, entry: p.id, field: "functions[\(f)].workItems[\(w)].name")
                    for (r, req) in item.requirements.enumerated() {
                        let field = "functions[\(f)].workItems[\(w)].requirements[\(r)]"
                        Self.checkCompetencyLevel(CompetencyLevel(competency: req.competency, level: req.level), field: field,
                                             file: File.posts, line: e.line, entry: p.id, maxLevel: maxLevel,
                                             exists: competencyIDs.contains, into: &problems)
                        if req.importance < 1 || req.importance > 5 {
                            problems.append(ModelProblem(.outOfRange, file: File.posts, line: e.line, entry: p.id, field: field + ".importance",
                                                         message: "importance \(req.importance) is outside 1…5"))
                        }
                    }
                }
            }
        }

        checkTitles(occupationCodes: occupationCodes, postAliasOwner: &postAliasOwner, into: &problems)

        // courses.jsonl
        checkIDs(contents.courses, file: File.courses) { $0.id }
        for e in contents.courses {
            Self.checkCourse(e.value, line: e.line, file: File.courses, maxLevel: maxLevel,
                             competencyExists: competencyIDs.contains, certificateExists: certificateIDs.contains,
                             into: &problems)
        }
    }

    /// `(field, text)` of a name and its aliases, for problems.
    private func aliasFields(name: LocalizedText, aliases: AliasList, cased: [String] = []) -> [(String, String)] {
        [("name.zh", name.zh), ("name.en", name.en)]
            + aliases.zh.enumerated().map { ("aliases.zh[\($0)]", $1) }
            + aliases.en.enumerated().map { ("aliases.en[\($0)]", $1) }
            + cased.enumerated().map { ("casedAliases[\($0)]", $1) }
    }

    /// After normalisation a name or alias belongs to one competency only and must not equal a
    /// certificate's name or alias; within an entry, each form is listed once (a warning).
    private func claimAliases(file: String, line: Int?, entry: String, name: LocalizedText, aliases: AliasList,
                              cased: [String] = [], owners: inout [String: (id: String, line: Int?, file: String)],
                              problems: inout [ModelProblem]) {
        var own = Set<String>()
        for (index, (field, text)) in aliasFields(name: name, aliases: aliases, cased: cased).enumerated() {
            let key = normalizer.key(text)
            if key.isEmpty {
                if index >= 2 {
                    problems.append(ModelProblem(.invalidValue, file: file, line: line, entry: entry, field: field, message: "empty alias"))
                }
                continue
            }
            guard own.insert(key).inserted else {
                if index >= 2 {
                    problems.append(ModelProblem(.duplicateAlias, severity: .warning, file: file, line: line, entry: entry, field: field,
                                                 message: "\"\(text)\" repeats a name or alias of the same entry after normalisation"))
                }
                continue
            }
            if let other = owners[key] {
                let place = other.file == file ? (other.line.map { "line \($0)" } ?? "") : other.file + (other.line.map { ":\($0)" } ?? "")
                problems.append(ModelProblem(.duplicateAlias, file: file, line: line, entry: entry, field: field,
                                             message: "\"\(text)\" also names \(other.id)\(place.isEmpty ? "" : " (\(place))")"))
            } else {
                owners[key] = (entry, line, file)
            }
        }
    }
}
