import OpenAPIRuntime
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OpenAPIHummingbird

/// The router with every route of `openapi.yaml` and matchd's middleware, for `serve` and tests.
func buildRouter(engine: Engine, metrics: @escaping @Sendable () -> String = { "" }) throws -> Router<MatchdRequestContext> {
    let router = Router(context: MatchdRequestContext.self)
    router.add(middleware: AccessLogMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: BodyLimitMiddleware(maxBodyBytes: engine.config.maxBodyBytes,
                                               maxImportBytes: engine.config.maxImportBytes))
    router.add(middleware: AuthMiddleware(engine: engine))
    router.add(middleware: QueryLimitMiddleware())
    try APIHandler(engine: engine, metrics: metrics)
        .registerHandlers(on: router, configuration: .init(dateTranscoder: RFC3339Dates(),
                                                            jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]),
                          middlewares: [AccessMiddleware()])
    // A known path asked with a method it does not serve is 405, not the trie's 404 (HEAD
    // included: no route answers it).
    for routes in Dictionary(grouping: router.routes, by: { $0.path.description }).values {
        let allowed = routes.map(\.method.rawValue).sorted().joined(separator: ", ")
        for method in [HTTPRequest.Method.get, .head, .put, .post, .delete, .patch, .options, .trace, HTTPRequest.Method("QUERY")!]
        where !routes.contains(where: { $0.method == method }) {
            router.on(routes[0].path, method: method) { _, _ -> Response in
                var error = APIError(.methodNotAllowed, .methodNotAllowed, "\(method) is not allowed here; use \(allowed)")
                error.allow = allowed
                throw error
            }
        }
    }
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
