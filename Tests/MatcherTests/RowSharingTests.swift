import Dispatch
@testable import Matcher
import Synchronization
import Testing

/// How a search's workers share out the rows: whatever the threads, claim size and timing, every
/// row goes to exactly one worker, in ranges that start on the tile alignment.
@Suite struct RowSharingTests {
    @Test(arguments: [
        (rowCount: 1, threads: 2, rowsPerClaim: 64), (rowCount: 4_096, threads: 2, rowsPerClaim: 64),
        (rowCount: 10_000, threads: 3, rowsPerClaim: 100), (rowCount: 10_000, threads: 4, rowsPerClaim: 0),
        (rowCount: 70_000, threads: 2, rowsPerClaim: 32_768), (rowCount: 5_000, threads: 1, rowsPerClaim: 64),
    ])
    func everyRowGoesToExactlyOneWorker(rowCount: Int, threads: Int, rowsPerClaim: Int) {
        let alignment = 64
        let sharing = RowSharing(rowCount: rowCount, threads: threads, rowsPerClaim: rowsPerClaim, alignment: alignment)
        #expect(sharing.workers >= 1 && sharing.workers <= threads)
        let handed = Mutex([Range<Int>]())
        DispatchQueue.concurrentPerform(iterations: sharing.workers) { w in
            var taken = 0
            while let rows = sharing.rows(for: w, taken: taken) {
                taken += 1
                handed.withLock { $0.append(rows) }
            }
        }
        let ranges = handed.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        var next = 0
        for r in ranges {
            #expect(r.lowerBound == next, "rows \(next)..<\(r.lowerBound) skipped or handed twice")
            #expect(r.lowerBound % alignment == 0 && !r.isEmpty)
            next = r.upperBound
        }
        #expect(next == rowCount)
    }
}
