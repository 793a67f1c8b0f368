import Hummingbird
import Logging

/// One log line per request once it is answered: request id (from the context's logger), method,
/// route template (`/v1/talents/{talentId}`, never the ids or the query in it), status and
/// milliseconds. Bodies, keys and query values are never logged.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = MatchdRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let route = context.endpointPath ?? "unmatched"
        do {
            let response = try await next(request, context)
            log(context, request, route, status: response.status.code, since: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(context, request, route, status: status, since: started)
            throw error
        }
    }

    private func log(_ context: Context, _ request: Request, _ route: String, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
        context.logger.info("request", metadata: [
            "method": "\(request.method.rawValue)", "route": "\(route)", "status": "\(status)",
            "ms": "\((ms * 100).rounded() / 100)",
        ])
    }
}
