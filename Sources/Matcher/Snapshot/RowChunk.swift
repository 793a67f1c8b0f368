/// Fixed-capacity storage for `capacity` rows of `dimension` floats and their ids: either
/// allocated (64-byte aligned) or a read-only slice of a mapped index file.
///
/// Chunks are shared between snapshots. A writer only ever appends at rows no published
/// snapshot covers yet, and never rewrites a row a snapshot can see; compaction builds new
/// chunks. That is what makes a small write cheap: no existing chunk is copied. A mapped chunk
/// is always full, so no writer ever writes to it.
final class RowChunk: @unchecked Sendable {
    // @unchecked Sendable: rows [0, n) are immutable once a snapshot with n rows in this chunk
    // is published (through a Mutex, which orders the writes before any reader sees them).
    let capacity: Int
    let dimension: Int
    let vectors: UnsafeMutablePointer<Float>
    let ids: UnsafeMutablePointer<UInt64>
    /// The mapped file this chunk's rows live in; `nil` when the chunk owns its memory.
    private let mapping: FileMapping?

    init(capacity: Int, dimension: Int) {
        self.capacity = capacity
        self.dimension = dimension
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, capacity * dimension) * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        vectors = raw.bindMemory(to: Float.self, capacity: max(1, capacity * dimension))
        ids = .allocate(capacity: max(1, capacity))
        mapping = nil
    }

    /// A full chunk whose rows are read in place from `mapping` (which it keeps alive).
    /// - Precondition: `vectors` and `ids` point into `mapping`, `capacity` rows each.
    init(mapping: FileMapping, vectors: UnsafePointer<Float>, ids: UnsafePointer<UInt64>, capacity: Int, dimension: Int) {
        self.capacity = capacity
        self.dimension = dimension
        // Never written through: see the type's note on mapped chunks.
        self.vectors = UnsafeMutablePointer(mutating: vectors)
        self.ids = UnsafeMutablePointer(mutating: ids)
        self.mapping = mapping
    }

    deinit {
        if mapping == nil {
            UnsafeMutableRawPointer(vectors).deallocate()
            ids.deallocate()
        }
    }

    @inline(__always)
    func row(_ i: Int) -> UnsafeMutablePointer<Float> { vectors + i * dimension }
}
