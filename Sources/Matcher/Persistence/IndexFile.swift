#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The on-disk form of an index: one file, little-endian.
///
/// ```
/// offset  size          field
/// 0       8             magic "MATCHDIX"
/// 8       4             format version (2)
/// 12      4             metric (0 inner product, 1 cosine)
/// 16      4             dimension
/// 20      4             reserved (0)
/// 24      8             row count n
/// 32      8             header checksum (all 64 header bytes, this field as zeros)
/// 40      24            reserved (0)
/// 64      8·n           ids (UInt64)
/// …       0–56          zeros, so that the vectors start on a 64-byte boundary
/// v       4·n·d         vectors (Float32, row-major; normalised under cosine)
/// …       8, 8          checksum of ids, checksum of vectors (`Checksum`)
/// ```
/// (v = 64 + 8·n rounded up to a multiple of 64. Version 1 had no padding.)
/// Saving writes a temporary file beside the target (named for the process and the save, so
/// concurrent saves of one path never share one), fsyncs it, renames it over the target and
/// fsyncs the directory, so a crash leaves either the old file or the new one. Loading maps the
/// file (`FileMapping`) and checks size, magic, version, header, padding and both body checksums
/// before it returns an index whose full chunks read the mapped vectors in place.
enum IndexFile {
    static let magic: [UInt8] = Array("MATCHDIX".utf8)
    static let version: UInt32 = 2
    static let headerSize = 64
    static let trailerSize = 16
    /// Bytes per buffered write.
    static let ioBlock = 1 << 22

    /// Where the vectors start: after the header and the ids, on a 64-byte boundary.
    static func vectorsOffset(count: Int) -> Int {
        (headerSize + 8 * count + 63) / 64 * 64
    }

    static func expectedSize(count: UInt64, dimension: UInt64) -> UInt64? {
        let (ids, o1) = count.multipliedReportingOverflow(by: 8)
        let (vec, o2) = count.multipliedReportingOverflow(by: dimension)
        let (vecBytes, o3) = vec.multipliedReportingOverflow(by: 4)
        let (start, o4) = ids.addingReportingOverflow(UInt64(headerSize + 63))
        let (sum, o5) = (start / 64 * 64).addingReportingOverflow(vecBytes)
        let (total, o6) = sum.addingReportingOverflow(UInt64(trailerSize))
        return o1 || o2 || o3 || o4 || o5 || o6 || total > UInt64(Int.max) ? nil : total
    }

    // MARK: Save

    /// Numbers the temporary files of this process's saves, so that two saves of one path at
    /// the same time each write their own.
    private static let saves = Atomic<Int>(0)

    /// The temporary file a save of `path` writes before renaming it over `path`: unique to this
    /// process (its pid) and to this save (a counter), so no two saves share one.
    static func temporaryPath(for path: String) -> String {
        "\(path).tmp-\(getpid())-\(saves.wrappingAdd(1, ordering: .relaxed).oldValue)"
    }

    /// - Throws: `.io` naming the file or directory and the failed operation (create, write,
    ///   fsync, close, rename, or the directory's open or fsync). When the directory's fsync
    ///   fails the new file is already in place but may not survive a crash.
    static func save(_ snapshot: IndexSnapshot, to path: String) throws(MatcherError) {
        let temp = temporaryPath(for: path)
        // O_EXCL: a leftover file of that name is never written through or truncated.
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw .io(path: temp, operation: "create", errno: errno) }
        var ok = false
        defer {
            if !ok {
                close(fd)
                unlink(temp)
            }
        }
        var writer = BufferedWriter(fd: fd, path: temp)
        defer { writer.release() }

        var header = [UInt8](repeating: 0, count: headerSize)
        header.replaceSubrange(0..<8, with: magic)
        put(&header, 8, UInt64(version) | UInt64(snapshot.metric == .cosine ? 1 : 0) << 32)
        put(&header, 16, UInt64(UInt32(snapshot.dimension)))
        put(&header, 24, UInt64(snapshot.count))
        put(&header, 32, headerChecksum(header))
        try writer.write(header, checksum: false)

        try writer.beginSection()
        try forEachLiveRun(snapshot) { chunk, start, n throws(MatcherError) in
            try writer.write(chunk.ids + start, count: n * 8, checksum: true)
        }
        let idSum = try writer.endSection()
        let padding = vectorsOffset(count: snapshot.count) - headerSize - 8 * snapshot.count
        try writer.write([UInt8](repeating: 0, count: padding), checksum: false)
        try writer.beginSection()
        try forEachLiveRun(snapshot) { chunk, start, n throws(MatcherError) in
            try writer.write(chunk.row(start), count: n * snapshot.dimension * 4, checksum: true)
        }
        let vectorSum = try writer.endSection()
        var trailer = [UInt8](repeating: 0, count: trailerSize)
        put(&trailer, 0, idSum)
        put(&trailer, 8, vectorSum)
        try writer.write(trailer, checksum: false)
        try writer.flush()

        guard fsync(fd) == 0 else { throw .io(path: temp, operation: "fsync", errno: errno) }
        guard close(fd) == 0 else {
            ok = true // fd is closed either way
            unlink(temp)
            throw .io(path: temp, operation: "close", errno: errno)
        }
        ok = true
        guard rename(temp, path) == 0 else {
            let e = errno
            unlink(temp)
            throw .io(path: path, operation: "rename", errno: e)
        }
        try syncDirectory(of: path)
    }

    /// Fsyncs the directory holding `path`, so that a rename into it survives a crash.
    /// A file system that cannot sync directories at all (`EINVAL`) has nothing to sync.
    /// - Throws: `.io` naming the directory, operation "open directory" or "fsync directory".
    static func syncDirectory(of path: String) throws(MatcherError) {
        var dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        if dir.isEmpty { dir = "/" }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY)
        guard dfd >= 0 else { throw .io(path: dir, operation: "open directory", errno: errno) }
        defer { close(dfd) }
        guard fsync(dfd) == 0 || errno == EINVAL else { throw .io(path: dir, operation: "fsync directory", errno: errno) }
    }

    /// Calls `body` with each maximal run of consecutive live rows inside one chunk.
    private static func forEachLiveRun(_ s: IndexSnapshot,
                                       _ body: (RowChunk, Int, Int) throws(MatcherError) -> Void) throws(MatcherError) {
        var r = 0
        while r < s.rowCount {
            if !s.isLive(RowID(r)) {
                r += 1
                continue
            }
            let c = r / FlatIndex.chunkRows
            let chunkEnd = min(s.rowCount, (c + 1) * FlatIndex.chunkRows)
            var end = r + 1
            while end < chunkEnd && s.isLive(RowID(end)) { end += 1 }
            try body(s.chunks[c], r % FlatIndex.chunkRows, end - r)
            r = end
        }
    }

    /// The checksum of a header with its checksum field zeroed.
    private static func headerChecksum(_ header: [UInt8]) -> UInt64 {
        var h = header
        put(&h, 32, 0)
        var sum = Checksum()
        h.withUnsafeBytes { sum.update($0.baseAddress!, count: headerSize) }
        return sum.value
    }

    private static func put(_ bytes: inout [UInt8], _ offset: Int, _ value: UInt64) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i)) }
    }

    private static func get(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
        return v
    }

    // MARK: Load

    /// Maps the file and checks it whole before returning its rows: full chunks are read in
    /// place from the mapping, a final partial chunk is copied (writers append to it).
    static func load(from path: String) throws(MatcherError) -> WriterState {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io(path: path, operation: "stat", errno: errno) }
        let fileSize = UInt64(st.st_size)
        guard fileSize >= UInt64(headerSize) else {
            throw .fileTruncated(path: path, expectedBytes: UInt64(headerSize + trailerSize), actualBytes: fileSize)
        }
        guard fileSize <= UInt64(Int.max) else { throw .fileCorrupt(path: path, reason: "file too large") }
        let mapping = try FileMapping(fd: fd, size: Int(fileSize), path: path)
        let base = mapping.base
        let header = Array(UnsafeRawBufferPointer(start: base, count: headerSize))
        guard Array(header[0..<8]) == magic else { throw .fileCorrupt(path: path, reason: "bad magic: not a matchd index file") }
        let version = UInt32(truncatingIfNeeded: get(header, 8))
        guard version == Self.version else {
            throw .unsupportedFileVersion(path: path, found: version, supported: Self.version)
        }
        guard headerChecksum(header) == get(header, 32) else { throw .fileCorrupt(path: path, reason: "header checksum mismatch") }
        let metricCode = UInt32(truncatingIfNeeded: get(header, 8) >> 32)
        guard metricCode <= 1 else { throw .fileCorrupt(path: path, reason: "unknown metric \(metricCode)") }
        let dimension = Int(UInt32(truncatingIfNeeded: get(header, 16)))
        guard dimension >= 1 && dimension <= FlatIndex.maxDimension else {
            throw .fileCorrupt(path: path, reason: "dimension \(dimension) out of range")
        }
        let count = get(header, 24)
        guard let expected = expectedSize(count: count, dimension: UInt64(dimension)) else {
            throw .fileCorrupt(path: path, reason: "row count \(count) out of range")
        }
        guard fileSize >= expected else { throw .fileTruncated(path: path, expectedBytes: expected, actualBytes: fileSize) }
        guard fileSize == expected else {
            throw .fileCorrupt(path: path, reason: "\(fileSize - expected) unexpected bytes after the index")
        }
        let n = Int(count)
        let ids = (base + headerSize).assumingMemoryBound(to: UInt64.self)
        let vectorsOffset = vectorsOffset(count: n)
        let vectors = (base + vectorsOffset).assumingMemoryBound(to: Float.self)
        let trailer = Array(UnsafeRawBufferPointer(start: base + vectorsOffset + n * dimension * 4, count: trailerSize))

        var idSum = Checksum()
        idSum.update(ids, count: n * 8)
        guard idSum.value == get(trailer, 0) else { throw .fileCorrupt(path: path, reason: "id checksum mismatch") }
        let padding = UnsafeRawBufferPointer(start: base + headerSize + n * 8, count: vectorsOffset - headerSize - n * 8)
        guard padding.allSatisfy({ $0 == 0 }) else { throw .fileCorrupt(path: path, reason: "non-zero padding before the vectors") }
        var vectorSum = Checksum()
        vectorSum.update(vectors, count: n * dimension * 4)
        guard vectorSum.value == get(trailer, 8) else { throw .fileCorrupt(path: path, reason: "vector checksum mismatch") }

        var state = WriterState(dimension: dimension, metric: metricCode == 1 ? .cosine : .innerProduct)
        if let duplicate = state.indexIDs(UnsafeBufferPointer(start: ids, count: n)) {
            throw .fileCorrupt(path: path, reason: "id \(duplicate) appears twice")
        }
        var loaded = 0
        while loaded < n {
            let rows = min(FlatIndex.chunkRows, n - loaded)
            let chunk: RowChunk
            if rows == FlatIndex.chunkRows {
                chunk = RowChunk(mapping: mapping, vectors: vectors + loaded * dimension, ids: ids + loaded,
                                 capacity: rows, dimension: dimension)
            } else {
                chunk = RowChunk(capacity: FlatIndex.chunkRows, dimension: dimension)
                chunk.vectors.update(from: vectors + loaded * dimension, count: rows * dimension)
                chunk.ids.update(from: ids + loaded, count: rows)
            }
            state.adopt(chunk: chunk, rows: rows)
            loaded += rows
        }
        return state
    }
}

/// Buffers writes into `IndexFile.ioBlock` bytes, checksumming each section as it goes.
private struct BufferedWriter {
    let fd: Int32
    let path: String
    private let buffer: UnsafeMutableRawPointer
    private var filled = 0
    private var sum = Checksum()
    private var summing = false

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        buffer = .allocate(byteCount: IndexFile.ioBlock, alignment: 64)
    }

    func release() { buffer.deallocate() }

    mutating func beginSection() throws(MatcherError) {
        try flush()
        sum = Checksum()
        summing = true
    }

    mutating func endSection() throws(MatcherError) -> UInt64 {
        try flush()
        summing = false
        return sum.value
    }

    mutating func write(_ bytes: [UInt8], checksum: Bool) throws(MatcherError) {
        let n = bytes.count
        precondition(n <= IndexFile.ioBlock)
        if filled + n > IndexFile.ioBlock { try flush() }
        bytes.withUnsafeBytes { (buffer + filled).copyMemory(from: $0.baseAddress!, byteCount: n) }
        filled += n
    }

    /// - Warning: `bytes` is read during the call only.
    mutating func write(_ bytes: UnsafeRawPointer, count: Int, checksum: Bool) throws(MatcherError) {
        precondition(checksum == summing)
        var done = 0
        while done < count {
            let n = min(count - done, IndexFile.ioBlock - filled)
            (buffer + filled).copyMemory(from: bytes + done, byteCount: n)
            filled += n
            done += n
            if filled == IndexFile.ioBlock { try flush() }
        }
    }

    /// Writes the buffer out. Only the last flush of a section may be a partial block, which
    /// keeps `Checksum.update` calls on 32-byte multiples.
    mutating func flush() throws(MatcherError) {
        if summing { sum.update(buffer, count: filled) }
        var done = 0
        while done < filled {
            let w = systemWrite(fd, buffer + done, filled - done)
            if w < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "write", errno: errno)
            }
            done += w
        }
        filled = 0
    }
}

/// `write(2)`, named apart from `BufferedWriter.write`.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
