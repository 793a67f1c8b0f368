import Embeddings
import Foundation

extension Course {
    init(_ c: S.CourseInput) throws(ServiceError) {
        guard let providerKind = Course.Provider.Kind(rawValue: c.provider._type) else {
            throw .invalid(field: "provider.type", message: "unknown provider type \(c.provider._type); one of "
                + Course.Provider.Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let mode = Course.Mode(rawValue: c.mode) else {
            throw .invalid(field: "mode", message: "unknown mode \(c.mode); one of online, offline, blended")
        }
        self.init(id: c.id, title: LocalizedText(zh: c.title.zh, en: c.title.en),
                  description: c.description.map { LocalizedNote(zh: $0.zh, en: $0.en) },
                  provider: .init(type: providerKind, name: c.provider.name), hours: c.hours, mode: mode,
                  teaches: c.teaches.map { CompetencyLevel(competency: $0.competency, level: $0.level) },
                  prerequisites: (c.prerequisites ?? []).map { CompetencyLevel(competency: $0.competency, level: $0.level) },
                  certificate: c.certificate, subsidyEligible: c.subsidyEligible, priceYuan: c.priceYuan,
                  cities: c.cities ?? [])
    }
}

extension S.Course {
    init(_ c: Course, origin: S.Course.OriginPayload) {
        self.init(id: c.id, title: S.LocalizedText(c.title), description: S.LocalizedNote(c.description),
                  provider: .init(_type: c.provider.type.rawValue, name: c.provider.name), hours: c.hours,
                  mode: c.mode.rawValue,
                  teaches: c.teaches.map { .init(competency: $0.competency, level: $0.level) },
                  prerequisites: c.prerequisites.map { .init(competency: $0.competency, level: $0.level) },
                  certificate: c.certificate, subsidyEligible: c.subsidyEligible ?? false, priceYuan: c.priceYuan,
                  cities: c.cities, origin: origin)
    }
}

extension S.CourseSummary {
    init(_ c: Course) {
        self.init(id: c.id, title: S.LocalizedText(c.title), provider: .init(_type: c.provider.type.rawValue, name: c.provider.name),
                  hours: c.hours, mode: c.mode.rawValue, subsidyEligible: c.subsidyEligible ?? false,
                  certificate: c.certificate, priceYuan: c.priceYuan)
    }
}

extension S.CoursePlan {
    init(_ p: CoursePlanResult, model: CompetencyModel) {
        let target: S.CoursePlan.TargetPayload = switch p.target {
        case .job(let id): .init(jobId: id, title: p.targetTitle)
        case .post(let code, _): .init(postCode: code, title: p.targetTitle)
        }
        self.init(target: target, scoreBefore: p.before.score, scoreAfter: p.after.score,
                  gapsBefore: p.before.gaps.map { S.Gap($0, model: model) },
                  gapsAfter: p.after.gaps.map { S.Gap($0, model: model) },
                  courses: p.steps.map { s in
                      .init(course: S.CourseSummary(s.course),
                            covers: s.covers.map { .init(competency: $0.competency, name: model.localizedName(of: $0.competency),
                                                         from: $0.from, to: $0.to) },
                            hours: s.course.hours, subsidyEligible: s.course.subsidyEligible ?? false,
                            certificate: s.course.certificate)
                  },
                  totalHours: p.totalHours,
                  whatIf: .init(threshold: p.threshold, openJobs: p.openJobs, passingBefore: p.passingBefore,
                                passingAfter: p.passingAfter))
    }
}
