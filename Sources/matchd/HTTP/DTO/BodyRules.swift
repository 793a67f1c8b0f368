import Foundation

/// Rules on request text that the decoders do not enforce, checked on JSON bodies and import lines
/// before they decode, each refusal naming its field.
///
/// - **Control characters.** SQLite stores text up to its first NUL, so a NUL would make what is
///   stored differ from what was acknowledged; the other C0 controls (except tab, line feed and
///   carriage return) and DEL have no place in names, ids or posting text either. Refused in keys
///   and strings of bodies and import lines, and in paths and query values.
/// - **Dates.** `registeredAt`, `postedAt` and `closedAt` must read as RFC 3339 date-times, so that a
///   bad one is refused by its field's name (the runtime's date decoder knows no field).
/// - **`null`.** `openapi.yaml` allows no null anywhere (a field is sent or left out); the generated
///   decoders would read a null as an absent field, so an explicit null is refused instead.
enum BodyRules {
    static func isRefused(_ s: Unicode.Scalar) -> Bool {
        (s.value < 0x20 && s != "\t" && s != "\n" && s != "\r") || s.value == 0x7F
    }

    static func hasControlCharacter(_ text: some StringProtocol) -> Bool { text.unicodeScalars.contains(where: isRefused) }

    static let controlMessage = "holds a control character (U+0000–U+001F or U+007F)"
    static let nullMessage = "is null; leave the field out instead"
    static let dateMessage = "is not an RFC 3339 date-time (e.g. 2024-05-01T08:00:00Z or 2024-05-01T16:00:00.5+08:00)"
    /// The body fields of `format: date-time` (`TalentInput.registeredAt`, `JobInput.postedAt`, `closedAt`).
    static let dateFields: Set<String> = ["registeredAt", "postedAt", "closedAt"]

    /// The first problem of a JSON document as (field path, message): `profile.skills[0].competency`,
    /// `body` for the top level. JSON carries control characters only escaped (`\u0000`…`\u001f`,
    /// `\u007f`) and null only as `null`, so documents with neither byte sequence are not parsed.
    static func firstProblem(inJSON data: some Collection<UInt8>) -> (field: String, message: String)? {
        guard mayBreakARule(data), let value = try? JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed]) else {
            return nil
        }
        return firstProblem(in: value, path: "")
    }

    private static func firstProblem(in value: Any, path: String) -> (field: String, message: String)? {
        let field = path.isEmpty ? "body" : path
        switch value {
        case is NSNull:
            return (field, nullMessage)
        case let s as String:
            return hasControlCharacter(s) ? (field, controlMessage) : nil
        case let array as [Any]:
            for (i, v) in array.enumerated() {
                if let p = firstProblem(in: v, path: "\(path)[\(i)]") { return p }
            }
        case let object as [String: Any]:
            for (k, v) in object.sorted(by: { $0.key < $1.key }) {
                let p = path.isEmpty ? k : "\(path).\(k)"
                if hasControlCharacter(k) { return (p, controlMessage) }
                if dateFields.contains(k), let text = v as? String, RFC3339Dates.parse(text) == nil { return (p, dateMessage) }
                if let problem = firstProblem(in: v, path: p) { return problem }
            }
        default: break
        }
        return nil
    }

    /// Whether the bytes hold `\u00` (the escape of every refused character), `null` or `At"`
    /// (the end of a date field's name).
    static func mayBreakARule(_ data: some Collection<UInt8>) -> Bool {
        let escape: [UInt8] = Array(#"\u00"#.utf8), null: [UInt8] = Array("null".utf8), date: [UInt8] = Array(#"At""#.utf8)
        var e = 0, n = 0, d = 0
        for b in data {
            e = b == escape[e] ? e + 1 : (b == escape[0] ? 1 : 0)
            n = b == null[n] ? n + 1 : (b == null[0] ? 1 : 0)
            d = b == date[d] ? d + 1 : (b == date[0] ? 1 : 0)
            if e == escape.count || n == null.count || d == date.count { return true }
        }
        return false
    }
}
