@testable import Matcher
import TestSupport
import Testing

struct TopKHeapTests {
    @Test("the heap keeps the k best in result order; invariants hold after every offer",
          arguments: [1, 2, 10, 100, 1000])
    func againstFullSort(k: Int) {
        var rng = SplitMix64(seed: UInt64(k) &* 31)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: k)
        let ids = UnsafeMutablePointer<UInt64>.allocate(capacity: k)
        defer {
            scores.deallocate()
            ids.deallocate()
        }
        var heap = TopKHeap(k: k, scores: scores, ids: ids)
        var all = [SearchHit]()
        for i in 0..<5000 {
            // Few distinct scores, so ties are broken by id many times.
            let hit = SearchHit(id: (UInt64(i) &* 2_654_435_761) % (1 << 40), // distinct ids
                                score: Float(Int.random(in: 0..<40, using: &rng)))
            all.append(hit)
            heap.offer(score: hit.score, id: hit.id)
            if i % 97 == 0 { heap._checkInvariants() }
        }
        heap._checkInvariants()
        let expected = all.sorted { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }.prefix(k)
        #expect(heap.sortedHits() == Array(expected))
    }
}
