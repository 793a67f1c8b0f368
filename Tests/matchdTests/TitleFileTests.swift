import Embeddings
import Foundation
import Testing
import TestSupport
@testable import matchd

/// `matchd classify --input`: a file of titles in, the same rows out with the coder's columns;
/// a bad row is reported by its line and the others are still coded.
@Suite struct TitleFileTests {
    static func coder() async throws -> OccupationCoder {
        let shared = try await SharedModel.value
        return OccupationCoder(model: shared.model, vectorizer: Vectorizer(model: shared.model, latent: shared.latent))
    }

    static func run(_ text: String, format: String) async throws -> (TitleFile, String) {
        let dir = try Fixtures.temporaryDirectory("titles")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("titles.\(format)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let file = try TitleFile.read(url, format: format)
        let results = file.classify(with: try await coder())
        return (file, file.write(results))
    }

    @Test func csvKeepsItsColumnsAndNamesTheBadLine() async throws {
        let csv = "id,title,description\n1,电工,\n2,\"前台, 行政\",\"负责接待来访客户\n管理会议室\"\n3,,\n4,Java开发工程师,\n"
        let (file, out) = try await Self.run(csv, format: "csv")
        #expect(file.rows.map(\.line) == [2, 3, 5, 6])
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "id,title,description,code,name,digital,confidence,status,post,error")
        #expect(lines[1].hasPrefix("1,电工,,6-31-01-03,电工,false,"))
        #expect(out.contains("3,,,,,,,error,,line 5: title: is empty"))
        #expect(out.contains("4,Java开发工程师,,2-02-10-03,"))
        // The quoted cell with a comma and a line break is written back quoted.
        #expect(out.contains("\"前台, 行政\",\"负责接待来访客户\n管理会议室\""))
    }

    @Test func jsonLinesAddTheClassificationOrTheError() async throws {
        let jsonl = #"{"id":"a","title":"AI训练师-兼职"}"# + "\n" + #"{"id":"b","title":7}"# + "\nnot json\n"
        let (_, out) = try await Self.run(jsonl, format: "jsonl")
        let objects = try out.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 3)
        let first = try #require(objects[0]["classification"] as? [String: Any])
        #expect((first["occupation"] as? [String: Any])?["code"] as? String == "4-04-05-05")
        #expect((objects[1]["error"] as? [String: Any])?["line"] as? Int == 2)
        #expect((objects[1]["error"] as? [String: Any])?["message"] as? String == "title: must be a string")
        #expect((objects[2]["error"] as? [String: Any])?["message"] as? String == "not a JSON object")
    }
}
