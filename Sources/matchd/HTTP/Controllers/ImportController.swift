import Foundation
import OpenAPIRuntime

extension APIHandler {
    /// Streams the NDJSON body line by line, committing in batches of `Engine.importBatch`, so a
    /// large import neither holds the whole body in memory nor stops searches.
    func importRecords(_ input: Operations.ImportRecords.Input) async throws -> Operations.ImportRecords.Output {
        try identity.require(.admin)
        guard case .applicationXNdjson(let body) = input.body else {
            throw ServiceError.invalid(field: "body", message: "expected application/x-ndjson")
        }
        let kind = ImportKind(rawValue: input.path.kind.rawValue)!
        var reader = ImportReader(kind: kind, limit: engine.config.maxImportBytes)
        var errors: [ImportLineError] = []
        var batch: [(line: Int, item: ImportItem)] = []
        func flush() async throws {
            guard !batch.isEmpty else { return }
            errors += try await engine.importBatch(batch, by: identity)
            batch.removeAll(keepingCapacity: true)
        }
        var sawBytes = false
        for try await chunk in body {
            sawBytes = sawBytes || !chunk.isEmpty
            let lines: [ImportReader.Decoded]
            do { lines = try reader.feed(chunk) } catch {
                try await flush()   // what the error says is committed, is
                throw error
            }
            for decoded in lines {
                switch decoded {
                case .item(let line, let item): batch.append((line, item))
                case .error(let e): errors.append(e)
                }
                if batch.count >= Engine.importBatch { try await flush() }
            }
        }
        guard sawBytes else {
            throw ServiceError.invalid(field: "body", message: "the body is empty; send one JSON object per line")
        }
        for decoded in reader.finish() {
            switch decoded {
            case .item(let line, let item): batch.append((line, item))
            case .error(let e): errors.append(e)
            }
        }
        try await flush()
        errors.sort { $0.line < $1.line }
        let lines = reader.lines
        return .ok(.init(body: .json(.init(
            kind: input.path.kind, lines: lines, accepted: lines - errors.count, rejected: errors.count,
            errors: errors.map { .init(line: $0.line, id: $0.id, code: $0.code, message: $0.message, field: $0.field) }))))
    }
}
