import Foundation

/// Control characters in request text. SQLite stores text up to its first NUL, so a NUL would make
/// what is stored differ from what was acknowledged; the other C0 controls (except tab, line feed
/// and carriage return) and DEL have no place in names, ids or posting text either. Such text is
/// refused with the field that holds it, in bodies, import lines and paths alike.
enum ControlCharacters {
    static func isRefused(_ s: Unicode.Scalar) -> Bool {
        (s.value < 0x20 && s != "\t" && s != "\n" && s != "\r") || s.value == 0x7F
    }

    static func contains(_ text: some StringProtocol) -> Bool { text.unicodeScalars.contains(where: isRefused) }

    /// The path (`profile.skills[0].competency`, `body` for the top level) of the first key or
    /// string of a JSON document that holds a refused character; nil when none does. JSON can only
    /// carry them escaped (`\u0000`…`\u001f`, `\u007f`), so documents without `\u00` are not parsed.
    static func firstField(inJSON data: some Collection<UInt8>) -> String? {
        guard mayHoldEscapedControl(data), let value = try? JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed]) else {
            return nil
        }
        return firstField(in: value, path: "")
    }

    private static func firstField(in value: Any, path: String) -> String? {
        switch value {
        case let s as String:
            return contains(s) ? (path.isEmpty ? "body" : path) : nil
        case let array as [Any]:
            for (i, v) in array.enumerated() {
                if let f = firstField(in: v, path: "\(path)[\(i)]") { return f }
            }
        case let object as [String: Any]:
            for (k, v) in object.sorted(by: { $0.key < $1.key }) {
                let p = path.isEmpty ? k : "\(path).\(k)"
                if contains(k) { return p }
                if let f = firstField(in: v, path: p) { return f }
            }
        default: break
        }
        return nil
    }

    /// Whether the bytes hold `\u00` (the escape of every refused character).
    static func mayHoldEscapedControl(_ data: some Collection<UInt8>) -> Bool {
        var state = 0  // matched prefix of `\u00`
        for b in data {
            switch (state, b) {
            case (_, 0x5C): state = 1
            case (1, 0x75): state = 2
            case (2, 0x30): state = 3
            case (3, 0x30): return true
            default: state = 0
            }
        }
        return false
    }
}
