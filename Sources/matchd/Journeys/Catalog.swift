import Matcher
import Synchronization

/// One searchable collection: a `FlatIndex` of vectors keyed by store `seq`, and beside it the
/// attributes and competency profile of each indexed record, published together.
///
/// `view()` returns a snapshot and the entries that belong to it; a reader keeps both as long as
/// it likes while writers publish new ones.
final class Catalog<Entry: Sendable>: Sendable {
    let index: FlatIndex
    private let entries: Mutex<[UInt64: Entry]>

    init(index: FlatIndex, entries: [UInt64: Entry] = [:]) {
        self.index = index
        self.entries = Mutex(entries)
    }

    /// A consistent pair: the index snapshot and the entries of its live keys (perhaps more).
    func view() -> (snapshot: IndexSnapshot, entries: [UInt64: Entry]) {
        entries.withLock { (index.snapshot, $0) }
    }

    var count: Int { index.count }

    /// Adds or replaces records; `nil` vectors (nothing to search by) remove them instead.
    func publish(_ items: [(key: UInt64, vector: [Float]?, entry: Entry)]) throws(MatcherError) {
        let kept = items.filter { $0.vector != nil }
        let dropped = items.filter { $0.vector == nil }.map(\.key)
        try entries.withLock { map throws(MatcherError) in
            if !kept.isEmpty { try index.upsert(ids: kept.map(\.key), vectors: kept.map { $0.vector! }) }
            if !dropped.isEmpty { index.delete(ids: dropped) }
            for item in kept { map[item.key] = item.entry }
            for key in dropped { map.removeValue(forKey: key) }
        }
    }

    /// Removes records; with `erase`, compacts so that no old row keeps their vectors.
    func remove(_ keys: [UInt64], erase: Bool = false) {
        entries.withLock { map in
            index.delete(ids: keys)
            if erase { index.compact() }
            for key in keys { map.removeValue(forKey: key) }
        }
    }
}
