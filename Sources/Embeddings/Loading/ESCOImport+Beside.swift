public import Foundation

extension ESCOImport {
    /// What `run(source:destination:beside:options:)` changed to fit ESCO beside the base model.
    public struct BesideReport: Sendable, Equatable {
        /// The ESCO import itself.
        public var esco: Report
        /// The combined model's id (`<base id>-<Options.modelID>`).
        public var modelID = ""
        public var baseCompetencies = 0
        public var basePosts = 0
        /// ESCO skills and occupations whose name the base model already uses: " (ESCO)" appended.
        public var renamed: [String] = []
        /// ESCO aliases (normalised) dropped because the base model uses them.
        public var droppedAliases: [String] = []
    }

    /// Imports ESCO as `run(source:destination:options:)` does, then writes at `destination` a
    /// copy of the model in `base` with the ESCO part added, so that a deployment matches against
    /// both:
    /// - the base files are copied line for line (their line numbers stay), ESCO entries appended;
    /// - ESCO ids never collide: competencies are `esco.<uuid>` already, posts and occupations
    ///   get the prefix `<Options.modelID>.` (`esco.2511.4`), domains are `esco-…`, the source is
    ///   `ESCO`; ESCO's own proficiency labels are left out (the base scale reads levels);
    /// - an ESCO name the base model (or an earlier ESCO entry) already uses gets " (ESCO)"
    ///   appended; ESCO aliases the base uses are dropped (a form names one competency only);
    /// - ESCO posts carry no `edition` (the base classification's editions do not apply; the ESCO
    ///   release is in the source's title), and the combined model declares no `languages`,
    ///   since ESCO's part is English-only;
    /// - the result is validated in memory with every rule of `models/README.md` before a file is
    ///   written.
    /// - Throws: `.invalidModel` when `base` or the result breaks a rule, `.invalidESCO`, `.io`.
    @discardableResult
    public static func run(source: URL, destination: URL, beside base: URL,
                           options: Options = Options()) throws(EmbeddingsError) -> BesideReport {
        let (baseRead, baseProblems) = CompetencyModel.read(directory: base)
        let baseErrors = baseProblems.filter { $0.severity == .error }
        guard let baseContents = baseRead, baseErrors.isEmpty else { throw .invalidModel(problems: baseErrors) }

        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("matchd-esco-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: staging) }
        var report = BesideReport(esco: try run(source: source, destination: staging, options: options))
        let (escoRead, escoProblems) = CompetencyModel.read(directory: staging)
        let escoErrors = escoProblems.filter { $0.severity == .error }
        guard let esco = escoRead, escoErrors.isEmpty else { throw .invalidModel(problems: escoErrors) }

        let normalizer = TextNormalizer.shared
        let prefix = options.modelID + "."
        func prefixed(_ code: String) -> String { code.hasPrefix(prefix) ? code : prefix + code }

        // Competency forms: one owner per normalised form, base first.
        var taken = Set<String>()
        for c in baseContents.competencies.map(\.value) {
            for text in [c.name.zh, c.name.en] + c.aliases.all + c.casedAliases { taken.insert(normalizer.key(text)) }
        }
        for c in baseContents.certificates.map(\.value) {
            for text in [c.name.zh, c.name.en] + c.aliases.all { taken.insert(normalizer.key(text)) }
        }
        var dropped = Set<String>()
        func uniqueName(_ name: String, id: String, in taken: inout Set<String>) -> String {
            guard taken.contains(normalizer.key(name)) else { return name }
            report.renamed.append(id)
            var candidate = name + " (ESCO)"
            var n = 2
            while taken.contains(normalizer.key(candidate)) {
                candidate = name + " (ESCO \(n))"
                n += 1
            }
            return candidate
        }
        /// An ESCO entry's name (renamed when taken, in both languages) and its English aliases
        /// (those already taken dropped), each claimed in `taken`.
        func claim(_ name: inout LocalizedText, _ aliases: inout [String], id: String, in taken: inout Set<String>) {
            let unique = uniqueName(name.en, id: id, in: &taken)
            name = LocalizedText(zh: unique, en: unique)
            taken.insert(normalizer.key(unique))
            aliases = aliases.filter {
                let key = normalizer.key($0)
                if taken.contains(key) { dropped.insert(key); return false }
                taken.insert(key)
                return true
            }
        }
        var competencies: [Competency] = []
        for var c in esco.competencies.map(\.value) {
            claim(&c.name, &c.aliases.en, id: c.id, in: &taken)
            competencies.append(c)
        }
        // Post names and aliases: one post each.
        var postTaken = Set<String>()
        for p in baseContents.posts.map(\.value) {
            for text in [p.name.zh, p.name.en] + p.aliases.all { postTaken.insert(normalizer.key(text)) }
        }
        var posts: [Post] = []
        for var p in esco.posts.map(\.value) {
            p.id = prefixed(p.id)
            p.occupation = prefixed(p.occupation)
            p.edition = nil
            claim(&p.name, &p.aliases.en, id: p.id, in: &postTaken)
            posts.append(p)
        }
        let occupations = esco.occupations.map(\.value).map {
            Occupation(code: prefixed($0.code), name: $0.name, marker: $0.marker)
        }
        report.droppedAliases = dropped.sorted()

        var manifest = baseContents.manifest
        manifest.id = "\(manifest.id)-\(options.modelID)"
        manifest.name = LocalizedText(zh: manifest.name.zh + "（附 ESCO）", en: manifest.name.en + " with ESCO")
        manifest.languages = []
        manifest.description = LocalizedNote(
            zh: "模型 \(baseContents.manifest.id) v\(baseContents.manifest.version) 与 ESCO \(options.edition) 的合并：前者的条目原样保留，ESCO 的职业与技能以 \(prefix) 前缀加入。",
            en: "Model \(baseContents.manifest.id) v\(baseContents.manifest.version) combined with ESCO \(options.edition): "
                + "the former's entries unchanged, ESCO's occupations and skills added under the prefix \(prefix)")
        for s in esco.manifest.sources {
            var s = s
            s.title += " (\(options.edition))"
            manifest.sources.append(s)
        }
        manifest.domains += esco.manifest.domains
        manifest.syntheticFiles = baseContents.manifest.syntheticFiles
        report.modelID = manifest.id
        report.baseCompetencies = baseContents.competencies.count
        report.basePosts = baseContents.posts.count

        // Every rule, before anything is written.
        _ = try CompetencyModel.make(
            manifest: manifest, levels: baseContents.levels.map(\.value),
            competencies: baseContents.competencies.map(\.value) + competencies,
            posts: baseContents.posts.map(\.value) + posts, certificates: baseContents.certificates.map(\.value),
            courses: baseContents.courses.map(\.value), occupations: baseContents.occupations.map(\.value) + occupations)

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        func baseText(_ file: String) throws(EmbeddingsError) -> String {
            let url = base.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path) else { return "" }
            do {
                let text = try String(contentsOf: url, encoding: .utf8)
                return text.isEmpty || text.hasSuffix("\n") ? text : text + "\n"
            } catch {
                throw .io(path: url.path, message: error.localizedDescription)
            }
        }
        typealias File = CompetencyModel.File
        var files: [(String, String)] = []
        do {
            files = [
                (File.manifest, String(decoding: try pretty.encode(manifest), as: UTF8.self) + "\n"),
                (File.competencies, try baseText(File.competencies)
                    + (try competencies.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined())),
                (File.posts, try baseText(File.posts)
                    + (try posts.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined())),
                (File.occupations, try {
                    // Rows take the base file's layout: 3 columns, or 5 with definition and tasks.
                    let base = try baseText(File.occupations)
                    let wide = base.prefix { $0 != "\n" }.split(separator: "\t").count >= 5
                    func cell(_ s: String) -> String { s.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }
                    return base + occupations.map {
                        "\($0.code)\t\(cell($0.name))\t\($0.marker)" + (wide ? "\t\(cell($0.definition))\t\(cell($0.tasks))" : "") + "\n"
                    }.joined()
                }()),
                (File.levels, try baseText(File.levels)),
                (File.certificates, try baseText(File.certificates)),
                (File.courses, try baseText(File.courses)),
            ]
        } catch let error as EmbeddingsError {
            throw error
        } catch {
            throw .io(path: destination.path, message: "cannot encode the model: \(error)")
        }
        do {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            throw .io(path: destination.path, message: "cannot create the directory: \(error.localizedDescription)")
        }
        for (file, text) in files {
            let url = destination.appendingPathComponent(file)
            do { try text.write(to: url, atomically: true, encoding: .utf8) } catch {
                throw .io(path: url.path, message: error.localizedDescription)
            }
        }
        return report
    }
}
