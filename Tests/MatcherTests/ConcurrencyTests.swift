@testable import Matcher
import Synchronization
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

    /// Small writes, no compaction: a writer upserts or deletes one group of 16 ids at a time
    /// (one call each), so in every published snapshot a group is wholly absent or wholly
    /// present with one version. Row vectors are (1, version, 0, …): the query e₁ scores each
    /// row's version, e₀ scores 1 everywhere. Readers run single, batch (small-batch kernel and,
    /// where the CPU has AMX, screened) and filtered searches and check each result against the
    /// group invariant; a torn snapshot (half a write visible) or a result mixing two snapshots
    /// breaks it.
    @Test("small upserts and deletes: single, batch and filtered readers never see half a write")
    func readersDuringSmallWrites() async throws {
        let d = 8, groups = 512, group = 16, steps = 120
        let index = try FlatIndex(dimension: d, metric: .innerProduct)
        @Sendable func vector(version: Int) -> [Float] { [1, Float(version)] + [Float](repeating: 0, count: d - 2) }
        @Sendable func ids(_ g: Int) -> [UInt64] { (0..<group).map { UInt64(g * group + $0) } }
        try index.upsert(ids: (0..<groups).flatMap(ids), vectors: (0..<(groups * group)).map { _ in vector(version: 1) })
        let layout = index.snapshot.layout
        let writing = Flag()
        let e0 = [Float](repeating: 0, count: d).enumerated().map { $0.offset == 0 ? 1 : $0.element }
        let e1 = [Float](repeating: 0, count: d).enumerated().map { $0.offset == 1 ? 1 : $0.element }

        // Versions by id from the e₁ scores; records an issue for any group seen in part, or
        // with two versions, and returns the largest version.
        @Sendable func checkGroups(_ hits: [SearchHit], allowedGroup: (Int) -> Bool, _ context: String) -> Int {
            var byGroup = [Int: [Float]]()
            for h in hits { byGroup[Int(h.id) / group, default: []].append(h.score) }
            var newest = 0
            for (g, versions) in byGroup {
                #expect(allowedGroup(g), "\(context): group \(g) is filtered out")
                #expect(versions.count == group && Set(versions).count == 1,
                        "\(context): group \(g) torn: \(versions.count) rows, versions \(Set(versions).sorted())")
                newest = max(newest, Int(versions.max() ?? 0))
            }
            return newest
        }

        try await withThrowingTaskGroup(of: Int.self) { tasks in
            tasks.addTask {
                defer { writing.value.store(false, ordering: .releasing) }
                var rng = SplitMix64(seed: 0x5A11)
                var deleted = Set<Int>()
                for step in 2...steps {
                    let g = Int.random(in: 0..<groups, using: &rng)
                    if !deleted.contains(g), Int.random(in: 0..<10, using: &rng) < 3 {
                        index.delete(ids: ids(g))
                        deleted.insert(g)
                    } else {
                        try index.upsert(ids: ids(g), vectors: (0..<group).map { _ in vector(version: step) })
                        deleted.remove(g)
                    }
                    await Task.yield()
                }
                return steps
            }
            for reader in 0..<3 {
                tasks.addTask {
                    var checked = 0
                    var newest = 0
                    var generation: UInt64 = 0
                    while writing.value.load(ordering: .acquiring) || checked < 9 {
                        let snapshot = index.snapshot
                        #expect(snapshot.generation >= generation, "reader \(reader): generations went back")
                        generation = snapshot.generation
                        let context = "reader \(reader) generation \(snapshot.generation)"
                        var seen = 0
                        switch checked % 3 {
                        case 0:
                            let hits = try snapshot.search(e1, k: FlatIndex.maxK)
                            #expect(hits.count == snapshot.count, "\(context): single search lost rows")
                            seen = checkGroups(hits, allowedGroup: { _ in true }, "\(context) single")
                        case 1:
                            // 3 queries take the small-batch kernel, 30 the screen where it exists.
                            let queryCount = checked % 2 == 0 ? 3 : 30
                            let queries = try Matrix(rowVectors: (0..<queryCount).map { [e1, e0, e1.map { 2 * $0 }][$0 % 3] })
                            let results = try snapshot.search(queries: queries, k: snapshot.count + 1)
                            seen = checkGroups(results[0], allowedGroup: { _ in true }, "\(context) batch of \(queryCount)")
                            let live = Set(results[0].map(\.id))
                            for (i, hits) in results.enumerated() {
                                #expect(hits.count == snapshot.count && Set(hits.map(\.id)) == live,
                                        "\(context) batch query \(i): rows differ from query 0's")
                            }
                            #expect(results[1].map(\.id) == live.sorted(), "\(context): e₀ ties not in id order")
                            #expect(results[2].map(\.score) == results[0].map { 2 * $0.score },
                                    "\(context): 2e₁ does not score twice e₁")
                        default:
                            let filter = snapshot.filter { ($0 / UInt64(group)) % 2 == 0 }
                            let hits = try snapshot.search(e1, k: FlatIndex.maxK, filter: filter)
                            #expect(hits.count == filter.count, "\(context): filtered search lost rows")
                            seen = checkGroups(hits, allowedGroup: { $0 % 2 == 0 }, "\(context) filtered")
                        }
                        // Versions only grow, but a filtered search sees only half the groups.
                        if checked % 3 != 2 { newest = max(newest, seen) }
                        checked += 1
                        await Task.yield()
                    }
                    return checked
                }
            }
            var total = 0
            for try await n in tasks { total += n }
            #expect(total > steps)
        }
        // The premise: small writes never compacted (that would rewrite every row).
        #expect(index.snapshot.layout == layout, "a write compacted the index")
    }

    /// A one-row write copies no chunk: the new snapshot holds the very chunks of the previous
    /// one (the last one too, appended beyond what the previous snapshot covers), while the
    /// previous snapshot still answers as before. Compaction, which rewrites the rows, does not.
    @Test("a one-row upsert shares every chunk with the previous snapshot")
    func smallWritesShareChunks() throws {
        let d = 4, n = 2 * FlatIndex.chunkRows + 100
        let index = try FlatIndex(dimension: d, metric: .innerProduct)
        try index.upsert(ids: (0..<n).map { UInt64($0) }, vectors: (0..<n).map { i in [1, Float(i % 13), 0, 0] })
        let before = index.snapshot
        let query: [Float] = [0, 1, 0, 0]
        let answer = try before.search(query, k: 50)
        func expectShared(_ after: IndexSnapshot, _ what: String) {
            #expect(after.chunks.count == before.chunks.count, "\(what): chunk count")
            for (c, (a, b)) in zip(after.chunks, before.chunks).enumerated() {
                #expect(a === b && a.vectors == b.vectors, "\(what): chunk \(c) copied")
            }
        }
        expectShared(try index.upsert(id: UInt64(n), vector: [0, 100, 0, 0]), "new id")
        expectShared(try index.upsert(id: 7, vector: [0, 99, 0, 0]), "replaced id")
        expectShared(index.delete(ids: [8]).snapshot, "deleted id")
        #expect(try before.search(query, k: 50) == answer, "the earlier snapshot changed")
        #expect(try index.snapshot.search(query, k: 2).map(\.id) == [UInt64(n), 7])
        let compacted = index.compact()
        #expect(!zip(compacted.chunks, before.chunks).contains { $0 === $1 }, "compaction reused a chunk")
        #expect(try before.search(query, k: 50) == answer, "compaction changed the earlier snapshot")
    }
}

/// A flag the writer clears when done.
private final class Flag: Sendable {
    let value = Atomic<Bool>(true)
}
