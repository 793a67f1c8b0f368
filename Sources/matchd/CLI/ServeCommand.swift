import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Matcher
import Metrics
import Prometheus

/// `matchd serve`: loads the model and the store, restores or rebuilds the catalogs, then serves
/// HTTP until SIGTERM/SIGINT, finishing in-flight requests and saving the index snapshot.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the HTTP API.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Address to listen on (env MATCHD_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Port (env MATCHD_PORT; default 8080; 0 picks a free one).") var port: Int?
    @Option(help: "trace, debug, info, notice, warning, error or critical (env MATCHD_LOG_LEVEL; default info).") var logLevel: String?
    @Option(help: "Largest JSON body in bytes (env MATCHD_MAX_BODY_BYTES; default 1 MiB).") var maxBodyBytes: Int?
    @Option(help: "Largest NDJSON import body in bytes (env MATCHD_MAX_IMPORT_BYTES; default 256 MiB).") var maxImportBytes: Int?
    @Option(help: "Candidates retrieved before re-ranking (env MATCHD_RETRIEVAL_DEPTH; default 500).") var retrievalDepth: Int?
    @Option(help: "Searches of one catalog run at once; more are batched (env MATCHD_SEARCH_LANES; default 1).")
    var searchLanes: Int?
    @Option(help: "Microseconds a free search waits to batch with others (env MATCHD_GATHER_MICROSECONDS; default 300).")
    var gatherMicroseconds: Int?
    @Flag(inversion: .prefixedNo, help: "Compute the market reports as the server starts (env MATCHD_MARKET_AT_START; default true).")
    var marketAtStart: Bool?

    func resolvedConfig(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> MatchdConfig {
        var config = MatchdConfig()
        try store.resolve(env, into: &config)
        if let v = host ?? env["MATCHD_HOST"] { config.host = v }
        if let v = try port ?? StoreOptions.int(env, "MATCHD_PORT") { config.port = v }
        if let v = logLevel ?? env["MATCHD_LOG_LEVEL"] { config.logLevel = v }
        if let v = try maxBodyBytes ?? StoreOptions.int(env, "MATCHD_MAX_BODY_BYTES") { config.maxBodyBytes = v }
        if let v = try maxImportBytes ?? StoreOptions.int(env, "MATCHD_MAX_IMPORT_BYTES") { config.maxImportBytes = v }
        if let v = try retrievalDepth ?? StoreOptions.int(env, "MATCHD_RETRIEVAL_DEPTH") { config.retrievalDepth = v }
        if let v = try searchLanes ?? StoreOptions.int(env, "MATCHD_SEARCH_LANES") { config.searchLanes = v }
        if let v = try gatherMicroseconds ?? StoreOptions.int(env, "MATCHD_GATHER_MICROSECONDS") { config.gatherMicroseconds = v }
        if let v = try marketAtStart ?? StoreOptions.bool(env, "MATCHD_MARKET_AT_START") { config.marketAtStart = v }
        try config.validate()
        return config
    }

    func run() async throws {
        let config: MatchdConfig
        do { config = try resolvedConfig() } catch { throw ValidationError("\(error)") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "matchd")
        logger.info("compute", metadata: [
            "blas_core": "\(ComputeBackend.blasCore)",
            "dot_kernel": "\(ComputeBackend.dotKernel)",
            "batch_kernel": "\(ComputeBackend.batchKernel)",
        ])
        if let warning = ComputeBackend.blasCoreWarning { logger.warning("\(warning)") }
        let engine = try await Engine.start(config: config, logger: logger, exclusive: "serve")
        try await ensureAdminKey(engine: engine, logger: logger)
        // The market reports of the store as it starts, in the background, so the first report
        // request is served from them.
        if config.marketAtStart { engine.market.refresh(engine: engine, storeRevision: try await engine.store.revision()) }
        let app = try buildApplication(engine: engine, logger: logger, metrics: { registry.emitToString() })
        logger.info("serving", metadata: ["address": "\(config.host):\(config.port)"])
        try await app.runService()
        try await engine.saveSnapshot(logger: logger)
        logger.info("stopped")
    }
}

/// Creates the first admin key when the store has none, and writes it to `data/admin.key`
/// (mode 0600) for the operator; it is never logged.
func ensureAdminKey(engine: Engine, logger: Logger) async throws {
    guard try await !engine.store.hasAdminKey() else { return }
    let (key, record) = try await engine.createKey(.init(role: .admin, name: "bootstrap admin"))
    let url = engine.config.adminKeyFile
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    guard FileManager.default.createFile(atPath: url.path, contents: Data((key + "\n").utf8),
                                         attributes: [.posixPermissions: 0o600]) else {
        throw ValidationError("cannot write the first admin key to \(url.path)")
    }
    logger.notice("created the first admin key", metadata: ["keyId": "\(record.id)", "file": "\(url.path)"])
}
