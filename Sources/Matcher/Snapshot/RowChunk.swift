/// Fixed-capacity, 64-byte-aligned storage for `capacity` rows of `dimension` floats and their ids.
///
/// Chunks are shared between snapshots. A writer only ever appends at rows no published
/// snapshot covers yet, and never rewrites a row a snapshot can see; compaction builds new
/// chunks. That is what makes a small write cheap: no existing chunk is copied.
final class RowChunk: @unchecked Sendable {
    // @unchecked Sendable: rows [0, n) are immutable once a snapshot with n rows in this chunk
    // is published (through a Mutex, which orders the writes before any reader sees them).
    let capacity: Int
    let dimension: Int
    let vectors: UnsafeMutablePointer<Float>
    let ids: UnsafeMutablePointer<UInt64>

    init(capacity: Int, dimension: Int) {
        self.capacity = capacity
        self.dimension = dimension
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, capacity * dimension) * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        vectors = raw.bindMemory(to: Float.self, capacity: max(1, capacity * dimension))
        ids = .allocate(capacity: max(1, capacity))
    }

    deinit {
        UnsafeMutableRawPointer(vectors).deallocate()
        ids.deallocate()
    }

    @inline(__always)
    func row(_ i: Int) -> UnsafeMutablePointer<Float> { vectors + i * dimension }
}
