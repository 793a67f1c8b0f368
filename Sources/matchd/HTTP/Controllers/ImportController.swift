import Foundation
import OpenAPIRuntime
import Synchronization

extension APIHandler {
    /// Streams the NDJSON body line by line, committing in batches of `Engine.importBatch`, so a
    /// large import neither holds the whole body in memory nor stops searches. With an
    /// `importId`, progress is saved after every batch and a repeated request resumes.
    func importRecords(_ input: Operations.ImportRecords.Input) async throws -> Operations.ImportRecords.Output {
        guard case .applicationXNdjson(let body) = input.body else {
            throw ServiceError.invalid(field: "body", message: "expected application/x-ndjson")
        }
        let kind = ImportKind(rawValue: input.path.kind.rawValue)!
        var run = try await engine.beginImport(id: input.query.importId, kind: kind)
        let runID = run?.id
        defer { engine.endImport(id: runID) }
        let skipUpTo = run?.lastLine ?? 0
        var reader = ImportReader(kind: kind, limit: engine.config.maxImportBytes)
        var errors: [ImportLineError] = []
        var batch: [(line: Int, item: ImportItem)] = []
        var pendingErrors: [ImportLineError] = []
        var lastRead = 0, skipped = 0
        func flush() async throws {
            if !batch.isEmpty {
                pendingErrors += try await engine.importBatch(batch)
            }
            if var r = run {
                r.linesReceived = max(r.linesReceived, lastRead)
                r.linesCommitted += batch.count - pendingErrors.filter { e in batch.contains { $0.line == e.line } }.count
                r.linesFailed += pendingErrors.count
                r.errors = Array((r.errors + pendingErrors).prefix(ImportRunRecord.maxErrors))
                r.lastLine = max(r.lastLine, lastRead)
                r.updatedAt = Date()
                try await engine.store.saveImportRun(r)
                run = r
            }
            errors += pendingErrors
            pendingErrors.removeAll()
            batch.removeAll(keepingCapacity: true)
        }
        func take(_ decoded: ImportReader.Decoded) {
            switch decoded {
            case .item(let line, let item):
                lastRead = line
                if line <= skipUpTo { skipped += 1 } else { batch.append((line, item)) }
            case .error(let e):
                lastRead = max(lastRead, e.line)
                if e.line > skipUpTo { pendingErrors.append(e) } else { skipped += 1 }
            }
        }
        do {
            var sawBytes = false
            for try await chunk in body {
                sawBytes = sawBytes || !chunk.isEmpty
                let lines: [ImportReader.Decoded]
                do { lines = try reader.feed(chunk) } catch {
                    try await flush()   // what the error says is committed, is
                    throw error
                }
                for decoded in lines {
                    take(decoded)
                    if batch.count >= Engine.importBatch { try await flush() }
                }
            }
            guard sawBytes else {
                throw ServiceError.invalid(field: "body", message: "the body is empty; send one JSON object per line")
            }
            for decoded in reader.finish() { take(decoded) }
            try await flush()
        } catch {
            if var r = run {
                r.state = .interrupted
                r.updatedAt = Date()
                try? await engine.store.saveImportRun(r)
            }
            throw error
        }
        if var r = run {
            r.state = .completed
            r.updatedAt = Date()
            try await engine.store.saveImportRun(r)
        }
        errors.sort { $0.line < $1.line }
        let lines = reader.lines
        return .ok(.init(body: .json(.init(
            importId: run?.id, skipped: run == nil ? nil : skipped,
            kind: input.path.kind, lines: lines, accepted: lines - skipped - errors.count, rejected: errors.count,
            errors: errors.map { .init(line: $0.line, id: $0.id, code: $0.code, message: $0.message, field: $0.field) }))))
    }

    func getImport(_ input: Operations.GetImport.Input) async throws -> Operations.GetImport.Output {
        let id = input.path.importId
        try validateRecordID(id, field: "importId")
        guard let r = try await engine.store.importRun(id: id) else { throw ServiceError.notFound(kind: "import", id: id) }
        return .ok(.init(body: .json(.init(
            id: r.id, kind: .init(rawValue: r.kind)!, state: .init(rawValue: r.state.rawValue)!, linesReceived: r.linesReceived,
            linesCommitted: r.linesCommitted, linesFailed: r.linesFailed, lastLine: r.lastLine,
            errors: r.errors.map { .init(line: $0.line, id: $0.id, code: $0.code, message: $0.message, field: $0.field) },
            startedAt: r.startedAt, updatedAt: r.updatedAt))))
    }
}

extension Engine {
    /// The run of a named import: a new one, or the interrupted one it resumes. Refuses an id
    /// whose import completed or is streaming now (409), or names another kind (400).
    func beginImport(id: String?, kind: ImportKind) async throws -> ImportRunRecord? {
        guard let id else { return nil }
        try validateRecordID(id, field: "importId")
        let claimed = liveImports.withLock { live in live.insert(id).inserted }
        guard claimed else { throw ServiceError.conflict(kind: "running import", id: id) }
        do {
            let now = Date()
            if var r = try await store.importRun(id: id) {
                guard r.kind == kind.rawValue else {
                    throw ServiceError.unprocessable(field: "importId", message: "import \(id) imports \(r.kind), not \(kind.rawValue)")
                }
                guard r.state != .completed else { throw ServiceError.conflict(kind: "completed import", id: id) }
                r.state = .running
                r.updatedAt = now
                try await store.saveImportRun(r)
                return r
            }
            let r = ImportRunRecord(id: id, kind: kind.rawValue, state: .running, linesReceived: 0, linesCommitted: 0,
                                    linesFailed: 0, lastLine: 0, errors: [], startedAt: now, updatedAt: now)
            try await store.saveImportRun(r)
            return r
        } catch {
            endImport(id: id)
            throw error
        }
    }

    func endImport(id: String?) {
        guard let id else { return }
        _ = liveImports.withLock { $0.remove(id) }
    }
}
