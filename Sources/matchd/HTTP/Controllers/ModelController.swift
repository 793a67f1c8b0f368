import Embeddings
import Foundation

extension APIHandler {
    func getModel(_ input: Operations.GetModel.Input) async throws -> Operations.GetModel.Output {
        let m = model.manifest
        return .ok(.init(body: .json(.init(
            id: m.id, version: m.version, name: S.LocalizedText(m.name),
            description: m.description.map { S.LocalizedText(zh: $0.zh ?? "", en: $0.en ?? "") },
            classification: m.classification.map { .init(name: $0.name, edition: $0.edition) },
            counts: .init(competencies: model.competencies.count, posts: model.posts.count,
                          certificates: model.certificates.count, courses: model.courses.count,
                          levels: model.levels.labels.count, occupations: model.occupations.count),
            domains: m.domains.map { .init(id: $0.id, name: S.LocalizedText($0.name)) },
            scale: model.levels.ordinals.map { .init(ord: $0.ord, name: S.LocalizedText($0.name)) },
            sources: m.sources.map { .init(id: $0.id, title: $0.title, url: $0.url, note: $0.note) }))))
    }

    func searchModel(_ input: Operations.SearchModel.Input) async throws -> Operations.SearchModel.Output {
        let p = try page(limit: input.query.limit, offset: 0)
        let q = input.query.q.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !q.isEmpty else { throw ServiceError.invalid(field: "q", message: "must not be empty") }
        let matches = model.lookup(q, limit: p.limit)
        return .ok(.init(body: .json(.init(items: matches.map {
            .init(kind: .init(rawValue: $0.kind.rawValue)!, id: $0.id, name: S.LocalizedText($0.name), matched: $0.matched,
                  score: $0.score)
        }))))
    }

    func postSummary(_ post: Post) -> S.PostSummary {
        .init(id: post.id, occupation: post.occupation, occupationName: model.occupation(code: post.occupation)?.name,
              name: S.LocalizedText(post.name), direction: post.direction.map(S.LocalizedText.init),
              referenceLevel: post.referenceLevel, confidence: post.confidence?.rawValue)
    }

    func listPosts(_ input: Operations.ListPosts.Input) async throws -> Operations.ListPosts.Output {
        let p = try page(limit: input.query.limit, offset: input.query.offset)
        let q = input.query.q?.lowercased()
        let posts = model.posts.filter { post in
            guard let q, !q.isEmpty else { return true }
            return post.id.hasPrefix(q) || post.name.zh.lowercased().contains(q) || post.name.en.lowercased().contains(q)
                || (post.aliases.zh + post.aliases.en).contains { $0.lowercased().contains(q) }
        }
        return .ok(.init(body: .json(.init(items: posts.window(p).map(postSummary), total: posts.count))))
    }

    func getPost(_ input: Operations.GetPost.Input) async throws -> Operations.GetPost.Output {
        guard let post = model.post(id: input.path.postId), let reqs = model.requirements(ofPost: post.id) else {
            throw ServiceError.notFound(kind: "post", id: input.path.postId)
        }
        return .ok(.init(body: .json(.init(
            post: postSummary(post), code2015: post.code2015, aliases: post.aliases.zh + post.aliases.en,
            requirements: reqs.map { .init(competency: $0.competency, name: model.localizedName(of: $0.competency),
                                           level: $0.level, weight: $0.weight) },
            functions: post.functions.map { f in
                .init(name: S.LocalizedText(f.name), weight: f.weight, workItems: f.workItems.map { w in
                    .init(name: S.LocalizedText(w.name), requirements: w.requirements.map {
                        .init(competency: $0.competency, level: $0.level, importance: $0.importance)
                    })
                })
            },
            source: post.source))))
    }

    func competencySummary(_ c: Competency) -> S.CompetencySummary {
        .init(id: c.id, domain: c.domain, kind: c.kind.rawValue, name: S.LocalizedText(c.name),
              aliases: c.aliases.zh + c.aliases.en)
    }

    func listCompetencies(_ input: Operations.ListCompetencies.Input) async throws -> Operations.ListCompetencies.Output {
        let p = try page(limit: input.query.limit, offset: input.query.offset)
        if let d = input.query.domain, !model.manifest.domains.contains(where: { $0.id == d }) {
            throw ServiceError.unprocessable(field: "domain", message: "unknown domain \(d)")
        }
        let list: [Competency]
        if let q = input.query.q, !q.isEmpty {
            let ids = model.lookup(q, limit: 200).filter { $0.kind == .competency }.map(\.id)
            list = ids.compactMap { model.competency(id: $0) }
        } else {
            list = model.competencies
        }
        let filtered = list.filter { input.query.domain == nil || $0.domain == input.query.domain }
        return .ok(.init(body: .json(.init(items: filtered.window(p).map(competencySummary), total: filtered.count))))
    }

    func getCompetency(_ input: Operations.GetCompetency.Input) async throws -> Operations.GetCompetency.Output {
        let id = input.path.competencyId
        guard let c = model.competency(id: id), let index = model.index(ofCompetency: id) else {
            throw ServiceError.notFound(kind: "competency", id: id)
        }
        let similar = engine.latent.mostSimilar(to: index, limit: 8).map {
            S.CompetencyDetail.SimilarPayloadPayload(competency: competencySummary(model.competencies[$0.index]),
                                                     similarity: Double($0.similarity))
        }
        var posts: [S.CompetencyDetail.PostsPayloadPayload] = []
        for post in model.posts {
            if let r = model.requirements(ofPost: post.id)?.first(where: { $0.competency == id }) {
                posts.append(.init(post: postSummary(post), level: r.level, weight: r.weight))
            }
        }
        return .ok(.init(body: .json(.init(
            competency: competencySummary(c), description: S.LocalizedNote(c.description),
            related: c.related.compactMap { model.competency(id: $0) }.map(competencySummary),
            similar: similar, posts: posts.sorted { $0.weight > $1.weight }))))
    }

    func listLevels(_ input: Operations.ListLevels.Input) async throws -> Operations.ListLevels.Output {
        .ok(.init(body: .json(.init(
            scale: model.levels.ordinals.map { .init(ord: $0.ord, name: S.LocalizedText($0.name)) },
            labels: model.levels.labels.map {
                .init(id: $0.id, scheme: $0.scheme.rawValue, ord: $0.ord, name: S.LocalizedText($0.name),
                      aliases: $0.aliases.zh + $0.aliases.en, confidence: $0.confidence?.rawValue)
            }))))
    }

    func listCertificates(_ input: Operations.ListCertificates.Input) async throws -> Operations.ListCertificates.Output {
        let p = try page(limit: input.query.limit, offset: input.query.offset)
        let q = input.query.q?.lowercased()
        let certs = model.certificates.filter { c in
            guard let q, !q.isEmpty else { return true }
            return c.name.zh.lowercased().contains(q) || c.name.en.lowercased().contains(q)
                || (c.aliases.zh + c.aliases.en).contains { $0.lowercased().contains(q) }
        }
        return .ok(.init(body: .json(.init(items: certs.window(p).map { c in
            .init(id: c.id, _type: c.type.rawValue, name: S.LocalizedText(c.name), aliases: c.aliases.zh + c.aliases.en,
                  issuer: S.LocalizedNote(c.issuer),
                  level: c.level.map { .init(scheme: $0.scheme, label: $0.label, ord: $0.ord) },
                  occupation: c.occupation, grants: c.grants.map { .init(competency: $0.competency, level: $0.level) },
                  confidence: c.confidence?.rawValue)
        }, total: certs.count))))
    }

    func extract(_ input: Operations.Extract.Input) async throws -> Operations.Extract.Output {
        guard case .json(let body) = input.body else { throw ServiceError.invalid(field: "body", message: "expected JSON") }
        guard body.text.unicodeScalars.count <= 20_000 else {
            throw ServiceError.invalid(field: "text", message: "text is longer than 20000 characters")
        }
        let extraction = engine.vectorizer.extractor.extract(body.text)
        var best: [String: (level: Int?, confidence: Double)] = [:]
        var order: [String] = []
        for m in extraction.mentions where !m.negated {
            guard let id = m.competency else { continue }
            if best[id] == nil { order.append(id) }
            let old = best[id]
            best[id] = (max(old?.level ?? m.level ?? 0, m.level ?? 0) == 0 ? nil : max(old?.level ?? 0, m.level ?? 0),
                        max(old?.confidence ?? 0, m.confidence))
        }
        return .ok(.init(body: .json(.init(
            mentions: extraction.mentions.map { m in
                .init(competency: m.competency, certificate: m.certificate,
                      name: m.competency.map { model.localizedName(of: $0) }
                          ?? m.certificate.flatMap { model.certificate(id: $0) }.map { S.LocalizedText($0.name) },
                      span: S.TextSpan(m.span), text: m.text, level: m.level,
                      cue: m.cue.map { .init(kind: $0.kind.rawValue, ord: $0.ord, text: $0.text, span: S.TextSpan($0.span),
                                             label: $0.label, years: $0.years, certificate: $0.certificate) },
                      negated: m.negated, confidence: m.confidence, source: .init(rawValue: m.source.rawValue) ?? .alias)
            },
            competencies: order.map { id in
                .init(competency: id, name: model.localizedName(of: id), level: best[id]?.level,
                      confidence: best[id]?.confidence ?? 0)
            },
            protectedAttributes: engine.protectedAttributes.findings(in: body.text).map {
                .init(category: $0.category.rawValue, span: S.TextSpan($0.span), text: $0.text)
            }))))
    }
}
