extension ModelValidator {
    /// `titles.jsonl`: market titles of occupations without a post, each occupation once, with a
    /// Chinese title, and every title unique among post names and aliases (`postAliasOwner`).
    func checkTitles(occupationCodes: Set<String>, postAliasOwner: inout [String: (id: String, line: Int?, file: String)],
                     into problems: inout [ModelProblem]) {
        let postOccupations = Set(contents.posts.map(\.value.occupation))
        var titledOccupations: [String: Int?] = [:]
        for e in contents.titles {
            let t = e.value
            let entry = t.occupation
            if !occupationCodes.contains(t.occupation) {
                problems.append(ModelProblem(.unknownReference, file: File.titles, line: e.line, entry: entry, field: "occupation",
                                             message: "occupation \"\(t.occupation)\" is not in occupations.tsv"))
            } else if postOccupations.contains(t.occupation) {
                problems.append(ModelProblem(.invalidValue, file: File.titles, line: e.line, entry: entry, field: "occupation",
                                             message: "occupation \"\(t.occupation)\" has a post; its titles belong in the post's aliases"))
            }
            if let first = titledOccupations[t.occupation] {
                problems.append(ModelProblem(.duplicateID, file: File.titles, line: e.line, entry: entry, field: "occupation",
                                             message: "occupation \"\(t.occupation)\" is listed twice" + (first.map { " (first on line \($0))" } ?? "")))
            } else {
                titledOccupations[t.occupation] = e.line
            }
            if t.aliases.zh.isEmpty {
                problems.append(ModelProblem(.invalidValue, file: File.titles, line: e.line, entry: entry, field: "aliases.zh",
                                             message: "an occupation's market titles need at least one Chinese title"))
            }
            for (field, text) in t.aliases.zh.enumerated().map({ ("aliases.zh[\($0)]", $1) })
                + t.aliases.en.enumerated().map({ ("aliases.en[\($0)]", $1) }) {
                let key = normalizer.key(text)
                if key.isEmpty {
                    problems.append(ModelProblem(.invalidValue, file: File.titles, line: e.line, entry: entry, field: field, message: "empty title"))
                } else if let other = postAliasOwner[key], other.id != t.occupation {
                    let place = other.file + (other.line.map { ":\($0)" } ?? "")
                    problems.append(ModelProblem(.duplicateAlias, file: File.titles, line: e.line, entry: entry, field: field,
                                                 message: "\"\(text)\" also names \(other.id) (\(place))"))
                } else if postAliasOwner[key] != nil {
                    problems.append(ModelProblem(.duplicateAlias, severity: .warning, file: File.titles, line: e.line, entry: entry,
                                                 field: field, message: "\"\(text)\" is listed twice for this occupation"))
                } else {
                    postAliasOwner[key] = (t.occupation, e.line, File.titles)
                }
            }
        }
    }
}
