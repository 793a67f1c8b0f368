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
func page(limit: Int?, offset: Int?) throws(ServiceError) -> (limit: Int, offset: Int) {
    let limit = limit ?? 50, offset = offset ?? 0
    guard (1...200).contains(limit) else { throw .invalid(field: "limit", message: "limit is \(limit); it must be 1…200") }
    guard (0...Int(Int32.max)).contains(offset) else {
        throw .invalid(field: "offset", message: "offset is \(offset); it must be 0…\(Int32.max)")
    }
    return (limit, offset)
}

extension Array {
    /// The slice `[offset, offset + limit)`, clamped.
    func window(_ p: (limit: Int, offset: Int)) -> [Element] {
        Array(dropFirst(p.offset).prefix(p.limit))
    }
}
