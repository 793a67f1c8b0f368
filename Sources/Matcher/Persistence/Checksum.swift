/// A fast checksum for index files: eight 32-bit Fletcher lanes, summed with SIMD.
///
/// `s1 += word; s2 += s1` per lane (wrapping), then the lanes and the byte length are mixed
/// into 64 bits. Every single-bit error changes `s1`; reordered blocks change `s2`. It detects
/// accidental corruption (torn writes, bit rot, truncation with padding) at memory speed, which
/// keeps loading within about twice the time of reading the file. It is not a cryptographic hash.
struct Checksum {
    private var s1 = SIMD8<UInt32>(repeating: 1)
    private var s2 = SIMD8<UInt32>(repeating: 0)
    private var length: UInt64 = 0

    /// Adds `count` bytes. Every call but the last must pass a multiple of 32 bytes.
    /// - Warning: `bytes` is read during the call only.
    mutating func update(_ bytes: UnsafeRawPointer, count: Int) {
        var i = 0
        var a = s1, b = s2
        while i + 32 <= count {
            a &+= bytes.loadUnaligned(fromByteOffset: i, as: SIMD8<UInt32>.self)
            b &+= a
            i &+= 32
        }
        if i < count {
            var tail = SIMD8<UInt32>(repeating: 0)
            var lane = 0
            while i < count {
                var word: UInt32 = 0
                for byte in 0..<min(4, count - i) {
                    word |= UInt32(bytes.load(fromByteOffset: i + byte, as: UInt8.self)) << UInt32(8 * byte)
                }
                tail[lane] = word
                lane += 1
                i += 4
            }
            a &+= tail
            b &+= a
        }
        s1 = a
        s2 = b
        length &+= UInt64(count)
    }

    /// The 64-bit digest of everything added so far.
    var value: UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ length
        for lane in 0..<8 {
            h = (h ^ UInt64(s1[lane])) &* 0x0000_0100_0000_01B3
            h = (h ^ UInt64(s2[lane])) &* 0x0000_0100_0000_01B3
            h ^= h >> 29
        }
        return h
    }
}
