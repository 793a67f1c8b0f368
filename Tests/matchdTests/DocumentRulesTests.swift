import Foundation
import HTTPTypes
import Synchronization
import TestSupport
import Testing
import Yams
@testable import matchd

/// Holds the server's refusals equal to `openapi.yaml`'s rules, read from the document itself:
/// for every rule a request schema or query parameter states (length, range, pattern, enum,
/// required, unknown fields, null, item counts, unique items, type), a request that breaks only
/// that rule must be refused with 400 naming the field, and a request at the rule's edge must not
/// be refused with 400 (it may still get 2xx, 404, 409 or 422: those are not the document's rules).
/// Each case starts from a valid request of the authorization table, changed in one place.
@Suite struct DocumentRulesTests {
    /// One request changed in one place, and what the document says of it.
    struct Case: Sendable, CustomStringConvertible {
        var operation: String
        var method: HTTPRequest.Method
        var uri: String
        var body: String?
        var ndjson = false
        /// The field the change is at (a body path such as `profile.skills[0].level`, or a query parameter).
        var field: String
        var rule: String
        var breaks: Bool
        var description: String { "\(operation) \(field) \(rule) (\(breaks ? "breaks" : "keeps") the document)" }
    }

    /// The document as Yams reads it; read-only once loaded.
    nonisolated(unsafe) static let root: [String: Any] = {
        let text = (try? String(contentsOf: OpenAPIDocument.url, encoding: .utf8)) ?? ""
        return ((try? Yams.load(yaml: text)) as? [String: Any]) ?? [:]
    }()

    // MARK: Reading schemas

    /// A schema with its `$ref` followed and an `allOf` merged (properties, required).
    static func resolve(_ schema: Any?) -> [String: Any] {
        guard var s = schema as? [String: Any] else { return [:] }
        if let ref = s["$ref"] as? String {
            let name = String(ref.split(separator: "/").last ?? "")
            var target = resolve(OpenAPIDocument.dig(root, "components", "schemas", name))
            for (k, v) in s where k != "$ref" { target[k] = v }
            s = target
        }
        if let parts = s["allOf"] as? [Any] {
            s["allOf"] = nil
            for part in parts.map(resolve) {
                for (k, v) in part {
                    switch k {
                    case "properties": s[k] = ((s[k] as? [String: Any]) ?? [:]).merging((v as? [String: Any]) ?? [:]) { a, _ in a }
                    case "required": s[k] = ((s[k] as? [String]) ?? []) + ((v as? [String]) ?? [])
                    default: if s[k] == nil { s[k] = v }
                    }
                }
            }
        }
        return s
    }

    /// A value that fits `schema`, to stand in for a field the valid request leaves out.
    static func sample(_ schema: [String: Any]) -> Any {
        if let values = schema["enum"] as? [Any], let first = values.first { return first }
        switch schema["type"] as? String {
        case "string":
            if schema["format"] as? String == "date-time" { return "2024-01-01T00:00:00Z" }
            return "a"
        case "integer": return (schema["minimum"] as? Int) ?? 1
        case "number": return (schema["minimum"] as? Double).map { max($0, 0.5) } ?? 1
        case "boolean": return true
        case "array":
            let item = sample(resolve(schema["items"]))
            return (schema["minItems"] as? Int ?? 0) > 0 ? [item] : []
        case "object":
            var out: [String: Any] = [:]
            let props = (schema["properties"] as? [String: Any]) ?? [:]
            for name in (schema["required"] as? [String]) ?? [] { out[name] = sample(resolve(props[name])) }
            return out
        default: return "a"
        }
    }

    /// A string of `count` scalars that fits `pattern` (every pattern of the document accepts
    /// repeats of `a`, record ids after a leading `a`).
    static func filler(_ count: Int) -> String { String(repeating: "a", count: count) }

    // MARK: Making cases

    /// Every one-place change of `value` (at `path`, fitting `schema`) with what the document says of it.
    /// `set` puts a replacement where `value` is and returns the whole body.
    static func changes(of schema: [String: Any], value: Any?, path: String, required: Bool,
                        set: (Any?) -> Any) -> [(field: String, rule: String, breaks: Bool, body: Any)] {
        var out: [(String, String, Bool, Any)] = []
        func add(_ rule: String, _ breaks: Bool, _ replacement: Any?, field: String? = nil) {
            out.append((field ?? path, rule, breaks, set(replacement)))
        }
        if !required { add("null", true, NSNull()) }
        if required { add("required (left out)", true, nil) }
        let type = schema["type"] as? String
        switch type {
        case "string":
            add("type (a number)", true, 7)
            if let values = schema["enum"] as? [String] {
                add("enum (zz-none)", true, "zz-none")
                for v in values { add("enum (\(v))", false, v) }
                break
            }
            let pattern = schema["pattern"] as? String
            if schema["format"] as? String == "date-time" { add("format (not a date)", true, "yesterday") }
            if let max = schema["maxLength"] as? Int {
                add("maxLength \(max) (+1)", true, filler(max + 1))
                add("maxLength \(max) (at it)", false, filler(max))
            }
            if let min = schema["minLength"] as? Int, min > 0 { add("minLength \(min) (empty)", true, "") }
            if let pattern {
                let current = (value as? String) ?? "a"
                if pattern.contains(#"\x00-\x08"#) {
                    add("pattern (a NUL)", true, current + "\u{0}")
                    add("pattern (a control character)", true, current + "\u{1}")
                    add("pattern (tab and line feed)", false, current + "\t\n")
                }
                if pattern.contains(#"\u3000"#) { add("pattern (blank)", true, " \u{3000}") }
                if pattern == "^[a-z0-9.-]+$" { add("pattern (upper case)", true, "Prog.Python") }
                if pattern.hasPrefix("^[A-Za-z0-9]") { add("pattern (leading dash)", true, "-x") }
            }
        case "integer", "number":
            add("type (a string)", true, "x")
            if let max = schema["maximum"] as? Double ?? (schema["maximum"] as? Int).map(Double.init) {
                add("maximum \(max) (above)", true, type == "integer" ? Int(max) + 1 as Any : max + 0.5)
                add("maximum \(max) (at it)", false, type == "integer" ? Int(max) as Any : max)
            }
            if let min = schema["minimum"] as? Double ?? (schema["minimum"] as? Int).map(Double.init) {
                add("minimum \(min) (below)", true, type == "integer" ? Int(min) - 1 as Any : min - 0.5)
                add("minimum \(min) (at it)", false, type == "integer" ? Int(min) as Any : min)
            }
            if let min = schema["exclusiveMinimum"] as? Double ?? (schema["exclusiveMinimum"] as? Int).map(Double.init) {
                add("exclusiveMinimum \(min) (at it)", true, type == "integer" ? Int(min) as Any : min)
            }
        case "boolean":
            add("type (a string)", true, "yes")
        case "array":
            add("type (an object)", true, [String: Any]())
            let itemSchema = resolve(schema["items"])
            let items = (value as? [Any]) ?? []
            let item = items.first ?? sample(itemSchema)
            if let max = schema["maxItems"] as? Int, schema["uniqueItems"] as? Bool != true {
                add("maxItems \(max) (+1)", true, Array(repeating: item, count: max + 1))
            }
            if let min = schema["minItems"] as? Int, min > 0 { add("minItems \(min) (empty)", true, [Any]()) }
            if schema["uniqueItems"] as? Bool == true { add("uniqueItems (a repeat)", true, [item, item]) }
            out += changes(of: itemSchema, value: item, path: path + "[0]", required: true) { v in
                set(v.map { [$0] + items.dropFirst() } ?? Array(items.dropFirst()))
            }.filter { $0.rule != "required (left out)" && $0.rule != "null" }
        case "object":
            var object = (value as? [String: Any]) ?? [:]
            let props = (schema["properties"] as? [String: Any]) ?? [:]
            let requiredNames = Set((schema["required"] as? [String]) ?? [])
            for (name, s) in props where object[name] == nil && requiredNames.contains(name) { object[name] = sample(resolve(s)) }
            let prefix = path.isEmpty ? "" : path + "."
            if schema["additionalProperties"] as? Bool == false {
                var extra = object
                extra["zzUnknown"] = 1
                out.append((prefix + "zzUnknown", "additionalProperties false", true, set(extra)))
            }
            for (name, raw) in props.sorted(by: { $0.key < $1.key }) {
                let s = resolve(raw)
                let current = object[name]
                // Absent optional fields get a fitting value so that their own rules are reached.
                var base = object
                if base[name] == nil { base[name] = sample(s) }
                out += changes(of: s, value: base[name], path: prefix + name, required: requiredNames.contains(name)) { v in
                    var o = base
                    o[name] = v
                    return set(o)
                }
                _ = current
            }
        default:
            break
        }
        return out.map { (field: $0.0, rule: $0.1, breaks: $0.2, body: $0.3) }
    }

    static func json(_ value: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The operation's object in the document.
    static func operation(_ id: String) -> (path: String, method: String, op: [String: Any])? {
        for (path, item) in (root["paths"] as? [String: Any]) ?? [:] {
            for (method, value) in (item as? [String: Any]) ?? [:] {
                if let op = value as? [String: Any], op["operationId"] as? String == id { return (path, method, op) }
            }
        }
        return nil
    }

    /// Body cases of every JSON operation whose authorization-table request the admin may send,
    /// and line cases of the talents import.
    static let bodyCases: [Case] = {
        var cases: [Case] = []
        var seen = Set<String>()
        for row in AuthorizationTable.rows {
            guard case .json(let text)? = row.body, (200..<300).contains(row.expected(for: .admin)),
                  seen.insert(row.operation).inserted,
                  let (_, _, op) = operation(row.operation),
                  let schema = OpenAPIDocument.dig(op, "requestBody", "content", "application/json", "schema"),
                  let seed = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { continue }
            for c in changes(of: resolve(schema), value: seed, path: "", required: true, set: { $0 ?? [:] })
            where c.field != "" {
                cases.append(Case(operation: row.operation, method: row.method, uri: row.path, body: json(c.body),
                                  field: c.field, rule: c.rule, breaks: c.breaks))
            }
        }
        if let (_, _, op) = operation("importRecords"),
           let body = OpenAPIDocument.dig(op, "requestBody", "content", "application/x-ndjson", "schema") as? [String: Any],
           let branch = (OpenAPIDocument.dig(body, "items") as? [String: Any])?["oneOf"] as? [Any],
           case .ndjson(let text)? = AuthorizationTable.rows.first(where: { $0.operation == "importRecords" })?.body,
           let seed = try? JSONSerialization.jsonObject(with: Data(text.utf8)) {
            for c in changes(of: resolve(branch[0]), value: seed, path: "", required: true, set: { $0 ?? [:] }) where c.field != "" {
                cases.append(Case(operation: "importRecords", method: .post, uri: "/v1/import/talents", body: json(c.body) + "\n",
                                  ndjson: true, field: c.field, rule: c.rule, breaks: c.breaks))
            }
        }
        return cases
    }()

    /// Query cases: each constrained query parameter of each GET the admin may send.
    static let queryCases: [Case] = {
        var cases: [Case] = []
        var seen = Set<String>()
        for row in AuthorizationTable.rows where row.method == .get && row.body == nil && (200..<300).contains(row.expected(for: .admin)) {
            guard seen.insert(row.operation).inserted, let (_, _, op) = operation(row.operation) else { continue }
            for raw in (op["parameters"] as? [Any]) ?? [] {
                var p = (raw as? [String: Any]) ?? [:]
                if let ref = p["$ref"] as? String {
                    p = (OpenAPIDocument.dig(root, "components", "parameters", String(ref.split(separator: "/").last ?? "")) as? [String: Any]) ?? [:]
                }
                guard p["in"] as? String == "query", let name = p["name"] as? String else { continue }
                let schema = resolve(p["schema"])
                for c in changes(of: schema, value: nil, path: name, required: true, set: { $0 as Any })
                where c.rule != "required (left out)" && c.rule != "null" && !c.rule.hasPrefix("type (a number)") {
                    guard let value = c.body as? any CustomStringConvertible, !(c.body is [Any]), !(c.body is [String: Any]) else { continue }
                    var allowed = CharacterSet.urlQueryAllowed
                    allowed.remove(charactersIn: "&=+")
                    let encoded = "\(value)".addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
                    // The parameter replaces the valid request's own value of it, if it has one.
                    var components = URLComponents(string: row.path)!
                    let others = (components.queryItems ?? []).filter { $0.name != name }
                    components.queryItems = nil
                    let query = (others.map { "\($0.name)=\($0.value ?? "")" } + ["\(name)=\(encoded)"]).joined(separator: "&")
                    let uri = components.string! + "?" + query
                    cases.append(Case(operation: row.operation, method: .get, uri: uri, field: name, rule: c.rule, breaks: c.breaks))
                }
            }
        }
        return cases
    }()

    /// `APIError.numericQueryParameters` names exactly the document's non-string query parameters.
    @Test func numericQueryParametersAreTheDocuments() {
        var names = Set<String>()
        for (_, item) in (Self.root["paths"] as? [String: Any]) ?? [:] {
            for (_, value) in (item as? [String: Any]) ?? [:] {
                for raw in ((value as? [String: Any])?["parameters"] as? [Any]) ?? [] {
                    var p = (raw as? [String: Any]) ?? [:]
                    if let ref = p["$ref"] as? String {
                        p = (OpenAPIDocument.dig(Self.root, "components", "parameters", String(ref.split(separator: "/").last ?? "")) as? [String: Any]) ?? [:]
                    }
                    let type = Self.resolve(p["schema"])["type"] as? String
                    if p["in"] as? String == "query", let name = p["name"] as? String, type != "string", type != "array", type != nil {
                        names.insert(name)
                    }
                }
            }
        }
        #expect(names == APIError.numericQueryParameters)
    }

    @Test func theDocumentYieldsCases() {
        #expect(Self.bodyCases.count > 300, "\(Self.bodyCases.count) body cases")
        #expect(Self.queryCases.count > 50, "\(Self.queryCases.count) query cases")
        #expect(Set(Self.bodyCases.map(\.operation)).count >= 12)
    }

    @Test func bodiesAreRefusedExactlyWhereTheDocumentSays() async throws {
        try await check(Self.bodyCases)
    }

    @Test func queriesAreRefusedExactlyWhereTheDocumentSays() async throws {
        try await check(Self.queryCases)
    }

    private func check(_ cases: [Case]) async throws {
        try await TestService.run { api in
            for c in cases {
                let reply = try await api.send(c.method, c.uri, as: .admin, body: c.body.map { Data($0.utf8) },
                                               contentType: c.ndjson ? "application/x-ndjson" : "application/json")
                #expect(reply.status.code < 500, "\(c): \(reply)")
                if c.ndjson {
                    // An import refuses a line in its result, naming the line and the field.
                    let errors = ((try? JSONSerialization.jsonObject(with: reply.body)) as? [String: Any])?["errors"] as? [[String: Any]] ?? []
                    let refused = errors.first { $0["line"] as? Int == 1 }
                    if c.breaks {
                        #expect(refused?["field"] as? String == c.field, "\(c): \(reply)")
                    } else {
                        let code = refused?["code"] as? String ?? ""
                        #expect(refused == nil || code.hasPrefix("embeddings.unknown_") || code == ErrorCode.unprocessable.rawValue,
                                "\(c): \(reply)")
                    }
                    continue
                }
                if c.breaks {
                    #expect(reply.status == .badRequest && reply.error?.field == c.field, "\(c): \(reply)")
                } else {
                    #expect(reply.status != .badRequest, "\(c): \(reply)")
                }
            }
        }
    }
}
