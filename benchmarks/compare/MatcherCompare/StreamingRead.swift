import Dispatch

/// The memory bound: one streaming pass summing every float of a buffer, as fast as portable
/// Swift SIMD reads. Search over the same bytes cannot beat it.
enum StreamingRead {
    static func gigabytesPerSecond(_ values: [Float], threads: Int, repetitions: Int) -> Double {
        var best = Double.infinity
        var sink: Float = 0
        values.withUnsafeBufferPointer { buffer in
            let base = SendablePointer(UnsafeRawPointer(buffer.baseAddress!))
            let count = buffer.count
            for _ in 0..<repetitions {
                let parts = max(1, threads)
                let sums = SumSlots(count: parts)
                let t = seconds {
                    DispatchQueue.concurrentPerform(iterations: parts) { p in
                        let lo = count * p / parts / 64 * 64, hi = p == parts - 1 ? count : count * (p + 1) / parts / 64 * 64
                        sums.set(p, sum(base.pointer + lo * 4, count: hi - lo))
                    }
                }
                sink += sums.total
                sums.release()
                best = min(best, t)
            }
        }
        if sink == .infinity { print("") }  // keeps the sums alive
        return Double(values.count * 4) / best / 1e9
    }

    static func sum(_ p: UnsafeRawPointer, count: Int) -> Float {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        var i = 0
        while i + 64 <= count {
            let o = i &* 4
            a0 += p.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
            a1 += p.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD16<Float>.self)
            a2 += p.loadUnaligned(fromByteOffset: o &+ 128, as: SIMD16<Float>.self)
            a3 += p.loadUnaligned(fromByteOffset: o &+ 192, as: SIMD16<Float>.self)
            i &+= 64
        }
        var s = (a0 + a1 + a2 + a3).sum()
        while i < count {
            s += p.load(fromByteOffset: i * 4, as: Float.self)
            i += 1
        }
        return s
    }
}

private struct SumSlots: @unchecked Sendable {
    // @unchecked Sendable: worker p writes only slot p; read after the join.
    let slots: UnsafeMutablePointer<Float>
    let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: 0, count: count)
    }
    func set(_ i: Int, _ v: Float) { slots[i] = v }
    var total: Float { (0..<count).reduce(0) { $0 + slots[$1] } }
    func release() { slots.deallocate() }
}

struct SendablePointer: @unchecked Sendable {
    // @unchecked Sendable: read-only for the duration of one measurement.
    let pointer: UnsafeRawPointer
    init(_ pointer: UnsafeRawPointer) { self.pointer = pointer }
}
