import Embeddings
import Foundation

/// The generated schema types of `openapi.yaml`, shortened.
typealias S = Components.Schemas

extension S.LocalizedText {
    init(_ text: LocalizedText) { self.init(zh: text.zh, en: text.en) }
}

extension S.LocalizedNote {
    init?(_ note: LocalizedNote?) {
        guard let note else { return nil }
        self.init(zh: note.zh, en: note.en)
    }
}

extension S.TextSpan {
    init(_ span: TextSpan) { self.init(start: span.start, end: span.end) }
}

extension S.Salary {
    /// A range, or `nil` when neither end is known.
    static func range(min: Int?, max: Int?) -> S.Salary? {
        min == nil && max == nil ? nil : S.Salary(min: min, max: max)
    }
}

extension CompetencyModel {
    /// The zh/en name of a competency id (the id itself when unknown).
    func localizedName(of competency: String) -> S.LocalizedText {
        self.competency(id: competency).map { S.LocalizedText($0.name) } ?? .init(zh: competency, en: competency)
    }
}
