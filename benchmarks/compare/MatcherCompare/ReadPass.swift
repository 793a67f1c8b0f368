import Dispatch
import ReadKernels
import Synchronization

/// One full read pass over the database bytes with a kernel of `ReadKernels` (the kernels of
/// `bandwidth.c`): the memory bound set beside each timed single query, on the same clock, so
/// that a slow spell of the shared machine falls on both.
///
/// With more than one thread the threads take 32 MiB pieces from a shared counter, as matchd's
/// search workers claim rows (so a slower vCPU ends up with less of the work); one thread reads
/// everything on the calling thread, as a one-worker search runs.
struct ReadPass {
    /// Floats per claimed piece: 32 MiB.
    static let pieceFloats = (32 << 20) / MemoryLayout<Float>.size

    let kernel: Int32
    let threads: Int

    var kernelName: String { String(cString: read_kernel_name(kernel)) }

    /// The kernel whose best of `passes` passes over `values` is fastest on `threads` threads.
    static func fastest(over values: UnsafeBufferPointer<Float>, threads: Int, passes: Int = 2) -> ReadPass {
        var best = (pass: ReadPass(kernel: 0, threads: threads), seconds: Double.infinity)
        for kernel in 0..<read_kernel_count() {
            let pass = ReadPass(kernel: kernel, threads: threads)
            for _ in 0..<passes {
                let t = pass.time(over: values)
                if t < best.seconds { best = (pass, t) }
            }
        }
        return best.pass
    }

    /// The read bandwidth over `values` on `threads` threads: the fastest kernel's best of
    /// `passes` passes (`limits`, the bound measured up front).
    static func gigabytesPerSecond(_ values: UnsafeBufferPointer<Float>, threads: Int, passes: Int) -> Double {
        let pass = fastest(over: values, threads: threads, passes: passes)
        var best = Double.infinity
        for _ in 0..<passes { best = min(best, pass.time(over: values)) }
        return Double(values.count * MemoryLayout<Float>.size) / best / 1e9
    }

    /// Seconds for one pass summing every float of `values`.
    func time(over values: UnsafeBufferPointer<Float>) -> Double {
        guard let start = values.baseAddress, !values.isEmpty else { return 0 }
        let base = SendablePointer(UnsafeRawPointer(start)), count = values.count
        let pieces = (count + Self.pieceFloats - 1) / Self.pieceFloats
        let workers = max(1, min(threads, pieces))
        let claims = Claims()
        let kernel = self.kernel
        @Sendable func work(_: Int) {
            let rows = base.pointer.assumingMemoryBound(to: Float.self)
            var sum: Float = 0
            while true {
                let piece = claims.next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard piece < pieces else { break }
                let lo = piece * Self.pieceFloats
                sum += read_sum(rows + lo, min(count - lo, Self.pieceFloats), kernel)
            }
            if sum == .infinity { print("") }  // keeps the sum alive
        }
        return seconds {
            if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
        }
    }
}

/// The next piece to read, shared by the threads of one pass.
private final class Claims: Sendable {
    let next = Atomic<Int>(0)
}

struct SendablePointer: @unchecked Sendable {
    // @unchecked Sendable: read-only for the duration of one measurement.
    let pointer: UnsafeRawPointer
    init(_ pointer: UnsafeRawPointer) { self.pointer = pointer }
}
