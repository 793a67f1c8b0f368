import Foundation
import TestSupport
import Testing
@testable import matchd

/// The date fields' reader against Foundation's ISO 8601 formatter (whole seconds) and
/// hand-computed instants (fractions, offsets), and the dates the document's pattern refuses.
@Suite struct RFC3339DatesTests {
    @Test func readsWhatTheDocumentAllows() throws {
        let plain = ISO8601DateFormatter()
        var rng = SplitMix64(seed: 7)
        for _ in 0..<500 {
            // Whole seconds between 1900 and 2999, in UTC: the formatter is the oracle.
            let date = Date(timeIntervalSince1970: Double(Int64(rng.next() % 34_700_000_000) - 2_208_988_800))
            let text = plain.string(from: date)
            #expect(RFC3339Dates.parse(text) == date, "\(text)")
        }
        let may1 = 1_714_550_400.0 // 2024-05-01T08:00:00Z
        #expect(RFC3339Dates.parse("2024-05-01T16:00:00.5+08:00") == Date(timeIntervalSince1970: may1 + 0.5))
        #expect(RFC3339Dates.parse("2024-05-01T02:30:00-05:30") == Date(timeIntervalSince1970: may1))
        #expect(RFC3339Dates.parse("2024-05-02T02:00:00+18:00") == Date(timeIntervalSince1970: may1))
        #expect(RFC3339Dates.parse("2024-05-01T08:00:00.6023385042907462636Z")!.timeIntervalSince1970 - may1 > 0.6)
        #expect(RFC3339Dates.parse("2024-02-29T00:00:00Z") != nil)
    }

    @Test func refusesWhatItDoesNot() {
        for text in ["2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z",
                     "2024-05-01T12:00:60Z", "2024-05-01t12:00:00z", "2024-05-01 12:00:00Z", "2024-05-01T12:00:00",
                     "2024-05-01T12:00:00+18:30", "1899-12-31T23:59:59Z", "3000-01-01T00:00:00Z", "yesterday", ""] {
            #expect(RFC3339Dates.parse(text) == nil, "\(text)")
        }
    }
}
