import Embeddings
import Foundation

extension Course {
    init(_ c: S.CourseInput) {
        self.init(id: c.id, title: LocalizedText(zh: c.title.zh, en: c.title.en),
                  description: c.description.map { LocalizedNote(zh: $0.zh, en: $0.en) },
                  provider: Course.Provider(c.provider), hours: c.hours, mode: Course.Mode(c.mode),
                  teaches: c.teaches.map { CompetencyLevel(competency: $0.competency, level: $0.level) },
                  prerequisites: (c.prerequisites ?? []).map { CompetencyLevel(competency: $0.competency, level: $0.level) },
                  certificate: c.certificate, subsidyEligible: c.subsidyEligible, priceYuan: c.priceYuan,
                  cities: c.cities ?? [])
    }
}

// The document's enums and the model's, mapped by exhaustive switches: a value added to one side
// only does not compile.
extension Course.Provider {
    init(_ p: S.CourseProvider) {
        let kind: Kind = switch p._type {
        case .university: .university
        case .vocationalCollege: .vocationalCollege
        case .enterprise: .enterprise
        case .trainingInstitution: .trainingInstitution
        case .onlinePlatform: .onlinePlatform
        case .publicTrainingCentre: .publicTrainingCentre
        }
        self.init(type: kind, name: p.name)
    }
}

extension S.CourseProvider {
    init(_ p: Course.Provider) {
        let kind: _TypePayload = switch p.type {
        case .university: .university
        case .vocationalCollege: .vocationalCollege
        case .enterprise: .enterprise
        case .trainingInstitution: .trainingInstitution
        case .onlinePlatform: .onlinePlatform
        case .publicTrainingCentre: .publicTrainingCentre
        }
        self.init(_type: kind, name: p.name)
    }
}

extension Course.Mode {
    init(_ m: S.CourseMode) {
        self = switch m {
        case .online: .online
        case .offline: .offline
        case .blended: .blended
        }
    }
}

extension S.CourseMode {
    init(_ m: Course.Mode) {
        self = switch m {
        case .online: .online
        case .offline: .offline
        case .blended: .blended
        }
    }
}

extension S.Course {
    init(_ c: Course, origin: S.Course.OriginPayload) {
        self.init(id: c.id, title: S.LocalizedText(c.title), description: S.LocalizedNote(c.description),
                  provider: S.CourseProvider(c.provider), hours: c.hours,
                  mode: S.CourseMode(c.mode),
                  teaches: c.teaches.map { .init(competency: $0.competency, level: $0.level) },
                  prerequisites: c.prerequisites.map { .init(competency: $0.competency, level: $0.level) },
                  certificate: c.certificate, subsidyEligible: c.subsidyEligible ?? false, priceYuan: c.priceYuan,
                  cities: c.cities, origin: origin)
    }
}

extension S.CourseSummary {
    init(_ c: Course) {
        self.init(id: c.id, title: S.LocalizedText(c.title), provider: S.CourseProvider(c.provider),
                  hours: c.hours, mode: S.CourseMode(c.mode), subsidyEligible: c.subsidyEligible ?? false,
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
