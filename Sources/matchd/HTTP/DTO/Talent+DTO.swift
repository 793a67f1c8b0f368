import Embeddings
import Foundation

extension TalentDraft {
    init(_ input: S.TalentInput) {
        self.init(id: input.id, displayName: input.displayName,
                  contact: input.contact.map { TalentRecord.Contact(email: $0.email, phone: $0.phone) },
                  city: input.city, desiredCities: input.desiredCities ?? [], desiredPosts: input.desiredPosts ?? [],
                  salaryMin: input.salary?.min, salaryMax: input.salary?.max, level: input.level,
                  searchable: input.searchable ?? false, profile: ProfileInput(input.profile),
                  registeredAt: input.registeredAt)
    }
}

extension ProfileInput {
    init(_ p: S.ProfileInput) {
        self.init(skills: (p.skills ?? []).map { SkillInput(competency: $0.competency, level: $0.level, verified: $0.verified ?? false) },
                  certificates: p.certificates ?? [],
                  experience: (p.experience ?? []).map { ExperienceInput(text: $0.text, years: $0.years) },
                  completedCourses: p.completedCourses ?? [], text: p.text)
    }
}

extension S.ProfileInput {
    init(_ p: ProfileInput) {
        self.init(skills: p.skills.map { .init(competency: $0.competency, level: $0.level, verified: $0.verified) },
                  certificates: p.certificates,
                  experience: p.experience.map { .init(text: $0.text, years: $0.years) },
                  completedCourses: p.completedCourses, text: p.text)
    }
}

extension S.Talent {
    init(_ r: TalentRecord, capabilities: CapabilityProfile, model: CompetencyModel) {
        self.init(id: r.id, displayName: r.displayName,
                  contact: r.contact.map { .init(email: $0.email, phone: $0.phone) }, city: r.city,
                  desiredCities: r.desiredCities, desiredPosts: r.desiredPosts,
                  salary: S.Salary.range(min: r.salaryMin, max: r.salaryMax), level: r.level, searchable: r.searchable,
                  profile: S.ProfileInput(r.profile),
                  competencies: capabilities.entries.map { e in
                      .init(competency: e.competency, name: model.localizedName(of: e.competency), level: presentedLevel(e.level),
                            evidence: e.evidence.map { ev in
                                [ev.kind.rawValue, ev.reference ?? ev.field].compactMap { $0 }.joined(separator: " ")
                            })
                  },
                  createdAt: r.createdAt, updatedAt: r.updatedAt)
    }
}

extension S.CandidateSummary {
    /// What an employer sees: no contact details, by construction.
    init(_ t: TalentEntry) {
        self.init(id: t.id, displayName: t.displayName, city: t.city, desiredCities: t.desiredCities, level: t.level)
    }
}
