import Logging
import Foundation
import Hummingbird

/// Per-request state: Hummingbird's core context, with JSON encoded in sorted key order so that
/// bodies are byte-stable across runs.
struct MatchdRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The id Hummingbird gave this request (also in every log line).
    var requestID: String? { logger[metadataKey: "hb.request.id"]?.description }
}
