public import Foundation

extension CompetencyModel {
    /// The files of a model directory (`models/README.md`).
    public enum File {
        public static let manifest = "model.json"
        public static let occupations = "occupations.tsv"
        public static let levels = "levels.jsonl"
        public static let competencies = "competencies.jsonl"
        public static let posts = "posts.jsonl"
        public static let certificates = "certificates.jsonl"
        public static let courses = "courses.jsonl"
        public static let titles = "titles.jsonl"
        public static let all = [manifest, occupations, levels, competencies, posts, certificates, courses, titles]
    }

    /// Loads and validates the model in `directory`.
    ///
    /// - Throws: `EmbeddingsError.invalidModel` listing every problem (errors and warnings) when
    ///   any rule of `models/README.md` is broken with severity `.error`.
    /// - Complexity: O(total size of the files); text normalisation tables are built on first use.
    public static func load(from directory: URL) throws(EmbeddingsError) -> CompetencyModel {
        let (contents, problems) = read(directory: directory)
        guard let contents, !problems.contains(where: { $0.severity == .error }) else {
            throw .invalidModel(problems: problems)
        }
        return contents.build()
    }

    /// Every problem of the model in `directory` (errors and warnings), in file order; empty when
    /// it is valid. For `matchd model check`.
    public static func validate(directory: URL) -> [ModelProblem] {
        read(directory: directory).problems
    }

    /// Builds and validates a model from values (no files): the same rules as `load(from:)`,
    /// reported without line numbers.
    public static func make(manifest: Manifest, levels: [LevelLabel], competencies: [Competency], posts: [Post],
                            certificates: [Certificate] = [], courses: [Course] = [],
                            occupations: [Occupation], titles: [OccupationTitles] = []) throws(EmbeddingsError) -> CompetencyModel {
        let contents = ModelContents(manifest: manifest, occupations: occupations.map { Lined(line: nil, value: $0) },
                                     levels: levels.map { Lined(line: nil, value: $0) },
                                     competencies: competencies.map { Lined(line: nil, value: $0) },
                                     posts: posts.map { Lined(line: nil, value: $0) },
                                     certificates: certificates.map { Lined(line: nil, value: $0) },
                                     courses: courses.map { Lined(line: nil, value: $0) },
                                     titles: titles.map { Lined(line: nil, value: $0) })
        var problems: [ModelProblem] = []
        ModelValidator(contents: contents).validate(into: &problems)
        if problems.contains(where: { $0.severity == .error }) { throw .invalidModel(problems: problems) }
        return contents.build()
    }

    /// Problems with a course the service received (for example a user's course), checked
    /// against this model: ids, provider, hours 1…2000, `teaches` non-empty with known
    /// competencies at levels 1…max, prerequisites, certificate. Empty when valid.
    ///
    /// `file` names the source in each problem (`"request"` by default); fields are paths inside
    /// the course (`teaches[0].competency`).
    public func validate(course: Course, file: String = "request") -> [ModelProblem] {
        var problems: [ModelProblem] = []
        ModelValidator.checkCourse(course, line: nil, file: file, maxLevel: levels.max,
                                   competencyExists: { self.competencyIndex[$0] != nil },
                                   certificateExists: { self.certificateIndex[$0] != nil },
                                   into: &problems)
        return problems
    }

    /// `model.validate(course:)`, spelled for call sites that hold the course first.
    public static func validate(course: Course, against model: CompetencyModel, file: String = "request") -> [ModelProblem] {
        model.validate(course: course, file: file)
    }

    static func read(directory: URL) -> (contents: ModelContents?, problems: [ModelProblem]) {
        var problems: [ModelProblem] = []
        func data(_ file: String, required: Bool) -> Data? {
            let url = directory.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path) else {
                problems.append(ModelProblem(.missingFile, severity: required ? .error : .warning, file: file,
                                             message: required ? "the file is missing" : "the file is missing; the model has none"))
                return nil
            }
            do {
                return try Data(contentsOf: url)
            } catch {
                problems.append(ModelProblem(.missingFile, file: file, message: "cannot be read: \(error.localizedDescription)"))
                return nil
            }
        }
        var manifest: Manifest?
        if let d = data(File.manifest, required: true) {
            manifest = JSONLines.decodeOne(Manifest.self, file: File.manifest, line: nil,
                                           text: String(decoding: d, as: UTF8.self), problems: &problems)
        }
        let occupations = data(File.occupations, required: true).map { parseOccupations($0, problems: &problems) } ?? []
        func lines<T: Decodable & Sendable>(_ type: T.Type, _ file: String, required: Bool = true) -> [Lined<T>] {
            guard let d = data(file, required: required) else { return [] }
            return JSONLines.decode(type, file: file, data: d, problems: &problems)
        }
        let levels = lines(LevelLabel.self, File.levels)
        let competencies = lines(Competency.self, File.competencies)
        let posts = lines(Post.self, File.posts)
        let certificates = lines(Certificate.self, File.certificates, required: false)
        let courses = lines(Course.self, File.courses, required: false)
        // Market titles are optional and new in v2: a model without them says nothing about it.
        let titles = FileManager.default.fileExists(atPath: directory.appendingPathComponent(File.titles).path)
            ? lines(OccupationTitles.self, File.titles, required: false) : []
        guard let manifest else { return (nil, problems) }
        let contents = ModelContents(manifest: manifest, occupations: occupations, levels: levels,
                                     competencies: competencies, posts: posts, certificates: certificates,
                                     courses: courses, titles: titles)
        ModelValidator(contents: contents).validate(into: &problems)
        return (contents, problems)
    }

    /// `occupations.tsv`: a header `code<TAB>name<TAB>marker`, optionally followed by
    /// `<TAB>definition<TAB>tasks`, then one occupation a line with as many fields.
    static func parseOccupations(_ data: Data, problems: inout [ModelProblem]) -> [Lined<Occupation>] {
        let file = File.occupations
        guard let text = String(data: data, encoding: .utf8) else {
            problems.append(ModelProblem(.malformedJSON, file: file, message: "the file is not valid UTF-8"))
            return []
        }
        var out: [Lined<Occupation>] = []
        var sawHeader = false
        var columns = 3
        for (i, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if !sawHeader {
                sawHeader = true
                if fields == ["code", "name", "marker", "definition", "tasks"] {
                    columns = 5
                } else if fields != ["code", "name", "marker"] {
                    problems.append(ModelProblem(.invalidValue, file: file, line: i + 1, field: "header",
                                                 message: "expected the header \"code<TAB>name<TAB>marker\" (optionally "
                                                     + "followed by \"<TAB>definition<TAB>tasks\")"))
                }
                continue
            }
            // A trailing empty marker may be left out of a three-column file.
            guard fields.count == columns || (columns == 3 && fields.count == 2) else {
                problems.append(ModelProblem(.invalidValue, file: file, line: i + 1, entry: fields.first,
                                             message: "expected \(columns) tab-separated fields, found \(fields.count)"))
                continue
            }
            out.append(Lined(line: i + 1, value: Occupation(code: fields[0], name: fields[1],
                                                            marker: fields.count >= 3 ? fields[2] : "",
                                                            definition: columns == 5 ? fields[3] : "",
                                                            tasks: columns == 5 ? fields[4] : "")))
        }
        return out
    }
}

/// Everything read from a model directory, before indexing.
struct ModelContents: Sendable {
    var manifest: Manifest
    var occupations: [Lined<Occupation>]
    var levels: [Lined<LevelLabel>]
    var competencies: [Lined<Competency>]
    var posts: [Lined<Post>]
    var certificates: [Lined<Certificate>]
    var courses: [Lined<Course>]
    var titles: [Lined<OccupationTitles>] = []

    func build() -> CompetencyModel {
        CompetencyModel(manifest: manifest, levels: levels.map(\.value), competencies: competencies.map(\.value),
                        posts: posts.map(\.value), certificates: certificates.map(\.value),
                        courses: courses.map(\.value), occupations: occupations.map(\.value),
                        titles: titles.map(\.value))
    }
}
