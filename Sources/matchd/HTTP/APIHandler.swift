import Embeddings
import Foundation
import OpenAPIRuntime

/// Implements the operations of `openapi.yaml` (the generated `APIProtocol`): each handler reads
/// the caller's `Identity`, calls a journey on the `Engine` and maps the result to the generated
/// response types. Areas live in `Controllers/`.
struct APIHandler: APIProtocol {
    let engine: Engine
    /// Renders `/metrics` (Prometheus text); empty when metrics are not bootstrapped (tests).
    let metrics: @Sendable () -> String

    var identity: Identity { Identity.current }
    var model: CompetencyModel { engine.model }
}

/// `limit`/`offset` checked against their documented ranges.
func page(limit: Int?, offset: Int?, defaultLimit: Int = 50, maxLimit: Int = 200,
          maxOffset: Int = Int(Int32.max)) throws(ServiceError) -> (limit: Int, offset: Int) {
    let limit = limit ?? defaultLimit, offset = offset ?? 0
    guard (1...maxLimit).contains(limit) else { throw .invalid(field: "limit", message: "limit is \(limit); it must be 1…\(maxLimit)") }
    guard (0...maxOffset).contains(offset) else {
        throw .invalid(field: "offset", message: "offset is \(offset); it must be 0…\(maxOffset)")
    }
    return (limit, offset)
}

extension Array {
    /// The slice `[offset, offset + limit)`, clamped.
    func window(_ p: (limit: Int, offset: Int)) -> [Element] {
        Array(dropFirst(p.offset).prefix(p.limit))
    }
}
