@testable import Embeddings
import Foundation
import Matcher
import Testing

@Suite struct VectorizerTests {
    let model = Mini.model
    let vectorizer = Vectorizer(model: Mini.model, latent: nil)

    func entry(_ p: RequirementProfile, _ id: String) -> RequirementProfile.Entry? { p.entries.first { $0.competency == id } }

    /// Template 2-02-38-04 (Kubernetes 3/6 at 5, Docker 2/6 at 5, Go 1/6 at 4; T = 3) at level 6
    /// (shift +1), an explicit SQL requirement (weight 2, level 4) and text: 熟悉Python (3),
    /// 不要求Go语言 (drops Go from the template). Raw: K8s 1.5, Docker 1, SQL 2, Python 1; Σ 5.5.
    @Test func requirementsCombineTemplateExplicitAndText() throws {
        let p = try vectorizer.requirements(for: PostingInput(
            postCode: "2-02-38-04", level: 6,
            requirements: [RequirementInput(competency: "data.sql", level: 4, weight: 2)],
            text: "熟悉Python，不要求Go语言"))
        #expect(p.post == "2-02-38-04")
        #expect(p.excluded == ["prog.go"])
        let expected: [String: (Double, Int)] = ["cloud.kubernetes": (1.5 / 5.5, 6), "cloud.docker": (1 / 5.5, 6),
                                                 "data.sql": (2 / 5.5, 4), "prog.python": (1 / 5.5, 3)]
        #expect(p.entries.count == 4)
        for (id, (w, l)) in expected {
            let e = try #require(entry(p, id))
            #expect(abs(e.weight - w) < 1e-12, "\(id)")
            #expect(e.level == l, "\(id)")
        }
        // Docker and Python tie at 1/5.5: the lower vector index (Python) comes first.
        #expect(p.entries.map(\.competency) == ["data.sql", "cloud.kubernetes", "prog.python", "cloud.docker"])
        #expect(entry(p, "prog.python")?.sources.first?.kind == .text)
        #expect(entry(p, "prog.python")?.sources.first?.span == TextSpan(start: 2, end: 8))
        #expect(entry(p, "cloud.docker")?.sources == [.init(kind: .post, post: "2-02-38-04", level: 6, weight: 1)])
    }

    @Test func templateLevelsClampAndDefaultLevelsApply() throws {
        let low = try vectorizer.requirements(for: PostingInput(postCode: "2-02-38-04", level: 1))
        #expect(low.entries.map(\.level) == [1, 1, 1])  // 5−4, 5−4, 4−4 → clamped to 1
        let plain = try vectorizer.requirements(for: PostingInput(requirements: [RequirementInput(competency: "prog.go")]))
        #expect(plain.entries.map(\.level) == [5])
        #expect(plain.entries.map(\.weight) == [1])
        let leveled = try vectorizer.requirements(for: PostingInput(level: 3, requirements: [RequirementInput(competency: "prog.go")], text: "Docker"))
        #expect(leveled.entries.map(\.level) == [3, 3])
        #expect(leveled.entries.map(\.weight) == [0.5, 0.5])
        // A bare occupation code picks the occupation's first post.
        #expect(try vectorizer.requirements(for: PostingInput(postCode: "2-02-38-01")).post == "2-02-38-01.cv")
    }

    @Test(arguments: [
        (PostingInput(requirements: [RequirementInput(competency: "prog.go"), RequirementInput(competency: "prog.rust")]),
         "embeddings.unknown_competency", "requirements[1].competency"),
        (PostingInput(requirements: [RequirementInput(competency: "prog.go", level: 9)]), "embeddings.invalid_value", "requirements[0].level"),
        (PostingInput(requirements: [RequirementInput(competency: "prog.go", weight: -1)]), "embeddings.invalid_value", "requirements[0].weight"),
        (PostingInput(level: 0), "embeddings.invalid_value", "level"),
        (PostingInput(postCode: "9-99"), "embeddings.unknown_post", "postCode"),
    ] as [(PostingInput, String, String)])
    func postingErrorsNameTheField(posting: PostingInput, code: String, field: String) {
        do {
            _ = try vectorizer.requirements(for: posting)
            Issue.record("no error")
        } catch {
            #expect(error.code == code)
            #expect(error.field == field)
        }
    }

    @Test(arguments: [
        (ProfileInput(skills: [SkillInput(competency: "prog.go", level: 3), SkillInput(competency: "prog.java", level: 3),
                               SkillInput(competency: "prog.cobol", level: 3)]), "embeddings.unknown_competency", "skills[2].competency"),
        (ProfileInput(skills: [SkillInput(competency: "prog.go", level: 0)]), "embeddings.invalid_value", "skills[0].level"),
        (ProfileInput(certificates: ["cert.none"]), "embeddings.unknown_certificate", "certificates[0]"),
        (ProfileInput(completedCourses: ["course.ai.tf-basics", "course.none"]), "embeddings.unknown_course", "completedCourses[1]"),
        (ProfileInput(experience: [ExperienceInput(text: "x", years: -2)]), "embeddings.invalid_value", "experience[0].years"),
    ] as [(ProfileInput, String, String)])
    func profileErrorsNameTheField(profile: ProfileInput, code: String, field: String) {
        do {
            _ = try vectorizer.capabilities(for: profile)
            Issue.record("no error")
        } catch {
            #expect(error.code == code)
            #expect(error.field == field)
            #expect(error.description.hasPrefix(field))
        }
    }

    /// Python verified 5 → 5; SQL declared 4 → 0.8 × 4; CKA grants Kubernetes 5 (× 1.0) beating
    /// the course's 4 × 0.9; the course gives Docker 4 × 0.9; three years of 图像识别 → ord 4 × 0.7;
    /// free text 熟悉Go语言 → 3 × 0.6.
    @Test func capabilitiesWeighEvidenceByItsFactor() throws {
        let c = try vectorizer.capabilities(for: ProfileInput(
            skills: [SkillInput(competency: "prog.python", level: 5, verified: true), SkillInput(competency: "data.sql", level: 4)],
            certificates: ["cert.cka"], experience: [ExperienceInput(text: "负责图像识别系统开发", years: 3)],
            completedCourses: ["course.cloud.k8s-01"], text: "熟悉Go语言"))
        let expected: [String: Double] = ["prog.python": 5, "data.sql": 3.2, "cloud.kubernetes": 5, "cloud.docker": 3.6,
                                          "ai.computer-vision": 2.8, "prog.go": 1.8]
        #expect(c.entries.count == expected.count)
        for (id, level) in expected { #expect(abs(c.level(of: id) - level) < 1e-9, "\(id)") }
        #expect(c.entries.first { $0.competency == "cloud.kubernetes" }?.evidence.map(\.kind) == [.certificate, .course])
        #expect(c.entries.first { $0.competency == "ai.computer-vision" }?.evidence.first?.span == TextSpan(start: 2, end: 6))
        #expect(c.entries.map(\.competency).prefix(2) == ["prog.python", "cloud.kubernetes"])
    }

    @Test func teachingOfACourse() throws {
        let course = try #require(model.course(id: "course.cloud.k8s-01"))
        let t = try vectorizer.teaching(of: course)
        #expect(t.entries.map(\.competency) == ["cloud.kubernetes", "cloud.docker"])
        #expect(t.entries.map(\.level) == [4, 4])
        var bad = course
        bad.teaches.append(CompetencyLevel(competency: "x.y", level: 3))
        #expect(throws: EmbeddingsError.unknownCompetency(field: "teaches[2].competency", id: "x.y")) { try vectorizer.teaching(of: bad) }
    }

    /// Exact only (no latent space): `√(1−α) · e/‖e‖` with α = 0.3.
    @Test func exactSearchVectorsByHand() throws {
        let r = try vectorizer.requirements(for: PostingInput(requirements: [RequirementInput(competency: "prog.go", weight: 3),
                                                                               RequirementInput(competency: "data.sql", weight: 4)]))
        let v = vectorizer.searchVector(r)
        #expect(v.count == 16 && vectorizer.dimension == 16)
        let s = Float(0.7).squareRoot()
        #expect(abs(v[model.index(ofCompetency: "prog.go")!] - s * 3 / 5) < 1e-6)
        #expect(abs(v[model.index(ofCompetency: "data.sql")!] - s * 4 / 5) < 1e-6)
        let c = try vectorizer.capabilities(for: ProfileInput(skills: [SkillInput(competency: "prog.go", level: 4, verified: true)]))
        let cv = vectorizer.searchVector(c)
        #expect(abs(cv[model.index(ofCompetency: "prog.go")!] - s) < 1e-6)
        #expect(vectorizer.searchVector(CapabilityProfile(entries: [])).allSatisfy { $0 == 0 })
    }

    /// With a latent space: unit length, and the cosine of two vectors is
    /// `(1−α) cos(e, e′) + α cos(z, z′)`, with `z = Σ e_i L_i` computed here by loops.
    @Test func searchVectorsMixExactAndLatentParts() throws {
        let latent = try LatentSpace.build(model: model, rank: 6)
        let vz = Vectorizer(model: model, latent: latent)
        #expect(vz.dimension == 22)
        let job = try vz.requirements(for: PostingInput(postCode: "2-02-38-01.cv"))
        let talent = try vz.capabilities(for: ProfileInput(skills: [SkillInput(competency: "ai.tensorflow", level: 5, verified: true),
                                                                    SkillInput(competency: "prog.python", level: 4)]))
        let a = vz.searchVector(job), b = vz.searchVector(talent)
        func norm(_ x: [Float]) -> Float { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        func cos(_ x: [Float], _ y: [Float]) -> Float { zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } / (norm(x) * norm(y)) }
        #expect(abs(norm(a) - 1) < 1e-5 && abs(norm(b) - 1) < 1e-5)
        var ea = [Float](repeating: 0, count: 16), eb = ea
        for e in job.entries { ea[e.index] = Float(e.weight) }
        for e in talent.entries { eb[e.index] = Float(e.level) / 8 }
        func z(_ e: [Float]) -> [Float] {
            (0..<latent.rank).map { r in (0..<16).reduce(Float(0)) { $0 + e[$1] * latent.vectors[$1, r] } }
        }
        let expected = 0.7 * cos(ea, eb) + 0.3 * cos(z(ea), z(eb))
        #expect(abs(cos(a, b) - expected) < 1e-4)
    }

    /// A computer-vision talent is closer to the CV post than to the live-commerce one, and a
    /// live-stream seller the other way round.
    @Test func talentsRankTheMatchingPostFirst() throws {
        let vz = Vectorizer(model: model, latent: try LatentSpace.build(model: model, rank: 6))
        func dot(_ x: [Float], _ y: [Float]) -> Float { zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } }
        let cvPost = vz.searchVector(try vz.requirements(for: PostingInput(postCode: "2-02-38-01.cv")))
        let livePost = vz.searchVector(try vz.requirements(for: PostingInput(postCode: "4-01-06-02")))
        let cvTalent = vz.searchVector(try vz.capabilities(for: ProfileInput(text: "精通PyTorch和图像识别，熟悉TensorFlow")))
        let seller = vz.searchVector(try vz.capabilities(for: ProfileInput(text: "3年直播带货经验，熟悉网店运营")))
        #expect(dot(cvTalent, cvPost) > dot(cvTalent, livePost) + 0.3)
        #expect(dot(seller, livePost) > dot(seller, cvPost) + 0.3)
    }

    @Test func inputsDecodeFromJSONWithDefaults() throws {
        let posting = try JSONDecoder().decode(PostingInput.self, from: Data(#"{"postCode":"2-02-38-04","text":"熟悉Go"}"#.utf8))
        #expect(posting.requirements.isEmpty && posting.level == nil)
        let profile = try JSONDecoder().decode(ProfileInput.self, from: Data(#"{"skills":[{"competency":"prog.go","level":3}]}"#.utf8))
        #expect(profile.skills == [SkillInput(competency: "prog.go", level: 3, verified: false)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PostingInput.self, from: Data(#"{"postcode":"x"}"#.utf8)) }
    }
}
