#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only and private, unmapped when the last chunk using it goes.
///
/// The pages are the page cache's own: loading an index reads them in place instead of copying
/// them into fresh memory (which would cost a page fault and a zeroed page per 4 KiB on top of
/// the copy). `MAP_POPULATE` maps them all up front, so searches take no page faults.
///
/// matchd replaces index files by rename (`IndexFile.save`), which leaves a mapped file's
/// bytes untouched. A file truncated in place by another program while mapped would make
/// reads of the lost pages fault (SIGBUS), as with any mapped store; don't edit index files
/// in place.
final class FileMapping: @unchecked Sendable {
    // @unchecked Sendable: the mapping is read-only and immutable for its whole life.
    let base: UnsafeRawPointer
    let size: Int

    /// Maps `size` bytes of `fd` from offset 0.
    /// - Precondition: `size > 0` and no larger than the file.
    init(fd: Int32, size: Int, path: String) throws(MatcherError) {
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE
        #endif
        let p = mmap(nil, size, PROT_READ, flags, fd, 0)
        guard let p, p != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .io(path: path, operation: "mmap", errno: errno)
        }
        base = UnsafeRawPointer(p)
        self.size = size
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), size)
    }
}
