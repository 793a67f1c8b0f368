import Foundation
import OpenAPIRuntime

/// Dates as `openapi.yaml`'s date fields allow them (RFC 3339, with the document's `pattern`):
/// years 1900–2999, with or without fractional seconds, `Z` or an offset up to ±18:00. Written as
/// `2024-05-01T08:00:00Z`. Used by the API's decoders and by import lines.
struct RFC3339Dates: DateTranscoder {
    /// The document's pattern of `postedAt`, `closedAt` and `registeredAt`; read-only.
    nonisolated(unsafe) static let form =
        /^((?:19|2[0-9])[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(\.[0-9]+)?(Z|[+-](?:0[0-9]|1[0-7]):[0-5][0-9]|[+-]18:00)$/

    /// The date `text` names, or nil when it does not fit the pattern or names no calendar day
    /// (30 February): Foundation's parser would roll such a date over into the next month.
    static func parse(_ text: String) -> Date? {
        guard let m = text.wholeMatch(of: form) else { return nil }
        let day = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"),
                                 year: Int(m.1), month: Int(m.2), day: Int(m.3))
        guard day.isValidDate else { return nil }
        return try? Date.ISO8601FormatStyle().parse(text)
    }

    func encode(_ date: Date) throws -> String { date.ISO8601Format() }

    func decode(_ string: String) throws -> Date {
        guard let date = Self.parse(string) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\"\(string)\" is not an RFC 3339 date-time"))
        }
        return date
    }

    /// The strategy for a `JSONDecoder` reading the generated types outside the runtime (import lines).
    static let decodingStrategy = JSONDecoder.DateDecodingStrategy.custom { decoder in
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not an RFC 3339 date-time")
        }
        return date
    }
}
