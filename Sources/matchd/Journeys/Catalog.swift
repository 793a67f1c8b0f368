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
    /// Filters by a caller-chosen key (e.g. a city), with the snapshot they were built for.
    private let filters = Mutex<[String: (generation: UInt64, layout: UInt64, filter: RowFilter)]>([:])
    /// Serialises writers, so that the entry map can be copied outside `entries`' lock.
    private let writer = Mutex(())
    /// Cached filters, at most (keys come from requests).
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

    /// The live rows of `snapshot` whose entry passes `allows`, cached under `key`: `key` must
    /// name the predicate (two calls with one key must mean the same `allows`). A filter cached
    /// for an earlier snapshot of the same layout is extended by the rows published since
    /// (`IndexSnapshot.filter(extending:where:)`): an entry only changes with its vector, which
    /// makes a new row, so old rows keep their answer. Under a steady import (a publication every
    /// few hundred milliseconds) this turns a full pass over every row and its entry per request
    /// into a pass over the new rows only.
    func filter(key: String, snapshot: IndexSnapshot, entries: [UInt64: Entry],
                allows: (Entry) -> Bool) -> RowFilter {
        let cached = filters.withLock { $0[key] }
        if let cached, cached.generation == snapshot.generation { return cached.filter }
        let predicate = { (id: UInt64) in entries[id].map(allows) ?? false }
        let built = if let cached, cached.layout == snapshot.layout, cached.generation < snapshot.generation {
            snapshot.filter(extending: cached.filter, where: predicate)
        } else {
            snapshot.filter(where: predicate)
        }
        filters.withLock { cache in
            if let current = cache[key], current.generation > snapshot.generation { return }
            if cache[key] == nil, cache.count >= Self.maxCachedFilters { cache.removeAll() }
            cache[key] = (snapshot.generation, snapshot.layout, built)
        }
        return built
    }

    /// Adds or replaces records; `nil` vectors (nothing to search by) remove them instead.
    ///
    /// The entry map is updated on a copy outside `entries`' lock (readers that hold the
    /// current map make that a full copy, tens of milliseconds at 100k entries), then swapped
    /// in together with the index publication, so readers never wait for the copy.
    func publish(_ items: [(key: UInt64, vector: [Float]?, entry: Entry)]) throws(MatcherError) {
        let kept = items.filter { $0.vector != nil }
        let dropped = items.filter { $0.vector == nil }.map(\.key)
        try writer.withLock { _ throws(MatcherError) in
            var map = entries.withLock { $0 }
            for item in kept { map[item.key] = item.entry }
            for key in dropped { map.removeValue(forKey: key) }
            try entries.withLock { current throws(MatcherError) in
                if !kept.isEmpty { try index.upsert(ids: kept.map(\.key), vectors: kept.map { $0.vector! }) }
                if !dropped.isEmpty { index.delete(ids: dropped) }
                swap(&current, &map)
            }
            // `map` now holds the previous entries: released here, outside the readers' lock.
        }
    }

    /// Makes the catalog hold exactly `items` (those with a vector): the others are removed.
    func replace(with items: [(key: UInt64, vector: [Float]?, entry: Entry)]) throws(MatcherError) {
        let kept = items.filter { $0.vector != nil }
        let keep = Set(kept.map(\.key))
        try writer.withLock { _ throws(MatcherError) in
            var map = [UInt64: Entry](minimumCapacity: kept.count)
            for item in kept { map[item.key] = item.entry }
            var stale = Set(entries.withLock { $0.keys }.filter { !keep.contains($0) })
            index.snapshot.forEachLive { _, key in if !keep.contains(key) { stale.insert(key) } }
            try entries.withLock { current throws(MatcherError) in
                if !stale.isEmpty { index.delete(ids: Array(stale)) }
                if !kept.isEmpty { try index.upsert(ids: kept.map(\.key), vectors: kept.map { $0.vector! }) }
                swap(&current, &map)
            }
        }
    }

    /// Removes records; with `erase`, compacts so that no old row keeps their vectors.
    func remove(_ keys: [UInt64], erase: Bool = false) {
        writer.withLock { _ in
            var map = entries.withLock { $0 }
            for key in keys { map.removeValue(forKey: key) }
            entries.withLock { current in
                index.delete(ids: keys)
                if erase { index.compact() }
                swap(&current, &map)
            }
        }
    }
}
