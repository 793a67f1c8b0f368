import Embeddings
import Foundation

extension JobDraft {
    init(_ input: S.JobInput) {
        self.init(id: input.id, employerId: input.employerId, title: input.title, description: input.description,
                  postCode: input.postCode, level: input.level, city: input.city, salaryMin: input.salary?.min,
                  salaryMax: input.salary?.max,
                  requirements: (input.requirements ?? []).map { RequirementInput(competency: $0.competency, level: $0.level, weight: $0.weight) },
                  postedAt: input.postedAt, closedAt: input.closedAt)
    }
}

extension S.Requirement {
    init(_ e: RequirementProfile.Entry, model: CompetencyModel) {
        self.init(competency: e.competency, name: model.localizedName(of: e.competency), level: e.level, weight: e.weight,
                  sources: e.sources.isEmpty ? nil : Array(Set(e.sources.map(\.kind.rawValue))).sorted())
    }
}

extension S.Job {
    init(_ r: JobRecord, requirements: RequirementProfile, model: CompetencyModel) {
        self.init(id: r.id, employerId: r.employerId, title: r.title, description: r.description, postCode: r.postCode,
                  level: r.level, city: r.city, salary: S.Salary.range(min: r.salaryMin, max: r.salaryMax),
                  status: r.status == .open ? .open : .closed,
                  occupation: S.JobOccupation(r, model: model),
                  requirements: requirements.entries.map { S.Requirement($0, model: model) },
                  createdAt: r.createdAt, updatedAt: r.updatedAt, closedAt: r.closedAt)
    }
}

extension S.JobOccupation {
    init?(_ r: JobRecord, model: CompetencyModel) {
        guard let code = r.occupationCode, let source = r.occupationSource else { return nil }
        let label = model.occupationLabel(code: code)
        self.init(code: code, name: label.name, digital: label.digital, source: source == .given ? .given : .inferred,
                  confidence: r.occupationConfidence)
    }
}

extension CompetencyModel {
    /// An occupation's published name and whether it is digital; a code announced after the
    /// edition (listed by its post only) takes its post's name and counts as digital.
    func occupationLabel(code: String) -> (name: String, digital: Bool) {
        if let o = occupation(code: code) { return (o.name, o.isDigital) }
        return (posts.first { $0.occupation == code }?.name.zh ?? code, true)
    }
}

extension S.JobSummary {
    init(_ j: JobEntry) {
        self.init(id: j.id, employerId: j.employerId, title: j.title, city: j.city,
                  salary: S.Salary.range(min: j.salaryMin, max: j.salaryMax), level: j.level, postCode: j.postCode)
    }
}
