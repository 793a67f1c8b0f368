import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Matcher

/// Loading an index file against reading the same file, in the same run: `FlatIndex.load`
/// (map the file, checksum both sections, build the id map) should cost no more than about
/// twice a plain read of the bytes.
///
/// Two readings of "the file itself", both `read(2)` in 16 MiB requests:
/// into one small buffer reused for every request (what `cat file > /dev/null` costs: no page
/// faults, nothing kept), and into one buffer of the whole file, fresh each round (what any
/// loader that keeps the bytes must at least pay). Warm rounds read from the page cache; cold
/// rounds first drop the file's pages with `posix_fadvise(POSIX_FADV_DONTNEED)`.
struct Persistence: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time FlatIndex.load against plain reads of the same file, warm and cold.")
    @Option(help: "Rows.") var n = 1_000_000
    @Option(help: "Dimension.") var dimension = 256
    @Option(help: "Rounds (each: plain reads, then a load; median and best reported).") var rounds = 5
    @Option(help: "The index file to write, time and delete.") var file = "persistence-bench.mvec"

    struct Figures: Encodable {
        var mode: String
        var fileBytes: Int
        var catSeconds: [Double]
        var readAllSeconds: [Double]
        var loadSeconds: [Double]
    }

    func run() throws {
        let d = dimension
        var rng = SplitMix(seed: 7)
        let index = try buildIndex(rng.centered(count: n * d), dimension: d)
        try index.save(to: file)
        defer { unlink(file) }
        var st = stat()
        guard stat(file, &st) == 0 else { throw ValidationError("cannot stat \(file)") }
        let size = Int(st.st_size)
        let expectedCount = index.count

        var results = [Figures]()
        for cold in [false, true] {
            var figures = Figures(mode: cold ? "cold" : "warm", fileBytes: size, catSeconds: [], readAllSeconds: [],
                                  loadSeconds: [])
            if !cold { _ = try plainRead(keepAll: false) }
            for _ in 0..<rounds {
                if cold { try dropCache() }
                figures.catSeconds.append(try seconds { _ = try plainRead(keepAll: false) })
                if cold { try dropCache() }
                figures.readAllSeconds.append(try seconds { _ = try plainRead(keepAll: true) })
                if cold { try dropCache() }
                var loaded: FlatIndex?
                figures.loadSeconds.append(try seconds { loaded = try FlatIndex.load(from: file) })
                guard loaded?.count == expectedCount else { throw ValidationError("loaded a different index") }
                loaded = nil
            }
            results.append(figures)
        }
        // Searching a loaded index reads the mapped file's pages: set it beside the built one.
        let loaded = try FlatIndex.load(from: file)
        var searchMS = [String: Double]()
        for (name, target) in [("built", index), ("loaded", loaded), ("built again", index), ("loaded again", loaded)] {
            var times = [Double]()
            for i in 0..<21 {
                let q = (0..<d).map { Float(($0 * 7 + i * 13) % 11) - 5 }
                times.append(try seconds { _ = try target.snapshot.search(q, k: 10) })
            }
            searchMS[name] = 1000 * times.sorted()[times.count / 2]
        }
        try printJSON(["n": n, "d": d])
        try printJSON(results)
        print(String(format: "one query, k = 10, median of 21 (ms): built %.1f, loaded %.1f, built %.1f, loaded %.1f",
                     searchMS["built"]!, searchMS["loaded"]!, searchMS["built again"]!, searchMS["loaded again"]!))
        for r in results {
            func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
            let cat = median(r.catSeconds), all = median(r.readAllSeconds), load = median(r.loadSeconds)
            print(String(format: "%@: %.2f GB file; cat %.0f ms (%.1f GB/s), read into memory %.0f ms, load %.0f ms: "
                         + "load ÷ cat %.2f, load ÷ read into memory %.2f (medians of %d; best %.0f / %.0f / %.0f ms)",
                         r.mode, Double(size) / 1e9, 1000 * cat, Double(size) / cat / 1e9, 1000 * all, 1000 * load,
                         load / cat, load / all, r.loadSeconds.count,
                         1000 * r.catSeconds.min()!, 1000 * r.readAllSeconds.min()!, 1000 * r.loadSeconds.min()!))
        }
    }

    /// Reads the whole file in 16 MiB requests; returns the bytes read.
    private func plainRead(keepAll: Bool) throws -> Int {
        let fd = open(file, O_RDONLY)
        guard fd >= 0 else { throw ValidationError("cannot open \(file)") }
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        let request = 16 << 20
        let capacity = keepAll ? Int(st.st_size) : request
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1), alignment: 64)
        defer { buffer.deallocate() }
        var done = 0
        while true {
            let r = read(fd, buffer + (keepAll ? done : 0), request)
            if r < 0 { if errno == EINTR { continue }; throw ValidationError("read failed: errno \(errno)") }
            if r == 0 { break }
            done += r
        }
        return done
    }

    /// Drops the file's pages from the page cache (clean pages only: the file was fsynced on save).
    private func dropCache() throws {
        let fd = open(file, O_RDONLY)
        guard fd >= 0 else { throw ValidationError("cannot open \(file)") }
        defer { close(fd) }
        guard posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0 else { throw ValidationError("posix_fadvise failed") }
    }
}
