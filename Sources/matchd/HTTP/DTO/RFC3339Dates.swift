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
    /// (30 February). Read from its parts (Foundation's ISO 8601 parser rolls 30 February over
    /// into March, and refuses more than a few digits of a second).
    static func parse(_ text: String) -> Date? {
        guard let m = text.wholeMatch(of: form) else { return nil }
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let parts = DateComponents(calendar: utc, year: Int(m.1), month: Int(m.2), day: Int(m.3),
                                   hour: Int(m.4), minute: Int(m.5), second: Int(m.6))
        guard parts.isValidDate, let wall = utc.date(from: parts) else { return nil }
        let fraction = m.7.map { Double("0" + $0) ?? 0 } ?? 0
        var offset = 0
        if m.8 != "Z" {
            let sign = m.8.first == "-" ? -1 : 1
            let hm = m.8.dropFirst().split(separator: ":")
            offset = sign * (Int(hm[0])! * 3600 + Int(hm[1])! * 60)
        }
        return wall.addingTimeInterval(fraction - Double(offset))
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
