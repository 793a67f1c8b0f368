// swift-tools-version:6.1
import PackageDescription

/// Language settings shared by every Swift target (Swift 6 mode comes from the tools version).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "matchd",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Matcher", targets: ["Matcher"]),
        .library(name: "Embeddings", targets: ["Embeddings"]),
        .executable(name: "matchd", targets: ["matchd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        // CSV reading for the ESCO import (Embeddings).
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
    ],
    targets: [
        // OpenBLAS (CBLAS) and LAPACKE headers; imported only by Matcher.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // Exact top-k vector search and the small linear-algebra API the other modules use.
        .target(name: "Matcher", dependencies: ["CBLAS"], swiftSettings: swiftSettings),
        // The post-competency model, text extraction, competency vectors and explanations.
        .target(
            name: "Embeddings",
            dependencies: ["Matcher", .product(name: "CSV", package: "CSV.swift")],
            swiftSettings: swiftSettings
        ),
        // The service: CLI, HTTP API, store and the three journeys.
        .executableTarget(
            name: "matchd",
            dependencies: [
                "Matcher", "Embeddings",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "MatcherTests", dependencies: ["Matcher", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "EmbeddingsTests", dependencies: ["Embeddings", "Matcher", "TestSupport"],
                    swiftSettings: swiftSettings),
    ]
)
