/// A trie over normalised patterns (names, aliases, cue words), flattened into arrays, for
/// leftmost-longest matching on normalised scalars.
///
/// The root's transitions are a direct table over the BMP (one load per text position); deeper
/// nodes keep their edges sorted by scalar in one flat array (linear scan for a few edges,
/// binary search for many).
struct AliasTrie: Sendable {
    /// `rootNext[v]`: the node after scalar `v` from the root, or -1.
    private let rootNext: [Int32]
    /// Non-BMP first scalars (rare).
    private let rootWide: [UInt32: Int32]
    /// Node `n`'s edges are `edgeStart[n] ..< edgeStart[n + 1]`.
    private let edgeStart: [Int32]
    private let edgeScalar: [UInt32]
    private let edgeTarget: [Int32]
    /// The payload index of a node where a pattern ends, or -1.
    private let terminal: [Int32]
    /// How many scalars the longest pattern has.
    let maxLength: Int

    /// Builds the trie; `patterns[i]` ends in payload `payloads[i]`. A pattern given twice keeps
    /// its first payload.
    init(patterns: [[UInt32]], payloads: [Int32]) {
        var children: [[UInt32: Int32]] = [[:]]
        var terminal: [Int32] = [-1]
        var maxLength = 0
        for (pattern, payload) in zip(patterns, payloads) where !pattern.isEmpty {
            maxLength = max(maxLength, pattern.count)
            var node: Int32 = 0
            for s in pattern {
                if let next = children[Int(node)][s] {
                    node = next
                } else {
                    let next = Int32(children.count)
                    children.append([:])
                    terminal.append(-1)
                    children[Int(node)][s] = next
                    node = next
                }
            }
            if terminal[Int(node)] < 0 { terminal[Int(node)] = payload }
        }
        var rootNext = [Int32](repeating: -1, count: 0x10000)
        var rootWide: [UInt32: Int32] = [:]
        for (s, n) in children[0] {
            if s < 0x10000 { rootNext[Int(s)] = n } else { rootWide[s] = n }
        }
        var edgeStart: [Int32] = [0]
        var edgeScalar: [UInt32] = []
        var edgeTarget: [Int32] = []
        for node in children.indices {
            if node != 0 {
                for (s, n) in children[node].sorted(by: { $0.key < $1.key }) {
                    edgeScalar.append(s)
                    edgeTarget.append(n)
                }
            }
            edgeStart.append(Int32(edgeScalar.count))
        }
        self.rootNext = rootNext
        self.rootWide = rootWide
        self.edgeStart = edgeStart
        self.edgeScalar = edgeScalar
        self.edgeTarget = edgeTarget
        self.terminal = terminal
        self.maxLength = maxLength
    }

    /// Calls `body(end, payload)` for every pattern that starts at `start` in `text`, shortest
    /// first (`end` exclusive). `body` returns `false` to stop.
    /// - Complexity: O(length of the longest pattern starting at `start`).
    @inline(__always)
    func forEachMatch(in text: UnsafeBufferPointer<UInt32>, at start: Int, _ body: (Int, Int32) -> Bool) {
        let first = text[start]
        var node: Int32
        if first < 0x10000 {
            node = rootNext.withUnsafeBufferPointer { $0[Int(first)] }
        } else {
            node = rootWide[first] ?? -1
        }
        guard node >= 0 else { return }
        terminal.withUnsafeBufferPointer { terminal in
            edgeStart.withUnsafeBufferPointer { edgeStart in
                edgeScalar.withUnsafeBufferPointer { edgeScalar in
                    edgeTarget.withUnsafeBufferPointer { edgeTarget in
                        var i = start + 1
                        while true {
                            let t = terminal[Int(node)]
                            if t >= 0, !body(i, t) { return }
                            guard i < text.count else { return }
                            let s = text[i]
                            var lo = Int(edgeStart[Int(node)]), hi = Int(edgeStart[Int(node) + 1])
                            var next: Int32 = -1
                            if hi - lo <= 8 {
                                while lo < hi {
                                    if edgeScalar[lo] == s { next = edgeTarget[lo]; break }
                                    lo += 1
                                }
                            } else {
                                while lo < hi {
                                    let mid = (lo + hi) >> 1
                                    let v = edgeScalar[mid]
                                    if v == s { next = edgeTarget[mid]; break }
                                    if v < s { lo = mid + 1 } else { hi = mid }
                                }
                            }
                            guard next >= 0 else { return }
                            node = next
                            i += 1
                        }
                    }
                }
            }
        }
    }
}
