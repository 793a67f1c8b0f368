// swift-tools-version:6.1
import PackageDescription

// matchd's benchmarks: `cd benchmarks && swift package benchmark` (see README.md here).
let package = Package(
    name: "matchd-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "matchd", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        .executableTarget(
            name: "MatcherBench",
            dependencies: [
                .product(name: "Matcher", package: "matchd"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            path: "Benchmarks/MatcherBench",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EmbeddingsBench",
            dependencies: [
                .product(name: "Embeddings", package: "matchd"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/EmbeddingsBench",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The read kernels of the comparison's memory bound, shared with compare/bandwidth.c (gcc
        // -O3 -march=native). clang prefers 256-bit vectors on AVX-512 CPUs and would split the
        // 64-byte accumulators gcc keeps whole, hence the preferred width.
        .target(
            name: "ReadKernels",
            path: "compare/ReadKernels",
            cSettings: [.unsafeFlags(["-O3", "-march=native", "-mprefer-vector-width=512"])]
        ),
        // The Matcher side of the FAISS comparison (benchmarks/compare/compare.py runs it).
        .executableTarget(
            name: "matcher-compare",
            dependencies: [
                "ReadKernels",
                .product(name: "Matcher", package: "matchd"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "compare/MatcherCompare"
        ),
        // Quality on the hand-labelled sets of benchmarks/quality/ (occupation coding, reading):
        // accuracy per split, calibration, throughput; writes benchmarks/results/.
        .executableTarget(
            name: "quality",
            dependencies: [
                .product(name: "Embeddings", package: "matchd"),
                .product(name: "Matcher", package: "matchd"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "quality/Quality"
        ),
        // The market view's batch problem (every talent × every open posting, exact fit, course
        // lifts) at 200k × 20k, beside the machine's sgemm peak measured in the same run;
        // writes benchmarks/results/market-join.md.
        .executableTarget(
            name: "market-join",
            dependencies: [
                .product(name: "Embeddings", package: "matchd"),
                .product(name: "Matcher", package: "matchd"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "market/MarketJoin"
        ),
    ]
)
