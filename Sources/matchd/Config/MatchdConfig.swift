import ArgumentParser
import Foundation

/// Everything `matchd serve` (and the other commands that open the store) can be told, resolved
/// once with the precedence flag > `MATCHD_*` environment variable > default, and validated
/// before the port opens.
struct MatchdConfig: Sendable, Equatable {
    /// `--host`, `MATCHD_HOST`, default `127.0.0.1`.
    var host = "127.0.0.1"
    /// `--port`, `MATCHD_PORT`, default `8080` (0 picks a free port).
    var port = 8080
    /// `--data`, `MATCHD_DATA`, default `./data`: the SQLite store, index snapshots and the admin key.
    var dataDirectory = URL(fileURLWithPath: "data")
    /// `--model`, `MATCHD_MODEL`, default the bundled `models/cn-digital-2022/v2` (found next to
    /// the executable's package, or in the working directory).
    var modelDirectory: URL = MatchdConfig.bundledModel
    /// `--log-level`, `MATCHD_LOG_LEVEL`, default `info`.
    var logLevel = "info"
    /// `--max-body-bytes`, `MATCHD_MAX_BODY_BYTES`, default 1 MiB: JSON request bodies.
    var maxBodyBytes = 1 << 20
    /// `--max-import-bytes`, `MATCHD_MAX_IMPORT_BYTES`, default 256 MiB: one NDJSON import.
    var maxImportBytes = 256 << 20
    /// `--retrieval-depth`, `MATCHD_RETRIEVAL_DEPTH`, default 500: candidates retrieved by vector
    /// similarity before re-ranking by fit (and the deepest a cursor can page).
    var retrievalDepth = 500
    /// `--search-lanes`, `MATCHD_SEARCH_LANES`, default 1: searches of one catalog that run at
    /// once; more wait and are answered in batched passes (`SearchCoalescer`). At 750 req/s on the
    /// demo store one lane gathering for 300 µs kept p99 at 25–27 ms, where a lane per core reached
    /// 3.1 s and one lane without gathering 1.3 s. Measurement: `benchmarks/results/load-demo.md`, "Coalescing".
    var searchLanes = 1
    /// `--gather-microseconds`, `MATCHD_GATHER_MICROSECONDS`, default 300 (0…5000): how long a
    /// search that finds a lane free waits for others to batch with. Measurement: as `searchLanes`.
    var gatherMicroseconds = 300
    /// `--market-at-start` / `--no-market-at-start`, `MATCHD_MARKET_AT_START` (`true`/`false`),
    /// default true: compute the market reports in the background as the server starts, so
    /// the first report request is served from them (off: on the first request instead).
    var marketAtStart = true
    /// `--latent-rank`, `MATCHD_LATENT_RANK`, default 32: rank of the latent competency space.
    var latentRank = 32
    /// The market view (`--market-min-count`, `MATCHD_MARKET_MIN_COUNT`, default 10: the fewest
    /// people a published market count describes).
    var market = MarketConfiguration()

    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// The bundled model: `models/cn-digital-2022/v2` under the working directory or the package
    /// root the executable was built in.
    static var bundledModel: URL {
        let relative = "models/cn-digital-2022/v2"
        let cwd = URL(fileURLWithPath: relative)
        if FileManager.default.fileExists(atPath: cwd.path) { return cwd }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(relative)
        return source
    }

    var gatherWindow: Duration { .microseconds(gatherMicroseconds) }

    var indexDirectory: URL { dataDirectory.appendingPathComponent("index") }
    var adminKeyFile: URL { dataDirectory.appendingPathComponent("admin.key") }

    /// Checks the values; the message names the flag and its environment variable.
    func validate() throws(ConfigError) {
        guard (0...65_535).contains(port) else { throw ConfigError("--port / MATCHD_PORT must be 0…65535, got \(port)") }
        guard Self.logLevels.contains(logLevel) else {
            throw ConfigError("--log-level / MATCHD_LOG_LEVEL must be one of \(Self.logLevels.joined(separator: ", ")), got \(logLevel)")
        }
        guard maxBodyBytes >= 1024 else { throw ConfigError("--max-body-bytes / MATCHD_MAX_BODY_BYTES must be at least 1024") }
        guard maxImportBytes >= maxBodyBytes else {
            throw ConfigError("--max-import-bytes / MATCHD_MAX_IMPORT_BYTES must be at least --max-body-bytes")
        }
        guard (10...10_000).contains(retrievalDepth) else {
            throw ConfigError("--retrieval-depth / MATCHD_RETRIEVAL_DEPTH must be 10…10000, got \(retrievalDepth)")
        }
        guard (1...256).contains(searchLanes) else {
            throw ConfigError("--search-lanes / MATCHD_SEARCH_LANES must be 1…256, got \(searchLanes)")
        }
        guard (0...5000).contains(gatherMicroseconds) else {
            throw ConfigError("--gather-microseconds / MATCHD_GATHER_MICROSECONDS must be 0…5000, got \(gatherMicroseconds)")
        }
        guard (1...256).contains(latentRank) else {
            throw ConfigError("--latent-rank / MATCHD_LATENT_RANK must be 1…256, got \(latentRank)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: modelDirectory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigError("--model / MATCHD_MODEL: no model directory at \(modelDirectory.path)")
        }
    }
}

struct ConfigError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The flags shared by every command that opens the store, resolved into a `MatchdConfig`.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: "Data directory (env MATCHD_DATA; default ./data).")
    var dataDirectory: String?
    @Option(name: .customLong("model"), help: "Model directory (env MATCHD_MODEL; default the bundled model).")
    var modelDirectory: String?
    @Option(help: "Rank of the latent competency space (env MATCHD_LATENT_RANK; default 32).")
    var latentRank: Int?
    @Option(help: "The fewest people a market count may describe (env MATCHD_MARKET_MIN_COUNT; default 10).")
    var marketMinCount: Int?

    func resolve(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                 into config: inout MatchdConfig) throws {
        if let v = dataDirectory ?? environment["MATCHD_DATA"] { config.dataDirectory = URL(fileURLWithPath: v) }
        if let v = modelDirectory ?? environment["MATCHD_MODEL"] { config.modelDirectory = URL(fileURLWithPath: v) }
        if let v = try latentRank ?? Self.int(environment, "MATCHD_LATENT_RANK") { config.latentRank = v }
        if let v = try marketMinCount ?? Self.int(environment, "MATCHD_MARKET_MIN_COUNT") {
            guard v >= 1 else { throw ConfigError("the market's minimum count must be at least 1, got \(v)") }
            config.market.minCount = v
        }
    }

    static func bool(_ environment: [String: String], _ name: String) throws -> Bool? {
        guard let raw = environment[name] else { return nil }
        switch raw.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigError("\(name) must be true or false, got \(raw)")
        }
    }

    static func int(_ environment: [String: String], _ name: String) throws -> Int? {
        guard let raw = environment[name] else { return nil }
        guard let v = Int(raw) else { throw ConfigError("\(name) must be an integer, got \(raw)") }
        return v
    }
}
