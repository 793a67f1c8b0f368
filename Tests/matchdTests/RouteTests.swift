import Embeddings
import Foundation
import HTTPTypes
import Testing
@testable import matchd

/// The success path of every operation of `openapi.yaml`, with oracles: values the caller sent
/// or the model holds, the documented scoring formula on hand-made profiles, and invariants
/// (ordering, pagination, consent, deletion) that a wrong implementation would break.
@Suite struct RouteTests {
    // MARK: System

    @Test func healthCountsTheStore() async throws {
        try await TestService.run { api in
            let health: S.Health = try await api.get("/healthz").decode()
            #expect(health.status == "ok")
            #expect(health.model.id == api.engine.model.manifest.id)
            #expect(health.model.version == api.engine.model.manifest.version)
            #expect(health.counts.jobs == 1 && health.counts.openJobs == 1 && health.counts.talents == 1)
            #expect(health.counts.courses == api.engine.model.courses.count)

            #expect(try await api.send(.post, "/v1/jobs/\(TestService.jobA)/close", as: .employerA).status == .ok)
            let after: S.Health = try await api.get("/healthz").decode()
            #expect(after.counts.jobs == 1 && after.counts.openJobs == 0)
        }
    }

    /// `Engine.start` (the model loaded from disk, catalogs rebuilt from the store) serves too.
    @Test func aColdStartedEngineServes() async throws {
        try await TestService.run(coldStart: true) { api in
            let health: S.Health = try await api.get("/healthz").decode()
            #expect(health.model.id == "cn-digital-2022" && health.model.version == 2)
            let matches: S.JobMatchPage = try await api.get("/v1/talents/tA/matches", as: .seekerA).decode()
            #expect(matches.items.map(\.job.id) == [TestService.jobA])
        }
    }

    @Test func metricsAreText() async throws {
        try await TestService.run(seed: false) { api in
            let reply = try await api.get("/metrics")
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType]?.hasPrefix("text/plain") == true, "\(reply.headers)")
        }
    }

    // MARK: Keys

    @Test func anEmployerKeyCreatesItsEmployerAndPostsForIt() async throws {
        try await TestService.run(seed: false) { api in
            let reply = try await api.post("/v1/keys", as: .admin, json: S.KeyRequest(role: .employer, name: "Acme 数字科技"))
            #expect(reply.status == .created)
            let key: S.KeyCreated = try reply.decode()
            #expect(key.role == .employer && key.name == "Acme 数字科技" && key.talentId == nil)
            let employer = try #require(key.employerId)
            #expect(key.key.hasPrefix("mk_"))

            let headers: HTTPFields = [.authorization: "Bearer \(key.key)"]
            let posted = try await api.send(.post, "/v1/jobs", body: try API.encode(Samples.job("acme-1", title: "Opening Acme",
                                                                                                requirements: [("prog.java", 4)])),
                                            headers: headers)
            #expect(posted.status == .created)
            #expect(try posted.decode(S.Job.self).employerId == employer)
            let listed: S.JobList = try await api.send(.get, "/v1/jobs", headers: headers).decode()
            #expect(listed.items.map(\.id) == ["acme-1"])
        }
    }

    @Test func aSeekerKeyReservesItsTalentID() async throws {
        try await TestService.run(seed: false) { api in
            let key: S.KeyCreated = try await api.post("/v1/keys", as: .admin,
                                                       json: S.KeyRequest(role: .seeker, name: "Li", talentId: "t-li")).decode()
            #expect(key.role == .seeker && key.talentId == "t-li" && key.employerId == nil)
            // The body names no id: the key's own is used.
            let input = Samples.talent(nil, name: "Li", skills: [("prog.golang", 5)])
            let created = try await api.send(.post, "/v1/talents", body: try API.encode(input),
                                             headers: [.authorization: "Bearer \(key.key)"])
            #expect(created.status == .created)
            #expect(try created.decode(S.Talent.self).id == "t-li")
        }
    }

    @Test func aRevokedKeyStopsWorking() async throws {
        try await TestService.run(seed: false) { api in
            let key: S.KeyCreated = try await api.post("/v1/keys", as: .admin,
                                                       json: S.KeyRequest(role: .employer, name: "Short-lived")).decode()
            let headers: HTTPFields = [.authorization: "Bearer \(key.key)"]
            #expect(try await api.send(.get, "/v1/jobs", headers: headers).status == .ok)
            #expect(try await api.delete("/v1/keys/\(key.id)", as: .admin).status == .noContent)
            let refused = try await api.send(.get, "/v1/jobs", headers: headers)
            #expect(refused.status == .unauthorized && refused.error?.code == ErrorCode.invalidKey.rawValue)
            // Revoking twice: the key is no longer live.
            #expect(try await api.delete("/v1/keys/\(key.id)", as: .admin).status == .notFound)
        }
    }

    // MARK: Model

    @Test func theModelManifestAndSizes() async throws {
        try await TestService.run(seed: false) { api in
            let model = api.engine.model
            let info: S.ModelInfo = try await api.get("/v1/model").decode()
            #expect(info.id == model.manifest.id && info.version == model.manifest.version)
            #expect(info.counts.competencies == model.competencies.count)
            #expect(info.counts.posts == model.posts.count)
            #expect(info.counts.certificates == model.certificates.count)
            #expect(info.counts.courses == model.courses.count)
            #expect(info.domains.map(\.id) == model.manifest.domains.map(\.id))
            #expect(info.scale.map(\.ord) == model.levels.ordinals.map(\.ord))
        }
    }

    @Test func modelSearchFindsNamesAndAliasesBestFirst() async throws {
        try await TestService.run(seed: false) { api in
            let byName: S.ModelSearchResult = try await api.get("/v1/model/search?q=\(encoded("Python编程"))").decode()
            let first = try #require(byName.items.first)
            #expect(first.id == "prog.python" && first.kind == .competency)
            #expect(zip(byName.items, byName.items.dropFirst()).allSatisfy { $0.score >= $1.score }, "not best first")
            // An English alias finds the same competency.
            let byAlias: S.ModelSearchResult = try await api.get("/v1/model/search?q=Python3").decode()
            #expect(byAlias.items.contains { $0.id == "prog.python" })
            let limited: S.ModelSearchResult = try await api.get("/v1/model/search?q=python&limit=2").decode()
            #expect(limited.items.count <= 2)
        }
    }

    @Test func postsPageThroughTheModel() async throws {
        try await TestService.run(seed: false) { api in
            let model = api.engine.model
            var ids: [String] = []
            var offset = 0
            while true {
                let page: S.PostList = try await api.get("/v1/model/posts?limit=20&offset=\(offset)").decode()
                #expect(page.total == model.posts.count)
                ids += page.items.map(\.id)
                if page.items.count < 20 { break }
                offset += 20
            }
            #expect(ids == model.posts.map(\.id))
            let ai: S.PostList = try await api.get("/v1/model/posts?q=\(encoded("人工智能"))").decode()
            #expect(ai.items.contains { $0.id == "2-02-38-01" })
            #expect(ai.total < model.posts.count)
        }
    }

    @Test func aPostWithItsWeightedRequirements() async throws {
        try await TestService.run(seed: false) { api in
            let detail: S.PostDetail = try await api.get("/v1/model/posts/2-02-38-01").decode()
            let expected = try #require(api.engine.model.requirements(ofPost: "2-02-38-01"))
            #expect(detail.post.id == "2-02-38-01" && detail.post.name.zh == "人工智能工程技术人员")
            #expect(detail.requirements.map(\.competency) == expected.map(\.competency))
            #expect(detail.requirements.map(\.level) == expected.map(\.level))
            #expect(abs(detail.requirements.map(\.weight).reduce(0, +) - 1) < 1e-9, "weights sum to 1")
            #expect(!detail.functions.isEmpty)
        }
    }

    @Test func competenciesByDomainAndOneWithItsPosts() async throws {
        try await TestService.run(seed: false) { api in
            let model = api.engine.model
            let list: S.CompetencyList = try await api.get("/v1/model/competencies?domain=programming&limit=200").decode()
            #expect(list.total == model.competencies.filter { $0.domain == "programming" }.count)
            #expect(list.items.allSatisfy { $0.domain == "programming" })

            let detail: S.CompetencyDetail = try await api.get("/v1/model/competencies/prog.python").decode()
            let python = try #require(model.competency(id: "prog.python"))
            #expect(detail.competency.id == "prog.python" && detail.competency.name.zh == python.name.zh)
            #expect(detail.related.map(\.id) == python.related.filter { model.competency(id: $0) != nil })
            #expect(!detail.posts.isEmpty)
            for entry in detail.posts {
                let requirement = model.requirements(ofPost: entry.post.id)?.first { $0.competency == "prog.python" }
                #expect(requirement?.level == entry.level, "\(entry.post.id) does not require prog.python at \(entry.level)")
            }
            #expect(zip(detail.posts, detail.posts.dropFirst()).allSatisfy { $0.weight >= $1.weight })
            #expect(!detail.similar.contains { $0.competency.id == "prog.python" }, "a competency is not its own neighbour")
        }
    }

    @Test func levelsAndCertificates() async throws {
        try await TestService.run(seed: false) { api in
            let model = api.engine.model
            let levels: S.LevelList = try await api.get("/v1/model/levels").decode()
            #expect(levels.scale.map(\.ord) == model.levels.ordinals.map(\.ord))
            #expect(zip(levels.scale, levels.scale.dropFirst()).allSatisfy { $0.ord < $1.ord })
            #expect(levels.labels.map(\.id) == model.levels.labels.map(\.id))

            let all: S.CertificateList = try await api.get("/v1/model/certificates?limit=200").decode()
            #expect(all.total == model.certificates.count && all.items.count == model.certificates.count)
            let ai: S.CertificateList = try await api.get("/v1/model/certificates?q=\(encoded("人工智能"))").decode()
            #expect(ai.total > 0 && ai.total < all.total)
            #expect(ai.items.allSatisfy { c in
                c.name.zh.contains("人工智能") || (c.aliases ?? []).contains { $0.contains("人工智能") }
            })
            for c in ai.items { #expect(c.grants.allSatisfy { model.competency(id: $0.competency) != nil }) }
        }
    }

    // MARK: Extraction and anonymous matching

    @Test func extractionFindsCompetenciesWithSpans() async throws {
        try await TestService.run(seed: false) { api in
            let text = "熟练掌握Python，熟悉MySQL数据库，不需要Java。"
            let result: S.ExtractResult = try await api.post("/v1/extract", json: S.ExtractRequest(text: text)).decode()
            let ids = Set(result.competencies.map(\.competency))
            #expect(ids.isSuperset(of: ["prog.python", "data.mysql"]), "\(ids)")
            #expect(!ids.contains("prog.java"), "a negated mention is not a requirement")
            #expect(result.mentions.contains { $0.competency == "prog.java" && $0.negated })
            let scalars = Array(text.unicodeScalars)
            for m in result.mentions {
                let span = String(String.UnicodeScalarView(scalars[m.span.start..<m.span.end]))
                #expect(span == m.text, "span \(m.span.start)…\(m.span.end) is \(span), not \(m.text)")
            }
            #expect(result.protectedAttributes.isEmpty)

            let biased: S.ExtractResult = try await api.post("/v1/extract", json: S.ExtractRequest(text: "Python开发，限男性")).decode()
            #expect(biased.protectedAttributes.map(\.category) == ["gender"])
        }
    }

    @Test func anonymousMatchingScoresWithoutStoring() async throws {
        try await TestService.run { api in
            _ = try await api.createJob(Samples.job("j-mysql", title: "Opening M", city: "北京", requirements: [("data.mysql", 6)]))
            let request = S.AnonymousMatchRequest(profile: Samples.profile([("prog.python", 6), ("data.mysql", 4)]), k: 10)
            let page: S.JobMatchPage = try await api.post("/v1/match", json: request).decode()
            #expect(page.items.map(\.job.id) == [TestService.jobA, "j-mysql"])
            try #require(page.items.count == 2)
            // Python 6 ≥ 5: full coverage. MySQL 4 of 6, and related credit is at most 0.5: 4/6.
            #expect(abs(page.items[0].score - 1) < 1e-9)
            #expect(abs(page.items[1].score - 4.0 / 6) < 1e-9)
            let filtered = S.AnonymousMatchRequest(profile: request.profile, filters: .init(city: "北京"))
            let beijing: S.JobMatchPage = try await api.post("/v1/match", json: filtered).decode()
            #expect(beijing.items.map(\.job.id) == ["j-mysql"])
            let health: S.Health = try await api.get("/healthz").decode()
            #expect(health.counts.talents == 1, "the anonymous profile is not stored")
        }
    }

    // MARK: Talents

    @Test func aTalentReadsBackAsCreatedUpdatedAndExported() async throws {
        try await TestService.run { api in
            let input = S.TalentInput(
                id: "t-mei", displayName: "Mei", contact: .init(email: "mei@example.invalid", phone: "+86 000 0000 0002"),
                city: "杭州", desiredCities: ["杭州", "上海"], desiredPosts: ["2-02-38-01"], salary: .init(min: 18_000, max: 26_000),
                level: 4, searchable: false,
                profile: .init(skills: [.init(competency: "ai.ml", level: 5, verified: true),
                                        .init(competency: "prog.python", level: 4, verified: false)],
                               certificates: [], experience: [.init(text: "3年机器学习项目经验", years: 3)],
                               completedCourses: ["course.ai.ml-foundations-01"], text: "熟悉PyTorch"))
            let created = try await api.createTalent(input)
            #expect(created.id == "t-mei" && created.displayName == input.displayName && created.contact == input.contact)
            #expect(created.city == input.city && created.desiredCities == input.desiredCities!)
            #expect(created.desiredPosts == input.desiredPosts! && created.salary == input.salary)
            #expect(created.level == input.level && created.searchable == false && created.profile == input.profile)
            // Capabilities follow the documented trust factors: verified 1.0, declared 0.8.
            let level = Dictionary(created.competencies.map { ($0.competency, $0.level) }, uniquingKeysWith: max)
            #expect(level["ai.ml"] == 5)
            #expect(abs((level["prog.python"] ?? 0) - 0.8 * 4) < 1e-9, "declared Python 4 counts 0.8 × 4")

            let read: S.Talent = try await api.get("/v1/talents/t-mei", as: .admin).decode()
            #expect(read == created)

            var changed = input
            changed.displayName = "Mei W."
            changed.city = "上海"
            changed.searchable = true
            changed.profile = Samples.profile([("ai.ml", 6)])
            let updated: S.Talent = try await api.put("/v1/talents/t-mei", as: .admin, json: changed).decode()
            #expect(updated.displayName == "Mei W." && updated.city == "上海" && updated.searchable)
            #expect(updated.profile == changed.profile && updated.createdAt == created.createdAt)
            #expect(try await api.get("/v1/talents/t-mei", as: .admin).decode(S.Talent.self) == updated)

            let export: S.TalentExport = try await api.get("/v1/talents/t-mei/export", as: .admin).decode()
            #expect(export.talent == updated)
            #expect(export.keys.isEmpty, "no key owns t-mei")
            let ownReply = try await api.get("/v1/talents/tA/export", as: .seekerA)
            let own: S.TalentExport = try ownReply.decode()
            #expect(own.talent.contact == Samples.talentA.contact)
            #expect(own.keys.map(\.name) == ["Seeker A"] && own.keys.allSatisfy { $0.role == .seeker })
            #expect(!ownReply.text.contains(api.service.keys.seekerA), "an export never contains a key's secret")
        }
    }

    @Test func deletingATalentRemovesItEverywhere() async throws {
        try await TestService.run { api in
            _ = try await api.createTalent(Samples.talent("t-del", name: "Del", city: "上海", skills: [("prog.python", 6)]))
            let before: S.CandidatePage = try await api.get("/v1/jobs/jA/candidates", as: .employerA).decode()
            #expect(Set(before.items.map(\.talent.id)) == ["tA", "t-del"])

            #expect(try await api.delete("/v1/talents/t-del", as: .admin).status == .noContent)
            let gone = try await api.get("/v1/talents/t-del", as: .admin)
            #expect(gone.status == .notFound && gone.error?.code == ErrorCode.recordNotFound.rawValue)
            #expect(try await api.get("/v1/talents/t-del/export", as: .admin).status == .notFound)
            let after: S.CandidatePage = try await api.get("/v1/jobs/jA/candidates?anyCity=true", as: .employerA).decode()
            #expect(after.items.map(\.talent.id) == ["tA"])
            let shortlist: S.Shortlists = try await api.post("/v1/shortlists", as: .employerA,
                                                             json: S.ShortlistRequest(jobIds: ["jA"])).decode()
            #expect(shortlist.shortlists.map { $0.candidates.map(\.talent.id) } == [["tA"]])
            #expect(try await api.delete("/v1/talents/t-del", as: .admin).status == .notFound)

            // A seeker deleting its own profile loses its keys with it.
            #expect(try await api.delete("/v1/talents/tA", as: .seekerA).status == .noContent)
            let orphan = try await api.get("/v1/talents/tA", as: .seekerA)
            #expect(orphan.status == .unauthorized && orphan.error?.code == ErrorCode.invalidKey.rawValue)
            let none: S.CandidatePage = try await api.get("/v1/jobs/jA/candidates?anyCity=true", as: .employerA).decode()
            #expect(none.items.isEmpty)
        }
    }

    // MARK: Matching

    /// Ada (Python 6, MySQL 4, verified) against postings whose fit the formula fixes exactly:
    /// `Σ w·max(min(have/need, 1), related)` with related credit at most 0.5.
    static let matchPostings: [(id: String, city: String, requirements: [(String, Int)], score: Double?)] = [
        ("m-01", "上海", [("prog.python", 5), ("data.mysql", 4)], 1),
        ("m-02", "上海", [("prog.python", 6)], 1),
        ("m-03", "上海", [("data.mysql", 6)], 4.0 / 6),
        ("m-04", "上海", [("prog.python", 8)], 6.0 / 8),
        ("m-05", "上海", [("prog.python", 8), ("data.mysql", 8)], 0.5 * 6 / 8 + 0.5 * 4 / 8),
        ("m-06", "上海", [("prog.java", 5)], nil),
        ("m-07", "北京", [("prog.python", 5)], 1),
        ("m-08", "深圳", [("media.video-editing", 4)], nil),
        ("m-09", "上海", [("prog.python", 5)], 1),
        ("m-10", "上海", [("prog.python", 7), ("data.mysql", 4)], 0.5 * 6 / 7 + 0.5),
    ]

    static func postMatchPostings(_ api: API) async throws {
        for p in matchPostings {
            let job = try await api.createJob(Samples.job(p.id, title: "Opening \(p.id)", city: p.city, requirements: p.requirements))
            #expect(Set(job.requirements.map(\.competency)) == Set(p.requirements.map(\.0)),
                    "the title adds no requirement: \(job.requirements.map(\.competency))")
        }
    }

    @Test func matchesAreRankedByScoreThenIDAndExplained() async throws {
        try await TestService.run { api in
            try await Self.postMatchPostings(api)
            let page: S.JobMatchPage = try await api.get("/v1/talents/tA/matches?k=100", as: .seekerA).decode()
            #expect(page.nextCursor == nil)
            #expect(Set(page.items.map(\.job.id)) == Set(Self.matchPostings.map(\.id) + [TestService.jobA]))
            for (a, b) in zip(page.items, page.items.dropFirst()) {
                #expect(a.score > b.score || (a.score == b.score && a.job.id < b.job.id), "\(a.job.id) before \(b.job.id)")
            }
            let scores = Dictionary(uniqueKeysWithValues: page.items.map { ($0.job.id, $0.score) })
            for p in Self.matchPostings {
                guard let expected = p.score else { continue }
                #expect(scores[p.id].map { abs($0 - expected) < 1e-9 } == true, "\(p.id): \(String(describing: scores[p.id])) ≠ \(expected)")
            }
            // The explanation adds up and names the gap.
            for item in page.items {
                #expect(abs(item.explanation.score - item.score) < 1e-12)
                #expect(abs(item.explanation.parts.exact + item.explanation.parts.related - item.score) < 1e-9, "\(item.job.id)")
            }
            let m04 = try #require(page.items.first { $0.job.id == "m-04" })
            let gap = try #require(m04.explanation.missing.first { $0.competency == "prog.python" })
            #expect(gap.have == 6 && gap.need == 8 && gap.gap == 2)
            let m01 = try #require(page.items.first { $0.job.id == "m-01" })
            #expect(Set(m01.explanation.matched.map(\.competency)) == ["prog.python", "data.mysql"] && m01.explanation.missing.isEmpty)
        }
    }

    @Test(arguments: [1, 3, 4])
    func cursorPagesConcatenateToTheFullList(k: Int) async throws {
        try await TestService.run { api in
            try await Self.postMatchPostings(api)
            let full: S.JobMatchPage = try await api.get("/v1/talents/tA/matches?k=100", as: .seekerA).decode()
            var ids: [String] = []
            var cursor: String?
            repeat {
                let uri = "/v1/talents/tA/matches?k=\(k)" + (cursor.map { "&cursor=\(encoded($0))" } ?? "")
                let page: S.JobMatchPage = try await api.get(uri, as: .seekerA).decode()
                #expect(page.items.count <= k)
                #expect(page.items.count == k || page.nextCursor == nil, "a short page is the last")
                ids += page.items.map(\.job.id)
                cursor = page.nextCursor
            } while cursor != nil && ids.count <= full.items.count
            #expect(ids == full.items.map(\.job.id))
            #expect(Set(ids).count == ids.count, "no repeats")
        }
    }

    @Test func matchFiltersAndClosedPostings() async throws {
        try await TestService.run { api in
            try await Self.postMatchPostings(api)
            let beijing: S.JobMatchPage = try await api.get("/v1/talents/tA/matches?city=\(encoded("北京"))", as: .seekerA).decode()
            #expect(beijing.items.map(\.job.id) == ["m-07"])
            let rich: S.JobMatchPage = try await api.get("/v1/talents/tA/matches?salaryMin=20000&k=100", as: .seekerA).decode()
            #expect(rich.items.map(\.job.id) == [TestService.jobA], "only jA states a salary reaching 20000")

            let closed: S.Job = try await api.send(.post, "/v1/jobs/m-02/close", as: .employerA).decode()
            #expect(closed.status == .closed)
            let page: S.JobMatchPage = try await api.get("/v1/talents/tA/matches?k=100", as: .seekerA).decode()
            #expect(!page.items.contains { $0.job.id == "m-02" }, "a closed posting leaves the matches")
            #expect(page.items.count == Self.matchPostings.count)
            let anonymous: S.JobMatchPage = try await api.post("/v1/match", json: S.AnonymousMatchRequest(
                profile: Samples.talentA.profile, k: 100)).decode()
            #expect(!anonymous.items.contains { $0.job.id == "m-02" })
        }
    }

    /// Candidates are the consenting talents in the posting's area, ranked like matches, and
    /// never carry contact details.
    @Test func candidatesAreConsentingRankedAndContactFree() async throws {
        try await TestService.run { api in
            _ = try await api.createTalent(Samples.talent("c-bob", name: "Bob", city: "上海", searchable: false, skills: [("prog.python", 6)]))
            _ = try await api.createTalent(Samples.talent("c-cy", name: "Cy", city: "上海", skills: [("prog.python", 3)]))
            _ = try await api.createTalent(Samples.talent("c-dee", name: "Dee", city: "北京", skills: [("prog.python", 6)]))

            let local = try await api.get("/v1/jobs/jA/candidates", as: .employerA)
            let page: S.CandidatePage = try local.decode()
            #expect(page.items.map(\.talent.id) == ["tA", "c-cy"], "上海 only, consenting only")
            try #require(page.items.count == 2)
            #expect(abs(page.items[0].score - 1) < 1e-9 && abs(page.items[1].score - 3.0 / 5) < 1e-9)

            let anywhere = try await api.get("/v1/jobs/jA/candidates?anyCity=true", as: .employerA)
            // Dee and Ada tie at 1: the lower id first.
            #expect(try anywhere.decode(S.CandidatePage.self).items.map(\.talent.id) == ["c-dee", "tA", "c-cy"])
            let beijing: S.CandidatePage = try await api.get("/v1/jobs/jA/candidates?city=\(encoded("北京"))", as: .admin).decode()
            #expect(beijing.items.map(\.talent.id) == ["c-dee"])

            for reply in [local, anywhere] {
                #expect(reply.allKeys.isDisjoint(with: ["contact", "email", "phone"]), "\(reply.allKeys.sorted())")
                #expect(!reply.text.contains("example.invalid") && !reply.text.contains("+86"), "\(reply)")
            }

            // Withdrawing consent takes effect at once.
            var withdrawn = Samples.talentA
            withdrawn.searchable = false
            #expect(try await api.put("/v1/talents/tA", as: .seekerA, json: withdrawn).status == .ok)
            let after: S.CandidatePage = try await api.get("/v1/jobs/jA/candidates", as: .employerA).decode()
            #expect(after.items.map(\.talent.id) == ["c-cy"])
        }
    }

    @Test func shortlistsKeepRequestOrderWithAGapMatrix() async throws {
        try await TestService.run { api in
            _ = try await api.createTalent(Samples.talent("c-cy", name: "Cy", city: "上海", skills: [("prog.python", 3)]))
            _ = try await api.createJob(Samples.job("s-2", title: "Opening S2", city: "上海",
                                                    requirements: [("prog.python", 5), ("data.mysql", 6)]))
            let reply = try await api.post("/v1/shortlists", as: .employerA, json: S.ShortlistRequest(jobIds: ["s-2", "jA"], k: 5))
            let lists: S.Shortlists = try reply.decode()
            #expect(lists.shortlists.map(\.jobId) == ["s-2", "jA"])
            #expect(reply.allKeys.isDisjoint(with: ["contact", "email", "phone"]))
            let have: [String: [String: Double]] = ["tA": ["prog.python": 6, "data.mysql": 4], "c-cy": ["prog.python": 3]]
            for list in lists.shortlists {
                #expect(list.candidates.map(\.talent.id) == ["tA", "c-cy"])
                for candidate in list.candidates {
                    let levels = have[candidate.talent.id] ?? [:]
                    let expected = list.competencies.map { max(0, Double($0.level) - (levels[$0.competency] ?? 0)) }
                    #expect(candidate.gaps == expected, "\(list.jobId) × \(candidate.talent.id)")
                }
            }
        }
    }

    // MARK: Postings

    @Test func aPostingReadsBackListsUpdatesAndCloses() async throws {
        try await TestService.run { api in
            let input = S.JobInput(id: "c-1", title: "Opening C1", description: "负责数据平台建设。男女不限。", level: 5, city: "杭州",
                                   salary: .init(min: 15_000, max: 22_000),
                                   requirements: [.init(competency: "data.mysql", level: 5, weight: 2),
                                                  .init(competency: "prog.java", level: 4)])
            let created = try await api.createJob(input)
            #expect(created.employerId == TestService.employerA && created.status == .open)
            #expect(created.title == input.title && created.description == input.description && created.city == input.city)
            #expect(created.salary == input.salary && created.level == input.level)
            let weights = Dictionary(uniqueKeysWithValues: created.requirements.map { ($0.competency, $0.weight) })
            #expect(abs(weights.values.reduce(0, +) - 1) < 1e-9)
            if let mysql = weights["data.mysql"], let java = weights["prog.java"] {
                #expect(abs(mysql - 2 * java) < 1e-9, "explicit weights 2 : 1")
            }
            #expect(try await api.get("/v1/jobs/c-1", as: .seekerB).decode(S.Job.self) == created)

            let mine: S.JobList = try await api.get("/v1/jobs", as: .employerA).decode()
            #expect(Set(mine.items.map(\.id)) == ["c-1", TestService.jobA] && mine.total == 2)
            #expect(mine.items.first?.id == "c-1", "newest first")
            let theirs: S.JobList = try await api.get("/v1/jobs", as: .employerB).decode()
            #expect(theirs.items.isEmpty && theirs.total == 0)
            let paged: S.JobList = try await api.get("/v1/jobs?employerId=emp-a&limit=1&offset=1", as: .admin).decode()
            #expect(paged.items.map(\.id) == [TestService.jobA] && paged.total == 2)

            var changed = input
            changed.title = "Opening C1, revised"
            changed.city = "上海"
            changed.description = nil
            changed.requirements = [.init(competency: "prog.python", level: 6)]
            let updated: S.Job = try await api.put("/v1/jobs/c-1", as: .employerA, json: changed).decode()
            #expect(updated.title == changed.title && updated.city == "上海" && updated.createdAt == created.createdAt)
            #expect(updated.requirements.map(\.competency) == ["prog.python"])
            #expect(try await api.get("/v1/jobs/c-1", as: .admin).decode(S.Job.self) == updated)

            let closed: S.Job = try await api.send(.post, "/v1/jobs/c-1/close", as: .employerA).decode()
            #expect(closed.status == .closed && closed.title == updated.title)
            let closedList: S.JobList = try await api.get("/v1/jobs?status=closed", as: .employerA).decode()
            #expect(closedList.items.map(\.id) == ["c-1"])
            let open: S.JobList = try await api.get("/v1/jobs?status=open", as: .employerA).decode()
            #expect(open.items.map(\.id) == [TestService.jobA])
            let matches: S.JobMatchPage = try await api.get("/v1/talents/tA/matches", as: .seekerA).decode()
            #expect(matches.items.map(\.job.id) == [TestService.jobA])
        }
    }

    @Test(arguments: ["限男性", "35岁以下", "要求已婚已育", "仅限本地户口", "Male candidates only"])
    func aPostingDemandingAProtectedAttributeIsRefused(_ phrase: String) async throws {
        try await TestService.run { api in
            let input = S.JobInput(title: "Opening P", description: "负责后端开发。\(phrase)。",
                                   requirements: [.init(competency: "prog.java", level: 4)])
            let reply = try await api.post("/v1/jobs", as: .employerA, json: input)
            #expect(reply.status == .unprocessableContent)
            let error = try #require(reply.error)
            #expect(error.code == ErrorCode.protectedAttribute.rawValue && error.field == "description")
            #expect(error.details?.isEmpty == false, "the finding is named")
            let list: S.JobList = try await api.get("/v1/jobs", as: .employerA).decode()
            #expect(list.total == 1, "nothing was stored")
        }
    }

    /// The error names the field the (first) finding is in, and each detail its own field, with
    /// the span counted within that field.
    @Test func aProtectedAttributeIsNamedInTheFieldItIsIn() async throws {
        try await TestService.run { api in
            let inTitle = S.JobInput(title: "Java 工程师，限男性", description: "负责后端开发。",
                                     requirements: [.init(competency: "prog.java", level: 4)])
            let titleError = try #require(try await api.post("/v1/jobs", as: .employerA, json: inTitle).error)
            #expect(titleError.code == ErrorCode.protectedAttribute.rawValue && titleError.field == "title")
            let detail = try #require(titleError.details?.first)
            #expect(detail.field == "title" && detail.span.map { $0.start >= 9 && $0.end <= 12 } == true)

            var both = inTitle
            both.description = "负责后端开发。35岁以下。"
            let bothError = try #require(try await api.post("/v1/jobs", as: .employerA, json: both).error)
            #expect(bothError.field == "title")
            #expect(bothError.details?.map(\.field) == ["title", "description"])
            #expect(bothError.message.contains("in title") && bothError.message.contains("in description"))
        }
    }

    // MARK: Courses

    @Test func theCourseCatalogueAndPlatformCourses() async throws {
        try await TestService.run { api in
            let model = api.engine.model
            let all: S.CourseList = try await api.get("/v1/courses?limit=200").decode()
            #expect(all.total == model.courses.count && all.items.allSatisfy { $0.origin == .model })
            let python: S.CourseList = try await api.get("/v1/courses?competency=prog.python&limit=200").decode()
            #expect(python.total == model.courses.filter { $0.teaches.contains { $0.competency == "prog.python" } }.count)
            #expect(python.total > 0 && python.items.allSatisfy { $0.teaches.contains { $0.competency == "prog.python" } })
            let subsidised: S.CourseList = try await api.get("/v1/courses?subsidyEligible=true&limit=200").decode()
            #expect(subsidised.items.allSatisfy { $0.subsidyEligible })

            let modelCourse = try #require(model.courses.first)
            let one: S.Course = try await api.get("/v1/courses/\(modelCourse.id)").decode()
            #expect(one.id == modelCourse.id && one.title.zh == modelCourse.title.zh && one.origin == .model)

            let input = S.CourseInput(id: "course.test.sql-1", title: .init(zh: "数据库实战", en: "Databases in practice"),
                                      provider: .init(_type: .enterprise, name: "Test Co"), hours: 32, mode: .online,
                                      teaches: [.init(competency: "data.mysql", level: 6)], subsidyEligible: true)
            let created = try await api.post("/v1/courses", as: .admin, json: input)
            #expect(created.status == .created)
            let course: S.Course = try created.decode()
            #expect(course.origin == .platform && course.hours == 32 && course.teaches == input.teaches)
            #expect(try await api.get("/v1/courses/course.test.sql-1").decode(S.Course.self) == course)
            let more: S.CourseList = try await api.get("/v1/courses?q=\(encoded("数据库实战"))").decode()
            #expect(more.items.map(\.id) == ["course.test.sql-1"])
            #expect(try await api.get("/v1/courses?limit=1").decode(S.CourseList.self).total == model.courses.count + 1)

            // A completed platform course counts at the course factor (0.9) of the level it teaches.
            var input2 = Samples.talent("t-learner", name: "Learner", skills: [])
            input2.profile.completedCourses = ["course.test.sql-1"]
            let learner = try await api.createTalent(input2)
            let mysql = try #require(learner.competencies.first { $0.competency == "data.mysql" })
            #expect(abs(mysql.level - 0.9 * 6) < 1e-9)
        }
    }

    @Test func aCoursePlanClosesGapsWithinItsBudget() async throws {
        try await TestService.run { api in
            let request = S.PlanRequest(postCode: "2-02-38-01", maxCourses: 3)
            let plan: S.CoursePlan = try await api.post("/v1/talents/tA/plan", as: .seekerA, json: request).decode()
            #expect(plan.target.postCode == "2-02-38-01" && plan.target.title == "人工智能工程技术人员")
            #expect(!plan.courses.isEmpty && plan.courses.count <= 3)
            #expect(plan.scoreAfter > plan.scoreBefore)
            #expect(plan.totalHours == plan.courses.map(\.hours).reduce(0, +))
            let gapsBefore = Dictionary(uniqueKeysWithValues: plan.gapsBefore.map { ($0.competency, $0.gap) })
            let gapsAfter = Dictionary(uniqueKeysWithValues: plan.gapsAfter.map { ($0.competency, $0.gap) })
            for course in plan.courses {
                #expect(!course.covers.isEmpty)
                for c in course.covers {
                    #expect(gapsBefore[c.competency] != nil, "\(course.course.id) covers \(c.competency), which is no gap")
                    #expect(c.to > c.from)
                }
            }
            for (competency, gap) in gapsAfter { #expect(gap <= (gapsBefore[competency] ?? 0) + 1e-9, "\(competency) got worse") }
            #expect(plan.whatIf.openJobs == 1 && plan.whatIf.passingAfter >= plan.whatIf.passingBefore)

            let subsidised: S.CoursePlan = try await api.post("/v1/talents/tA/plan", as: .admin, json: S.PlanRequest(
                postCode: "2-02-38-01", maxCourses: 5, subsidyOnly: true)).decode()
            #expect(subsidised.courses.allSatisfy { $0.subsidyEligible })

            // Ada already fits jA: nothing to learn.
            let none: S.CoursePlan = try await api.post("/v1/talents/tA/plan", as: .seekerA,
                                                        json: S.PlanRequest(jobId: TestService.jobA)).decode()
            #expect(none.target.jobId == TestService.jobA && none.courses.isEmpty && none.gapsBefore.isEmpty)
            #expect(abs(none.scoreBefore - 1) < 1e-9)
        }
    }

    // MARK: Import

    @Test func importCommitsValidLinesAndNumbersTheOthers() async throws {
        try await TestService.run { api in
            let lines = [
                try jsonLine(Samples.talent("t-i1", name: "One", city: "上海", skills: [("prog.python", 5)])),  // 1
                #"{"id":"t-i2","displayName":"Two","profile":"#,                                                   // 2: not JSON
                try jsonLine(Samples.talent("t-i3", name: "Three", skills: [("nope.nothing", 5)])),                // 3: unknown id
                "",                                                                                                 // 4: blank
                try jsonLine(Samples.talent("t-i5", name: "Five", skills: [("data.mysql", 5)])),                   // 5
                try jsonLine(Samples.talent("t-i1", name: "One again", skills: [("prog.c", 5)])),                  // 6: repeated id
                #"{"id":"t-i7","profile":{}}"#,                                                                    // 7: no displayName
            ]
            let reply = try await api.importLines("talents", lines)
            #expect(reply.status == .ok)
            let result: S.ImportResult = try reply.decode()
            #expect(result.kind == .talents && result.lines == 6 && result.accepted == 2 && result.rejected == 4)
            #expect(result.errors.map(\.line) == [2, 3, 6, 7])
            let byLine = Dictionary(uniqueKeysWithValues: result.errors.map { ($0.line, $0) })
            #expect(byLine[2]?.code == ErrorCode.invalidImportLine.rawValue)
            #expect(byLine[3]?.code == "embeddings.unknown_competency" && byLine[3]?.id == "t-i3")
            #expect(byLine[3]?.field?.contains("skills[0]") == true && byLine[3]?.message.contains("nope.nothing") == true)
            #expect(byLine[6]?.field == "id" && byLine[6]?.message.contains("line 1") == true)
            #expect(byLine[7]?.field == "displayName")

            let one: S.Talent = try await api.get("/v1/talents/t-i1", as: .admin).decode()
            #expect(one.displayName == "One" && one.searchable)
            #expect(try await api.get("/v1/talents/t-i5", as: .admin).status == .ok)
            #expect(try await api.get("/v1/talents/t-i3", as: .admin).status == .notFound)
            let candidates: S.CandidatePage = try await api.get("/v1/jobs/jA/candidates", as: .employerA).decode()
            #expect(candidates.items.map(\.talent.id).contains("t-i1"), "imported talents are searchable at once")

            // Importing again upserts by id.
            let again: S.ImportResult = try await api.importLines("talents", [
                try jsonLine(Samples.talent("t-i1", name: "One, renamed", skills: [("prog.python", 5)]))]).decode()
            #expect(again.accepted == 1 && again.errors.isEmpty)
            #expect(try await api.get("/v1/talents/t-i1", as: .admin).decode(S.Talent.self).displayName == "One, renamed")
        }
    }

    @Test func importingPostingsAndCourses() async throws {
        try await TestService.run { api in
            let jobs: S.ImportResult = try await api.importLines("jobs", [
                try jsonLine(Samples.job("i-j1", title: "Opening I1", employer: TestService.employerB, city: "上海",
                                         requirements: [("prog.python", 5)])),
                try jsonLine(Samples.job("i-j2", title: "Opening I2", employer: "emp-nobody", requirements: [("prog.c", 4)])),
                try jsonLine(S.JobInput(id: "i-j3", employerId: TestService.employerB, title: "Opening I3", description: "35岁以下")),
                try jsonLine(Samples.job("i-j4", title: "Opening I4", requirements: [("prog.c", 4)])),
            ]).decode()
            #expect(jobs.accepted == 1 && jobs.errors.map(\.line) == [2, 3, 4])
            #expect(jobs.errors.map(\.code) == [ErrorCode.recordNotFound.rawValue, ErrorCode.protectedAttribute.rawValue,
                                                ErrorCode.invalidField.rawValue])
            let imported: S.Job = try await api.get("/v1/jobs/i-j1", as: .employerB).decode()
            #expect(imported.employerId == TestService.employerB && imported.status == .open)
            let matches: S.JobMatchPage = try await api.get("/v1/talents/tA/matches", as: .seekerA).decode()
            #expect(Set(matches.items.map(\.job.id)) == [TestService.jobA, "i-j1"])

            let course = S.CourseInput(id: "course.test.c-1", title: .init(zh: "C语言", en: "C"),
                                       provider: .init(_type: .university, name: "U"),
                                       hours: 16, mode: .offline, teaches: [.init(competency: "prog.c", level: 4)])
            var broken = course
            broken.id = "course.test.c-2"
            broken.teaches = [.init(competency: "nope.nothing", level: 4)]
            let courses: S.ImportResult = try await api.importLines("courses", [try jsonLine(course), try jsonLine(broken)]).decode()
            #expect(courses.kind == .courses && courses.accepted == 1 && courses.errors.map(\.line) == [2])
            #expect(try await api.get("/v1/courses/course.test.c-1").decode(S.Course.self).origin == .platform)
            #expect(try await api.get("/v1/courses/course.test.c-2").status == .notFound)
        }
    }
}

/// `text` percent-encoded for a query value.
func encoded(_ text: String) -> String {
    var allowed = CharacterSet.urlQueryAllowed
    allowed.remove(charactersIn: "&=+?#")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}
