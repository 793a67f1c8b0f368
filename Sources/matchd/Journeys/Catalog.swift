import Matcher
import Synchronization

/// One searchable collection: a `FlatIndex` of vectors keyed by store `seq`, and beside it the
/// attributes and competency profile of each indexed record, published together.
///
/// `view()` returns a snapshot and the entries that belong to it; a reader keeps both as long as
/// it likes while writers publish new ones. `entry(id:)` finds an indexed record by its id
/// without the store.
final class Catalog<Entry: CatalogEntry>: Sendable {
    let index: FlatIndex
    /// Searches of this catalog, coalesced into batched passes under load.
    let searches: SearchCoalescer
    private let entries: Mutex<Entries>
    /// Filters by a caller-chosen key (e.g. a city), with the snapshot they were built for.
    private let filters = Mutex<[String: (generation: UInt64, layout: UInt64, filter: RowFilter)]>([:])
    /// Serialises writers, so that the entry map can be copied outside `entries`' lock.
    private let writer = Mutex(())
    /// Cached filters, at most (keys come from requests).
    static var maxCachedFilters: Int { 64 }

    /// The entries by key, and the key of each entry's record id.
    private struct Entries: Sendable {
        var byKey: [UInt64: Entry] = [:]
        var keyByID: [String: UInt64] = [:]

        mutating func set(_ key: UInt64, _ entry: Entry) {
            if let old = byKey.updateValue(entry, forKey: key), old.id != entry.id { keyByID[old.id] = nil }
            keyByID[entry.id] = key
        }

        mutating func remove(_ key: UInt64) {
            if let old = byKey.removeValue(forKey: key), keyByID[old.id] == key { keyByID[old.id] = nil }
        }
    }

    init(index: FlatIndex, searches: SearchCoalescer) {
        self.index = index
        self.searches = searches
        self.entries = Mutex(Entries())
    }

    /// A consistent pair: the index snapshot and the entries of its live keys (perhaps more).
    func view() -> (snapshot: IndexSnapshot, entries: [UInt64: Entry]) {
        entries.withLock { (index.snapshot, $0.byKey) }
    }

    /// The entry of the indexed record with id `id`, if the catalog holds it.
    func entry(id: String) -> Entry? {
        entries.withLock { e in e.keyByID[id].flatMap { e.byKey[$0] } }
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
            for item in kept { map.set(item.key, item.entry) }
            for key in dropped { map.remove(key) }
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
            var map = Entries()
            map.byKey.reserveCapacity(kept.count)
            map.keyByID.reserveCapacity(kept.count)
            for item in kept { map.set(item.key, item.entry) }
            var stale = Set(entries.withLock { $0.byKey.keys }.filter { !keep.contains($0) })
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
            for key in keys { map.remove(key) }
            entries.withLock { current in
                index.delete(ids: keys)
                if erase { index.compact() }
                swap(&current, &map)
            }
        }
    }
}
