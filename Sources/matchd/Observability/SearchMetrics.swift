import Metrics

/// `matchd_search_duration_seconds{index="jobs|talents", kind="single|batch"}`: retrieval and
/// re-ranking time of the matching journeys. Labels come from small closed sets only.
enum SearchMetrics {
    enum Index: String { case jobs, talents }

    static func record(index: Index, seconds: Double, batch: Bool = false) {
        Timer(label: "matchd_search_duration_seconds",
              dimensions: [("index", index.rawValue), ("kind", batch ? "batch" : "single")])
            .recordNanoseconds(Int64(seconds * 1e9))
    }
}
