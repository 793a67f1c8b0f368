import Foundation
import HTTPTypes
import Testing
@testable import matchd

/// `matchd import`: reading CSV and JSON Lines files into records numbered with the file's own
/// lines, committing them, and sending them to a server in chunks.
@Suite struct ImportFileTests {
    /// Talents as CSV, checked by hand: the line each record starts on is in the comment list
    /// below the fixture. Line 3's résumé spans lines 3-5, line 7 is blank, line 11's name has
    /// escaped quotes and its text spans lines 11-12.
    static let talentsCSV = """
        id,displayName,city,salaryMin,salaryMax,level,searchable,skills,text
        t-csv-1,Ada,上海,20000,30000,5,yes,prog.python:6;data.mysql:4,Python developer
        t-csv-2,Bo,北京,,,,,data.mysql:3,"first line of the résumé
        second line, with a comma
        third line"
        t-csv-3,Cy,上海,lots,,,,prog.python:5,

        t-csv-4,Di,,,,senior,,prog.python:5,
        t-csv-5,Ed,,,,,,no.such.competency:4,
        t-csv-6,Fay,,,,,,prog.python,
        t-csv-7,"Gus ""the quick""\",,,,,,prog.python:7,"one
        two"
        t-csv-8,Hal,,,,,maybe,prog.python:2;data.mysql:x,
        t-csv-9,Ida,深圳,10000,,4,0,data.mysql:5,
        """
    // Records start on lines 2 (t-csv-1), 3 (t-csv-2), 6 (t-csv-3: salaryMin "lots"), 8 (t-csv-4:
    // level "senior"), 9 (t-csv-5: unknown competency, refused by the engine), 10 (t-csv-6: a
    // skill without a level), 11 (t-csv-7), 13 (t-csv-8: searchable "maybe" and level "x"),
    // 14 (t-csv-9).
    static let expectedStarts = ["t-csv-1": 2, "t-csv-2": 3, "t-csv-3": 6, "t-csv-4": 8, "t-csv-5": 9, "t-csv-6": 10,
                                 "t-csv-7": 11, "t-csv-8": 13, "t-csv-9": 14]

    /// Every record's line, whether read or refused, keyed by id.
    static func starts(_ file: ImportFile) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for r in file.records {
            let object = try JSONSerialization.jsonObject(with: r.json) as? [String: Any]
            out[try #require(object?["id"] as? String)] = r.line
        }
        for e in file.errors { out[try #require(e.id)] = e.line }
        return out
    }

    @Test(arguments: ["\n", "\r\n"])
    func csvRecordsCarryTheLineTheyStartOn(newline: String) throws {
        let text = Self.talentsCSV.replacingOccurrences(of: "\n", with: newline)
        let file = try ImportFile.csv(text, kind: .talents)
        #expect(file.count == 9, "the blank line is no record")
        #expect(try Self.starts(file) == Self.expectedStarts)
        // The oracle the table above was written from: the file's line at each start begins with its id.
        let fileLines = Self.talentsCSV.split(separator: "\n", omittingEmptySubsequences: false)
        for (id, line) in try Self.starts(file) {
            #expect(fileLines[line - 1].hasPrefix(id + ","), "line \(line) should start record \(id)")
        }
    }

    @Test func csvCellsThatDoNotParseRefuseTheirRecordNamingColumnAndValue() throws {
        let file = try ImportFile.csv(Self.talentsCSV, kind: .talents)
        #expect(file.records.map(\.line) == [2, 3, 9, 11, 14])
        #expect(file.errors.map(\.line) == [6, 8, 10, 13])
        #expect(file.errors.allSatisfy { $0.code == ErrorCode.invalidImportLine.rawValue })
        let byLine = Dictionary(uniqueKeysWithValues: file.errors.map { ($0.line, $0) })
        #expect(byLine[6]?.field == "salaryMin" && byLine[6]?.message == #"salaryMin: "lots" is not a whole number"#)
        #expect(byLine[8]?.field == "level" && byLine[8]?.message == #"level: "senior" is not a whole number"#)
        #expect(byLine[10]?.field == "skills" && byLine[10]?.message.hasPrefix(#"skills: "prog.python" has no level"#) == true)
        // Both problems of line 13 are named; the field is the first.
        #expect(byLine[13]?.field == "searchable" && byLine[13]?.id == "t-csv-8")
        #expect(byLine[13]?.message.contains(#"searchable: "maybe""#) == true)
        #expect(byLine[13]?.message.contains(#"skills: "data.mysql:x" has level "x""#) == true)
    }

    @Test func csvCellsBecomeTheAPIsInput() throws {
        let file = try ImportFile.csv(Self.talentsCSV, kind: .talents)
        let decoded = try file.records.map { try JSONDecoder().decode(S.TalentInput.self, from: $0.json) }
        let byID = Dictionary(uniqueKeysWithValues: decoded.map { ($0.id!, $0) })
        let ada = try #require(byID["t-csv-1"])
        #expect(ada.displayName == "Ada" && ada.city == "上海" && ada.level == 5 && ada.searchable == true)
        #expect(ada.salary == S.Salary(min: 20_000, max: 30_000))
        #expect(ada.profile.skills?.map { "\($0.competency):\($0.level)" } == ["prog.python:6", "data.mysql:4"])
        let bo = try #require(byID["t-csv-2"])
        #expect(bo.profile.text == "first line of the résumé\nsecond line, with a comma\nthird line")
        #expect(bo.salary == nil && bo.level == nil && bo.searchable == nil && bo.city == "北京")
        #expect(byID["t-csv-7"]?.displayName == #"Gus "the quick""#)
        #expect(byID["t-csv-9"]?.searchable == false && byID["t-csv-9"]?.salary == S.Salary(min: 10_000, max: nil))
    }

    @Test func csvJobsAcceptARequirementWithoutLevel() throws {
        let csv = """
            id,employerId,title,requirements,level
            j-1,emp-a,Backend,prog.python:5;data.mysql,6
            j-2,emp-a,Frontend,prog.python:five,
            """
        let file = try ImportFile.csv(csv, kind: .jobs)
        let job = try JSONDecoder().decode(S.JobInput.self, from: try #require(file.records.first).json)
        #expect(job.requirements?.map(\.competency) == ["prog.python", "data.mysql"])
        #expect(job.requirements?.map(\.level) == [5, nil] && job.level == 6)
        #expect(file.errors.map(\.line) == [3] && file.errors.first?.field == "requirements")
    }

    @Test func csvFilesTheImportCannotRead() {
        #expect(throws: ImportFileError.self) { try ImportFile.csv("id,displayName,salary_min\nt,T,1\n", kind: .talents) }
        #expect(throws: ImportFileError.self) { try ImportFile.csv("displayName\nT\n", kind: .talents) }
        #expect(throws: ImportFileError.self) { try ImportFile.csv("id,id,displayName\n", kind: .talents) }
        #expect(throws: ImportFileError.self) { try ImportFile.csv("", kind: .talents) }
        #expect(throws: ImportFileError.self) { try ImportFile.csv("id\n", kind: .courses) }
        // A byte order mark (as spreadsheets write) is not part of the first column's name.
        #expect((try? ImportFile.csv("\u{FEFF}id,displayName\nt-1,T\n", kind: .talents))?.records.map(\.line) == [2])
    }

    @Test func csvRowsWithTheWrongNumberOfCells() throws {
        let file = try ImportFile.csv("id,displayName,city\nt-1,One\nt-2,Two,上海,extra\nt-3,Three,上海\n", kind: .talents)
        #expect(file.records.map(\.line) == [4])
        #expect(file.errors.map(\.line) == [2, 3] && file.errors.allSatisfy { $0.field == "row" })
    }

    /// JSON Lines, checked by hand: line 2 is blank, 3 has a salary of the wrong type, 5 is no JSON.
    static let talentsJSONL = """
        {"id":"t-jl-1","displayName":"One","profile":{"skills":[{"competency":"prog.python","level":5}]}}

        {"id":"t-jl-3","displayName":"Three","salary":{"min":"lots"},"profile":{}}
        {"id":"t-jl-4","displayName":"Four","profile":{"skills":[{"competency":"data.mysql","level":4}]}}
        {"id":"t-jl-5","displayName":
        """

    @Test func localImportCommitsValidRecordsAndNumbersTheOthersWithFileLines() async throws {
        try await TestService.run(seed: false) { api in
            let csv = try ImportFile.csv(Self.talentsCSV, kind: .talents)
            var reported: [Int] = []
            let outcome = try await ImportRun.local(csv, kind: .talents, engine: api.engine) { reported.append($0) }
            #expect(outcome.processed == 9 && reported.last == 9)
            #expect(outcome.errors.map(\.line) == [6, 8, 9, 10, 13])
            let unknown = try #require(outcome.errors.first { $0.line == 9 })
            #expect(unknown.code == "embeddings.unknown_competency" && unknown.id == "t-csv-5")
            for id in ["t-csv-1", "t-csv-2", "t-csv-7", "t-csv-9"] {
                #expect(try await api.get("/v1/talents/\(id)", as: .admin).status == .ok, "\(id) is committed")
            }
            for id in ["t-csv-3", "t-csv-4", "t-csv-5", "t-csv-6", "t-csv-8"] {
                #expect(try await api.get("/v1/talents/\(id)", as: .admin).status == .notFound, "\(id) is refused")
            }
            let bo: S.Talent = try await api.get("/v1/talents/t-csv-2", as: .admin).decode()
            #expect(bo.profile.text?.contains("second line, with a comma") == true)

            for newline in ["\n", "\r\n"] {
                let jsonl = ImportFile.jsonLines(Data(Self.talentsJSONL.replacingOccurrences(of: "\n", with: newline).utf8))
                #expect(jsonl.records.map(\.line) == [1, 3, 4, 5])
                let result = try await ImportRun.local(jsonl, kind: .talents, engine: api.engine)
                #expect(result.processed == 4 && result.errors.map(\.line) == [3, 5])
                #expect(result.errors.first?.field == "salary.min")
                #expect(result.errors.allSatisfy { $0.code == ErrorCode.invalidImportLine.rawValue })
            }
            #expect(try await api.get("/v1/talents/t-jl-4", as: .admin).status == .ok)
        }
    }

    // MARK: Chunks (matchd import --url)

    /// Records with gaps between their lines, as a file with blank lines gives them.
    static func records(_ count: Int, bytes: Int = 20) -> [ImportFile.Record] {
        (0..<count).map { i in
            let id = "t-\(i)"
            let pad = String(repeating: "x", count: max(1, bytes - 42 - id.count))
            return .init(line: 1 + 3 * i, json: Data(#"{"id":"\#(id)","displayName":"\#(pad)","profile":{}}"#.utf8))
        }
    }

    @Test(arguments: [(10, 3, 1 << 20), (10, 1000, 1 << 20), (7, 7, 1 << 20), (9, 100, 100), (1, 1, 1), (0, 5, 100)])
    func chunksKeepEveryRecordInOrderWithinTheirLimits(count: Int, maxLines: Int, maxBytes: Int) {
        let records = Self.records(count, bytes: 40)
        let chunks = ImportChunk.split(records, maxLines: maxLines, maxBytes: maxBytes)
        #expect(chunks.flatMap(\.lines) == records.map(\.line))
        #expect(chunks.reduce(Data()) { $0 + $1.body } == records.reduce(Data()) { $0 + $1.json + Data("\n".utf8) })
        for chunk in chunks {
            #expect(chunk.lines.count <= maxLines)
            #expect(chunk.body.count <= maxBytes || chunk.lines.count == 1, "only a lone record may pass maxBytes")
        }
        // The fewest chunks the limits allow: each chunk but the last is full by one of them.
        for (chunk, next) in zip(chunks, chunks.dropFirst()) {
            let nextSize = records.first { $0.line == next.lines[0] }!.json.count + 1
            #expect(chunk.lines.count == maxLines || chunk.body.count + nextSize > maxBytes)
        }
    }

    /// A server without a network: decodes each body with the import's reader and refuses every
    /// line whose id ends in 3 or 7, numbering lines within the body as the endpoint does.
    static func fakeServer(_ body: Data) throws -> S.ImportResult {
        var reader = ImportReader(kind: .talents, limit: .max)
        var errors: [S.ImportResult.ErrorsPayloadPayload] = []
        var lines = 0
        for decoded in try reader.feed(body) + reader.finish() {
            lines += 1
            switch decoded {
            case .item(let line, let item):
                if let id = item.id, id.hasSuffix("3") || id.hasSuffix("7") {
                    errors.append(.init(line: line, id: id, code: "request.invalid_field", message: "refused"))
                }
            case .error(let e):
                errors.append(.init(line: e.line, code: e.code, message: e.message))
            }
        }
        return .init(kind: .talents, lines: lines, accepted: lines - errors.count, rejected: errors.count, errors: errors)
    }

    @Test func chunkedImportMergesErrorsWithTheFileLines() async throws {
        let file = ImportFile(records: Self.records(25), errors: [.init(line: 2, id: "t-bad", code: "import.invalid_line",
                                                                        message: "bad cell", field: "level")])
        var bodies = 0
        var reported: [Int] = []
        let outcome = await ImportRun.remote(file, maxLines: 4, send: { body in
            bodies += 1
            return try Self.fakeServer(body)
        }, progress: { reported.append($0) })
        #expect(bodies == 7 && outcome.failure == nil)
        #expect(reported == [5, 9, 13, 17, 21, 25, 26])
        #expect(outcome.processed == 26)
        // Oracle: the refused ids and the lines `records` gave them, plus the file's own error.
        let refused = (0..<25).filter { $0 % 10 == 3 || $0 % 10 == 7 }
        #expect(outcome.errors.map(\.line) == [2] + refused.map { 1 + 3 * $0 })
        #expect(outcome.errors.dropFirst().map(\.id) == refused.map { "t-\($0)" })
    }

    @Test func aChunkRefusedAsAWholeStopsTheImport() async throws {
        struct Refused: Error {}
        let file = ImportFile(records: Self.records(10))
        var sent = 0
        let outcome = await ImportRun.remote(file, maxLines: 4, send: { body in
            sent += 1
            if sent == 2 { throw Refused() }
            return try Self.fakeServer(body)
        })
        #expect(sent == 2 && outcome.processed == 4)
        #expect(outcome.errors.map(\.line) == [1 + 3 * 3])
        #expect(outcome.failure?.contains("file lines 13…22") == true)
        #expect(outcome.failure?.contains("before line 13 are imported") == true)
    }

    @Test func aServerNumberingLinesTheChunkLacksIsAFailure() async {
        let outcome = await ImportRun.remote(ImportFile(records: Self.records(2)), send: { _ in
            .init(kind: .talents, lines: 2, accepted: 1, rejected: 1, errors: [.init(line: 3, code: "x", message: "y")])
        })
        #expect(outcome.failure != nil && outcome.errors.isEmpty && outcome.processed == 0)
    }
}

/// An import line with a control character is refused by its line and field; the lines around it decode.
@Suite struct ImportControlCharacterTests {
    @Test func aNULInALineIsRefusedWithItsField() throws {
        var reader = ImportReader(kind: .talents, limit: .max)
        let body = #"{"id":"t-1","displayName":"ok","profile":{}}"# + "\n"
            + #"{"id":"t-2","displayName":"a\u0000b","profile":{}}"# + "\n"
            + #"{"id":"t-3","displayName":"back\\u0000slash is text","profile":{}}"# + "\n"
        let decoded = try reader.feed(Array(body.utf8)) + reader.finish()
        #expect(decoded.count == 3)
        guard case .item(1, _) = decoded[0] else { Issue.record("line 1: \(decoded[0])"); return }
        guard case .error(let e) = decoded[1] else { Issue.record("line 2 was accepted"); return }
        #expect(e.line == 2 && e.field == "displayName" && e.code == "request.invalid_field")
        // An escaped backslash before "u0000" is text, not a NUL.
        guard case .item(3, _) = decoded[2] else { Issue.record("line 3: \(decoded[2])"); return }
        var again = ImportReader(kind: .talents, limit: .max)
        let null = try again.feed(Array((#"{"id":"t-4","displayName":"nullable","city":null,"profile":{}}"# + "\n").utf8))
        guard case .error(let n) = null.first else { Issue.record("a null was accepted"); return }
        #expect(n.field == "city" && n.message.contains("null"))
    }
}
