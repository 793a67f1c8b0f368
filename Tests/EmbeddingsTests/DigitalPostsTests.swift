import Embeddings
import Foundation
import Testing
import TestSupport

/// Every digital occupation of the 2022 classification is a post of the bundled model, under its
/// official code and name, and the model's occupations file is the classification's.
@Suite(.enabled(if: Bundled.isPresent, "the bundled model is not in this checkout"))
struct DigitalPostsTests {
    /// The classification as published (`../shared/reference`, beside the checkout), when present;
    /// else the model's own copy, which the next test holds against it.
    static let shared = Fixtures.root.deletingLastPathComponent().appendingPathComponent("shared/reference")

    struct Row: Hashable { var code, name, marker: String }

    static func rows(_ url: URL) throws -> [Row] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
        return lines.map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Row(code: f[0], name: f[1], marker: f.count > 2 ? f[2] : "")
        }
    }

    static var sharedIsPresent: Bool {
        FileManager.default.fileExists(atPath: shared.appendingPathComponent("csco2022-occupations-detail.tsv").path)
    }

    @Test func ninetyFiveDigitalOccupationsEachHaveAPostWithTheOfficialName() throws {
        let model = BundledModel.model
        let digital = model.occupations.filter(\.isDigital)
        #expect(digital.count == 95)
        var missing: [String] = []
        for o in digital {
            guard let post = model.post(id: o.code) else { missing.append(o.code); continue }
            #expect(post.occupation == o.code)
            #expect(post.name.zh == o.name, "\(o.code): post \(post.name.zh) vs \(o.name)")
        }
        #expect(missing.isEmpty, "digital occupations without a post: \(missing)")
        // Directions keep their occupation's name before the direction.
        for post in model.posts where post.direction != nil {
            let o = try #require(model.occupation(code: post.occupation), "\(post.id)")
            #expect(post.name.zh.hasPrefix(o.name), "\(post.id): \(post.name.zh)")
        }
    }

    @Test(.enabled(if: DigitalPostsTests.sharedIsPresent, "../shared/reference is not beside this checkout"))
    func occupationsEqualTheClassificationFiles() throws {
        let detail = Set(try Self.rows(Self.shared.appendingPathComponent("csco2022-occupations-detail.tsv")))
        let model = BundledModel.model
        let ours = Set(model.occupations.map { Row(code: $0.code, name: $0.name, marker: $0.marker) })
        #expect(ours == detail, "differ: \(ours.symmetricDifference(detail).prefix(10))")
        let digital = try Self.rows(Self.shared.appendingPathComponent("csco2022-digital-occupations.tsv"))
        #expect(Set(digital.map(\.code)) == Set(model.occupations.filter(\.isDigital).map(\.code)))
        #expect(digital.count == 95)
    }

    @Test func version1StillLoads() {
        let problems = CompetencyModel.validate(directory: Bundled.v1)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }
}
