import OpenAPIRuntime
import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird

/// The router with every route of `openapi.yaml` and matchd's middleware, for `serve` and tests.
func buildRouter(engine: Engine, metrics: @escaping @Sendable () -> String = { "" }) throws -> Router<MatchdRequestContext> {
    let router = Router(context: MatchdRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(.info))
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: BodyLimitMiddleware(maxBodyBytes: engine.config.maxBodyBytes,
                                               maxImportBytes: engine.config.maxImportBytes))
    router.add(middleware: AuthMiddleware(engine: engine))
    try APIHandler(engine: engine, metrics: metrics)
        .registerHandlers(on: router, configuration: .init(jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]))
    return router
}

/// The application `serve` runs: the router on the configured address.
func buildApplication(engine: Engine, logger: Logger,
                      metrics: @escaping @Sendable () -> String = { "" }) throws -> some ApplicationProtocol {
    let router = try buildRouter(engine: engine, metrics: metrics)
    return Application(router: router,
                       configuration: .init(address: .hostname(engine.config.host, port: engine.config.port),
                                            serverName: "matchd"),
                       logger: logger)
}
