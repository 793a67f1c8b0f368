import Foundation

/// What an import did: the records it went through and the refused ones, with the lines of the
/// file. `failure` says why it stopped early (a chunk the server refused as a whole); the records
/// before the failed chunk are committed.
struct ImportOutcome: Sendable {
    var processed = 0
    var errors: [ImportLineError] = []
    var failure: String?
}

/// A run of NDJSON lines sent as one request to the import endpoint; the server numbers the
/// lines of the body 1…n, `lines` maps them back to the file.
struct ImportChunk: Sendable, Equatable {
    var body: Data
    /// The file's line for each line of the body, in order.
    var lines: [Int]

    /// Default size of a chunk: requests small enough for any server (`--max-import-bytes` is at
    /// least `--max-body-bytes`, 1 MiB by default) and frequent enough for the progress bar.
    static let defaultLines = 1000
    static let defaultBytes = 1 << 20

    /// Splits records into chunks of at most `maxLines` lines and `maxBytes` bytes (a record
    /// larger than `maxBytes` travels alone).
    static func split(_ records: [ImportFile.Record], maxLines: Int = defaultLines, maxBytes: Int = defaultBytes) -> [ImportChunk] {
        precondition(maxLines > 0 && maxBytes > 0, "chunks hold at least one line and one byte")
        var chunks: [ImportChunk] = []
        var current = ImportChunk(body: Data(), lines: [])
        for record in records {
            let size = record.json.count + 1
            if !current.lines.isEmpty && (current.lines.count == maxLines || current.body.count + size > maxBytes) {
                chunks.append(current)
                current = ImportChunk(body: Data(), lines: [])
            }
            current.body += record.json
            current.body.append(UInt8(ascii: "\n"))
            current.lines.append(record.line)
        }
        if !current.lines.isEmpty { chunks.append(current) }
        return chunks
    }

    /// The server's errors for this chunk, renumbered with the file's lines; nil when the server
    /// names a line the chunk does not have.
    func fileErrors(_ errors: [ImportLineError]) -> [ImportLineError]? {
        var out: [ImportLineError] = []
        for var e in errors {
            guard lines.indices.contains(e.line - 1) else { return nil }
            e.line = lines[e.line - 1]
            out.append(e)
        }
        return out
    }
}

enum ImportRun {
    /// Imports `file` into `engine` directly, committing `Engine.importBatch` records at a time;
    /// `progress` gets the records done after each batch.
    static func local(_ file: ImportFile, kind: ImportKind, engine: Engine,
                      progress: (Int) -> Void = { _ in }) async throws -> ImportOutcome {
        var outcome = ImportOutcome(processed: file.count, errors: file.errors)
        var done = file.errors.count
        var start = 0
        while start < file.records.count {
            let slice = file.records[start..<min(start + Engine.importBatch, file.records.count)]
            start = slice.endIndex
            // One body per batch: the reader numbers its lines 1…n, mapped back to the file.
            var reader = ImportReader(kind: kind, limit: .max)
            var body = Data()
            for record in slice { body += record.json; body.append(UInt8(ascii: "\n")) }
            let lines = slice.map(\.line)
            var batch: [(line: Int, item: ImportItem)] = []
            for decoded in try reader.feed(body) + reader.finish() {
                switch decoded {
                case .item(let line, let item): batch.append((lines[line - 1], item))
                case .error(var e):
                    e.line = lines[e.line - 1]
                    outcome.errors.append(e)
                }
            }
            outcome.errors += try await engine.importBatch(batch)
            done += slice.count
            progress(done)
        }
        outcome.errors.sort { $0.line < $1.line }
        return outcome
    }

    /// Sends `file` to a server chunk by chunk (`send` posts one NDJSON body and returns the
    /// server's result) and merges the per-line errors with the file's lines; `progress` gets
    /// the records done after each chunk. A chunk the server refuses as a whole stops the import.
    static func remote(_ file: ImportFile, maxLines: Int = ImportChunk.defaultLines, maxBytes: Int = ImportChunk.defaultBytes,
                       send: (Data) async throws -> S.ImportResult,
                       progress: (Int) -> Void = { _ in }) async -> ImportOutcome {
        var outcome = ImportOutcome(processed: file.errors.count, errors: file.errors)
        for chunk in ImportChunk.split(file.records, maxLines: maxLines, maxBytes: maxBytes) {
            let first = chunk.lines[0], last = chunk.lines[chunk.lines.count - 1]
            do {
                let result = try await send(chunk.body)
                let errors = result.errors.map {
                    ImportLineError(line: $0.line, id: $0.id, code: $0.code, message: $0.message, field: $0.field)
                }
                guard let mapped = chunk.fileErrors(errors) else {
                    outcome.failure = "the server numbered lines the request for file lines \(first)…\(last) does not have"
                    break
                }
                outcome.errors += mapped
                outcome.processed += chunk.lines.count
                progress(outcome.processed)
            } catch {
                outcome.failure = "the request for file lines \(first)…\(last) failed: \(error); "
                    + (first == file.records.first?.line ? "nothing was imported" : "the records before line \(first) are imported")
                break
            }
        }
        outcome.errors.sort { $0.line < $1.line }
        return outcome
    }
}
