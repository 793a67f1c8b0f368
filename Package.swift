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
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", exact: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", exact: "2.1.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        // YAML reading for the tests that keep openapi.yaml true (matchdTests only; already resolved
        // through swift-openapi-generator).
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
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
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: swiftSettings,
            // The HTTP routes, parameters and bodies are generated from openapi.yaml.
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "MatcherTests", dependencies: ["Matcher", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "matchdTests",
            dependencies: [
                "matchd", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "EmbeddingsTests", dependencies: ["Embeddings", "Matcher", "TestSupport"],
                    swiftSettings: swiftSettings),
    ]
)
