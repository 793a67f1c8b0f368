import Matcher
import TestSupport
import Testing

struct ConcurrencyTests {
    /// A writer publishes generations 1, 2, … where every row of generation g scores exactly g
    /// against the all-ones query, with replacements (tombstones) and compactions in between.
    /// Readers search meanwhile: a torn snapshot would mix generations or lose rows.
    @Test("readers never see a torn write while a writer publishes")
    func readersDuringWrites() async throws {
        let d = 8, rows = 3000, generations = 40
        let index = try FlatIndex(dimension: d, metric: .innerProduct)
        func vectors(_ g: Int) -> [[Float]] {
            (0..<rows).map { r in (0..<d).map { j in j == r % d ? Float(g) : 0 } }
        }
        let ids = (0..<rows).map { UInt64($0) }
        try index.upsert(ids: ids, vectors: vectors(1))
        let query = [Float](repeating: 1, count: d)

        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for g in 2...generations {
                    try index.upsert(ids: ids, vectors: vectors(g))
                    if g % 7 == 0 { index.compact() }
                    await Task.yield()
                }
                return 0
            }
            for reader in 0..<3 {
                group.addTask {
                    var checked = 0
                    var last = 0
                    while last < generations {
                        let snapshot = index.snapshot
                        #expect(snapshot.count == rows, "reader \(reader)")
                        let hits = try snapshot.search(query, k: rows)
                        let scores = Set(hits.map(\.score))
                        #expect(hits.count == rows && scores.count == 1, "reader \(reader): mixed generations \(scores.sorted())")
                        let g = Int(scores.first ?? 0)
                        #expect(g >= last, "reader \(reader): went back from \(last) to \(g)")
                        #expect(hits.map(\.id) == ids, "reader \(reader): ties not in id order")
                        last = g
                        checked += 1
                        await Task.yield()
                    }
                    return checked
                }
            }
            var total = 0
            for try await n in group { total += n }
            #expect(total > 0)
        }
    }
}
