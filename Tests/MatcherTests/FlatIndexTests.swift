@testable @_spi(Tuning) import Matcher
import TestSupport
import Testing

struct FlatIndexTests {
    @Test("random upserts, replacements and deletes match the reference after every step")
    func mutationsMatchReference() throws {
        var rng = SplitMix64(seed: 2024)
        let d = 5
        let index = try FlatIndex(dimension: d, metric: .innerProduct)
        var reference = ReferenceIndex(dimension: d, metric: .innerProduct)
        for step in 0..<300 {
            let batch = Int.random(in: 1...40, using: &rng)
            var ids = Set<UInt64>()
            while ids.count < batch { ids.insert(UInt64.random(in: 0..<600, using: &rng)) }
            if Int.random(in: 0..<3, using: &rng) == 0 {
                let (_, removed) = index.delete(ids: ids)
                let before = reference.count
                for id in ids { reference.delete(id: id) }
                #expect(removed == before - reference.count, "step \(step)")
            } else {
                let vectors = ids.map { _ in (0..<d).map { _ in Float(Int.random(in: -4...4, using: &rng)) } }
                try index.upsert(ids: Array(ids), vectors: vectors)
                for (id, v) in zip(ids, vectors) { reference.upsert(id: id, vector: v) }
            }
            if step % 50 == 49 { index.compact() }
            let snapshot = index.snapshot
            #expect(snapshot.count == reference.count, "step \(step)")
            let q = (0..<d).map { _ in Float(Int.random(in: -4...4, using: &rng)) }
            #expect(try snapshot.search(q, k: 20) == reference.search(q, k: 20), "step \(step)")
            #expect(try snapshot.search(q, k: 20, filter: nil, after: nil, tuning: SearchTuning(path: .gather))
                    == reference.search(q, k: 20), "step \(step) gather")
        }
    }

    @Test("a replaced row answers with its new vector only; compaction keeps every live row")
    func replaceAndCompact() throws {
        let index = try FlatIndex(dimension: 2, metric: .innerProduct)
        try index.upsert(ids: [1, 2, 3], vectors: [[1, 0], [0, 1], [1, 1]])
        try index.upsert(id: 1, vector: [5, 5])
        var s = index.snapshot
        #expect(s.count == 3)
        #expect(s.rowCount == 4)
        #expect(try s.search([1, 0], k: 10) == [SearchHit(id: 1, score: 5), SearchHit(id: 3, score: 1), SearchHit(id: 2, score: 0)])
        index.delete(ids: [3])
        s = index.compact()
        #expect(s.rowCount == 2)
        #expect(try s.search([1, 1], k: 10) == [SearchHit(id: 1, score: 10), SearchHit(id: 2, score: 1)])
        #expect(index.contains(1) && !index.contains(3))
    }

    @Test("old snapshots stay unchanged by later writes")
    func snapshotIsolation() throws {
        let index = try FlatIndex(dimension: 2, metric: .innerProduct)
        try index.upsert(ids: [1, 2], vectors: [[1, 0], [0, 1]])
        let old = index.snapshot
        try index.upsert(ids: [1, 3], vectors: [[9, 9], [2, 0]])
        index.delete(ids: [2])
        index.compact()
        #expect(try old.search([1, 0], k: 5) == [SearchHit(id: 1, score: 1), SearchHit(id: 2, score: 0)])
        #expect(try index.snapshot.search([1, 0], k: 5) == [SearchHit(id: 1, score: 9), SearchHit(id: 3, score: 2)])
    }

    @Test("bad input is refused with a precise code, and nothing of the batch is written")
    func validation() throws {
        let index = try FlatIndex(dimension: 3, metric: .cosine)
        try index.upsert(id: 7, vector: [1, 0, 0])
        let cases: [(String, () throws(MatcherError) -> Void)] = [
            ("matcher.dimension_mismatch", { () throws(MatcherError) in try index.upsert(ids: [1, 2], vectors: [[1, 0, 0], [1, 0]]) }),
            ("matcher.non_finite_value", { () throws(MatcherError) in try index.upsert(ids: [1, 2], vectors: [[1, 0, 0], [1, .nan, 0]]) }),
            ("matcher.non_finite_value", { () throws(MatcherError) in try index.upsert(ids: [1], vectors: [[.infinity, 0, 0]]) }),
            ("matcher.zero_vector", { () throws(MatcherError) in try index.upsert(ids: [1, 2], vectors: [[1, 0, 0], [0, 0, 0]]) }),
            ("matcher.duplicate_id", { () throws(MatcherError) in try index.upsert(ids: [1, 2, 1], vectors: [[1, 0, 0], [0, 1, 0], [0, 0, 1]]) }),
            ("matcher.invalid_shape", { () throws(MatcherError) in try index.upsert(ids: [1, 2], vectors: [[1, 0, 0]]) }),
            ("matcher.invalid_k", { () throws(MatcherError) in _ = try index.snapshot.search([1, 0, 0], k: 0) }),
            ("matcher.invalid_k", { () throws(MatcherError) in _ = try index.snapshot.search([1, 0, 0], k: FlatIndex.maxK + 1) }),
            ("matcher.dimension_mismatch", { () throws(MatcherError) in _ = try index.snapshot.search([1, 0], k: 1) }),
            ("matcher.zero_vector", { () throws(MatcherError) in _ = try index.snapshot.search([0, 0, 0], k: 1) }),
            ("matcher.non_finite_value", { () throws(MatcherError) in _ = try index.snapshot.search([0, .nan, 0], k: 1) }),
            ("matcher.filter_mismatch", { () throws(MatcherError) in _ = try index.snapshot.search([1, 0, 0], k: 1, filter: RowFilter(rowCount: 5)) }),
            ("matcher.dimension_mismatch", { () throws(MatcherError) in _ = try index.snapshot.search(queries: Matrix(rows: 2, columns: 2), k: 1) }),
            ("matcher.invalid_dimension", { () throws(MatcherError) in _ = try FlatIndex(dimension: 0, metric: .cosine) }),
        ]
        for (code, body) in cases {
            do {
                try body()
                Issue.record("expected \(code)")
            } catch {
                #expect(error.code == code)
                #expect(!error.description.isEmpty)
            }
        }
        #expect(index.count == 1, "a refused batch wrote nothing")
        let err = MatcherError.duplicateID(id: 1, firstIndex: 0, secondIndex: 2)
        #expect(err.description == "id 1 appears twice in the batch (entries 0 and 2)")
        #expect(MatcherError.nonFiniteValue(field: "vectors[1]", position: 1).description == "vectors[1][1] is not a finite number")
    }

    @Test("empty index and empty filters give empty results, not errors")
    func empties() throws {
        let index = try FlatIndex(dimension: 4, metric: .innerProduct)
        #expect(try index.snapshot.search([1, 2, 3, 4], k: 3).isEmpty)
        try index.upsert(ids: [1], vectors: [[1, 1, 1, 1]])
        let s = index.snapshot
        #expect(try s.search([1, 2, 3, 4], k: 3, filter: RowFilter(rowCount: s.rowCount)).isEmpty)
        #expect(try s.search(queries: Matrix(rows: 0, columns: 4), k: 3).isEmpty)
        #expect(try s.search(queries: Matrix(rows: 2, columns: 4, repeating: 1), k: 3) == [[SearchHit(id: 1, score: 4)], [SearchHit(id: 1, score: 4)]])
    }

    @Test("cosine rows are stored normalised; inner product rows as given")
    func metricStorage() throws {
        let cos = try FlatIndex(dimension: 2, metric: .cosine)
        try cos.upsert(id: 1, vector: [3, 4])
        #expect(cos.snapshot.vector(at: RowID(0)) == [0.6, 0.8])
        #expect(try cos.snapshot.search([30, 40], k: 1)[0].score == 1)
        let ip = try FlatIndex(dimension: 2, metric: .innerProduct)
        try ip.upsert(id: 1, vector: [3, 4])
        #expect(try ip.snapshot.search([1, 1], k: 1)[0].score == 7)
    }

    /// A filter extended publication by publication equals one built from scratch, as long as
    /// the layout holds; compaction (automatic past 25 % dead rows, or asked for) changes it.
    @Test("extended filters equal fresh ones across upserts, replacements and deletes")
    func extendedFilterEqualsFresh() throws {
        var rng = SplitMix64(seed: 77)
        let index = try FlatIndex(dimension: 3, metric: .innerProduct)
        let predicate: (UInt64) -> Bool = { $0 % 3 != 0 }   // attributes that come with the id
        var kept = index.snapshot.filter(where: predicate)
        var layout = index.snapshot.layout
        var extensions = 0, layouts = 0
        for step in 0..<200 {
            let ids = (0..<Int.random(in: 1...30, using: &rng)).map { _ in UInt64.random(in: 0..<500, using: &rng) }
            if Int.random(in: 0..<4, using: &rng) == 0 {
                index.delete(ids: ids)
            } else {
                let unique = Array(Set(ids))
                try index.upsert(ids: unique, vectors: unique.map { _ in [1, Float(step), 0] })
            }
            if step % 70 == 69 { index.compact() }
            let snapshot = index.snapshot
            let fresh = snapshot.filter(where: predicate)
            if snapshot.layout == layout {
                kept = snapshot.filter(extending: kept, where: predicate)
                extensions += 1
            } else {
                kept = fresh
                layout = snapshot.layout
                layouts += 1
            }
            #expect(kept == fresh, "step \(step)")
            #expect(kept.count == fresh.count, "step \(step)")
        }
        #expect(extensions > 100 && layouts >= 2)
    }
}
