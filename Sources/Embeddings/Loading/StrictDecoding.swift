import Foundation

/// Collects the unknown keys found while one JSON Lines entry is decoded.
///
/// `@unchecked Sendable`: one instance belongs to one `JSONDecoder.decode` call on one thread
/// (it travels through `userInfo`, which must be `Sendable`); nothing else reads or writes it.
final class UnknownKeySink: @unchecked Sendable {
    var paths: [String] = []
}

extension CodingUserInfoKey {
    /// Where strict containers report unknown keys instead of throwing.
    static let unknownKeySink = CodingUserInfoKey(rawValue: "matchd.embeddings.unknownKeySink")!
}

/// A coding key for any string or index, to list the keys a JSON object really has.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue; self.intValue = nil }
    init(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
}

extension Decoder {
    /// A keyed container that refuses keys outside `K.allCases`.
    ///
    /// With an `UnknownKeySink` in `userInfo` (model loading) unknown keys are recorded with their
    /// path and decoding goes on, so one line reports all of them; without one (a request body)
    /// the first unknown key throws `DecodingError.dataCorrupted`.
    func strictContainer<K: CodingKey & CaseIterable>(keyedBy type: K.Type) throws -> KeyedDecodingContainer<K> {
        let raw = try container(keyedBy: AnyCodingKey.self)
        let allowed = Set(K.allCases.map(\.stringValue))
        for key in raw.allKeys where !allowed.contains(key.stringValue) {
            let path = fieldPath(codingPath + [key])
            if let sink = userInfo[.unknownKeySink] as? UnknownKeySink {
                sink.paths.append(path)
            } else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key],
                                                        debugDescription: "unknown key \"\(key.stringValue)\""))
            }
        }
        return try container(keyedBy: K.self)
    }
}

/// `functions[1].workItems[0].requirements[2].level` from a coding path.
func fieldPath(_ path: [any CodingKey]) -> String {
    var out = ""
    for key in path {
        if let i = key.intValue {
            out += "[\(i)]"
        } else {
            if !out.isEmpty { out += "." }
            out += key.stringValue
        }
    }
    return out
}

extension KeyedDecodingContainer {
    /// An array that may be absent (then empty).
    func decodeArray<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> [T] {
        try decodeIfPresent([T].self, forKey: key) ?? []
    }
}
