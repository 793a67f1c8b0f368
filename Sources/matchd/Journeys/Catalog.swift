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
    /// Filters already built for the current snapshot, by a caller-chosen key (e.g. a city).
    private let filters = Mutex<(generation: UInt64, byKey: [String: RowFilter])>((0, [:]))
    /// Cached filters per snapshot, at most (keys come from requests).
    static var maxCachedFilters: Int { 64 }

    init(index: FlatIndex, entries: [UInt64: Entry] = [:]) {
        self.index = index
        self.entries = Mutex(entries)
    }

    /// A consistent pair: the index snapshot and the entries of its live keys (perhaps more).
    func view() -> (snapshot: IndexSnapshot, entries: [UInt64: Entry]) {
        entries.withLock { (index.snapshot, $0) }
    }

    var count: Int { index.count }

    /// The filter `build` makes for `snapshot`, built once per snapshot and `key`. Building one
    /// visits every row (a closure call and a dictionary lookup each); caching it makes repeated
    /// queries with the same filter, the common case, cost nothing for it.
    func filter(key: String, snapshot: IndexSnapshot, build: () -> RowFilter) -> RowFilter {
        if let hit = filters.withLock({ $0.generation == snapshot.generation ? $0.byKey[key] : nil }) { return hit }
        let built = build()
        filters.withLock { cache in
            if cache.generation != snapshot.generation { cache = (snapshot.generation, [:]) }
            if cache.byKey.count >= Self.maxCachedFilters { cache.byKey.removeAll() }
            cache.byKey[key] = built
        }
        return built
    }

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
