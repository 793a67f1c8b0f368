import Embeddings

extension APIHandler {
    func classify(_ input: Operations.Classify.Input) async throws -> Operations.Classify.Output {
        guard case .json(let body) = input.body else { throw ServiceError.invalid(field: "body", message: "expected JSON") }
        try checkModelVersion(body.modelVersion)
        let limit = try candidateLimit(body.limit)
        do throws(ClassifyInputError) {
            let c = try checkedClassify(engine.coder, title: body.title, description: body.description, limit: limit)
            return .ok(.init(body: .json(S.Classification(c, modelVersion: model.manifest.version))))
        } catch {
            throw ServiceError.invalid(field: error.field, message: error.message)
        }
    }

    func classifyBatch(_ input: Operations.ClassifyBatch.Input) async throws -> Operations.ClassifyBatch.Output {
        guard case .json(let body) = input.body else { throw ServiceError.invalid(field: "body", message: "expected JSON") }
        try checkModelVersion(body.modelVersion)
        let limit = try candidateLimit(body.limit)
        guard (1...ClassifyLimits.maxBatchItems).contains(body.items.count) else {
            throw ServiceError.invalid(field: "items", message: "has \(body.items.count) items; 1 to \(ClassifyLimits.maxBatchItems) allowed")
        }
        let version = model.manifest.version
        var coded = 0, unknown = 0, refused = 0
        let items = body.items.enumerated().map { i, item -> S.ClassifyBatchResult.ItemsPayloadPayload in
            do throws(ClassifyInputError) {
                let c = try checkedClassify(engine.coder, title: item.title, description: item.description, limit: limit)
                if c.isUnknown { unknown += 1 } else { coded += 1 }
                return .init(index: i, result: S.Classification(c, modelVersion: version))
            } catch {
                refused += 1
                return .init(index: i, error: .init(code: ErrorCode.invalidField.rawValue, field: "items[\(i)].\(error.field)",
                                                    message: error.message))
            }
        }
        return .ok(.init(body: .json(.init(items: items, coded: coded, unknown: unknown, refused: refused, modelVersion: version))))
    }

    private func checkModelVersion(_ version: Int?) throws {
        if let version, !(Int(Int32.min)...Int(Int32.max)).contains(version) {
            throw ServiceError.invalid(field: "modelVersion", message: "\(version) is outside the 32-bit integers")
        }
        if let version, version != model.manifest.version {
            throw ServiceError.unprocessable(field: "modelVersion",
                                       message: "this server codes with model version \(model.manifest.version), not \(version)")
        }
    }

    private func candidateLimit(_ limit: Int?) throws -> Int {
        let limit = limit ?? 3
        guard (1...10).contains(limit) else { throw ServiceError.invalid(field: "limit", message: "must be 1 to 10, got \(limit)") }
        return limit
    }
}

extension S.Classification {
    init(_ c: Embeddings.Classification, modelVersion: Int) {
        self.init(occupation: c.occupation.map(S.OccupationCandidate.init), candidates: c.candidates.map(S.OccupationCandidate.init),
                  reading: .init(head: c.reading.head, pieces: c.reading.pieces, context: c.reading.context, level: c.reading.level,
                                 workType: c.reading.workType.flatMap { .init(rawValue: $0.rawValue) },
                                 noise: c.reading.noise.map { .init(kind: .init(rawValue: $0.kind.rawValue)!, text: $0.text) }),
                  threshold: c.threshold, modelVersion: modelVersion)
    }
}

extension S.OccupationCandidate {
    init(_ c: Embeddings.OccupationCandidate) {
        self.init(code: c.code, name: c.name, digital: c.digital, post: c.post, confidence: c.confidence, score: c.score,
                  evidence: c.evidence.map {
                      .init(kind: .init(rawValue: $0.kind.rawValue)!, text: $0.text, post: $0.post, competencies: $0.competencies,
                            score: $0.score)
                  })
    }
}
