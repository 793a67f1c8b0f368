import Foundation
import HTTPTypes
import Synchronization
import TestSupport
import Testing
import Yams
@testable import matchd

/// `Sources/matchd/openapi.yaml` as the tests read it: each operation's method, path template,
/// security and documented response statuses, and the error codes the `Error` schema lists.
struct OpenAPIDocument: Sendable {
    struct Operation: Sendable, CustomTestStringConvertible {
        var id: String
        var method: HTTPRequest.Method
        /// The template, e.g. `/v1/talents/{talentId}`.
        var path: String
        var secured: Bool
        var statuses: Set<Int>
        var hasRequestBody: Bool

        var segments: [Substring] { path.split(separator: "/") }
        var testDescription: String { id }

        /// Whether a concrete path fits the template (`{…}` matches any one segment).
        func matches(_ concrete: [Substring]) -> Bool {
            let template = segments
            guard template.count == concrete.count else { return false }
            return zip(template, concrete).allSatisfy { t, c in t.hasPrefix("{") || t == c }
        }
    }

    static let url = Fixtures.root.appendingPathComponent("Sources/matchd/openapi.yaml")

    var operations: [Operation] = []
    /// The codes named in `Error.error.code` (its `enum` when there is one, else the codes its
    /// description lists, `matcher.*` and `embeddings.*` aside).
    var errorCodes: [String] = []
    var loadError: String?

    static let shared: OpenAPIDocument = {
        do { return try load() } catch { return OpenAPIDocument(loadError: "\(error)") }
    }()

    static func load() throws -> OpenAPIDocument {
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let root = try Yams.load(yaml: text) as? [String: Any] else { throw Failure("openapi.yaml is not a mapping") }
        let globalSecured = !((root["security"] as? [Any]) ?? []).isEmpty
        var operations: [Operation] = []
        for (path, item) in (root["paths"] as? [String: Any]) ?? [:] {
            for (method, value) in (item as? [String: Any]) ?? [:] {
                guard let op = value as? [String: Any], let httpMethod = HTTPRequest.Method(method.uppercased()),
                      let id = op["operationId"] as? String else { continue }
                let secured = (op["security"] as? [Any]).map { !$0.isEmpty } ?? globalSecured
                let statuses = ((op["responses"] as? [String: Any]) ?? [:]).keys.compactMap { Int($0) }
                operations.append(Operation(id: id, method: httpMethod, path: path, secured: secured, statuses: Set(statuses),
                                            hasRequestBody: op["requestBody"] != nil))
            }
        }
        let code = dig(root, "components", "schemas", "Error", "properties", "error", "properties", "code") as? [String: Any]
        var codes: [String] = []
        if let values = code?["enum"] as? [String] {
            codes = values
        } else if let text = code?["description"] as? String, let colon = text.firstIndex(of: ":") {
            // "Stable code, `area.snake_case`: http.bad_request, …": the list follows the colon.
            let description = String(text[text.index(after: colon)...])
            let regex = try NSRegularExpression(pattern: #"\b[a-z]+\.[a-z_]+\b"#)
            let ns = description as NSString
            codes = regex.matches(in: description, range: NSRange(location: 0, length: ns.length))
                .map { ns.substring(with: $0.range) }
        }
        return OpenAPIDocument(operations: operations.sorted { ($0.path, $0.method.rawValue) < ($1.path, $1.method.rawValue) },
                               errorCodes: codes)
    }

    /// The value at a path of mapping keys.
    static func dig(_ value: Any?, _ keys: String...) -> Any? {
        keys.reduce(value) { ($0 as? [String: Any])?[$1] }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    func operation(id: String) -> Operation? { operations.first { $0.id == id } }

    /// The operation a request reaches, preferring literal segments over parameters
    /// (`/v1/model/search` over `/v1/model/{…}`).
    func operation(method: HTTPRequest.Method, uri: String) -> Operation? {
        let segments = Self.segments(of: uri)
        return operations.filter { $0.method == method && $0.matches(segments) }
            .max { $0.segments.filter { !$0.hasPrefix("{") }.count < $1.segments.filter { !$0.hasPrefix("{") }.count }
    }

    static func segments(of uri: String) -> [Substring] {
        (uri.split(separator: "?", maxSplits: 1).first ?? "").split(separator: "/")
    }

    /// Statuses the service answers that the document does not list, known and reported:
    /// What is wrong with a reply as far as the document goes: a status its operation does not
    /// document, or, for a request that is no operation, anything but 404 (unknown path) or 405
    /// (a known path, another method).
    func undocumented(_ reply: Reply) -> [String] {
        guard loadError == nil else { return [] }
        let status = reply.status.code
        if let op = operation(method: reply.method, uri: reply.uri) {
            if op.statuses.contains(status) { return [] }
            return ["\(op.id) answered \(status), which openapi.yaml does not document for it "
                + "(documented: \(op.statuses.sorted().map(String.init).joined(separator: ", ")))"]
        }
        let segments = Self.segments(of: reply.uri)
        let expected = operations.contains { $0.matches(segments) } ? 405 : 404
        return status == expected ? [] : ["\(reply.method) \(reply.uri) is no operation; expected \(expected), got \(status)"]
    }
}

/// Keeps `openapi.yaml` true to the service.
@Suite struct OpenAPIDocumentTests {
    let document = OpenAPIDocument.shared

    @Test func theDocumentLoads() throws {
        #expect(document.loadError == nil, "\(document.loadError ?? "")")
        #expect(!document.operations.isEmpty)
        #expect(Set(document.operations.map(\.id)).count == document.operations.count, "operation ids repeat")
    }

    /// (a) The `Error` schema lists exactly the codes of `ErrorCode`.
    @Test func errorSchemaListsExactlyTheErrorCodes() {
        let listed = document.errorCodes
        let defined = ErrorCode.allCases.map(\.rawValue)
        let onlyListed = Set(listed).subtracting(defined).sorted(), onlyDefined = Set(defined).subtracting(listed).sorted()
        #expect(onlyListed.isEmpty && onlyDefined.isEmpty, "only in openapi.yaml: \(onlyListed); only in ErrorCode: \(onlyDefined)")
        #expect(listed.count == Set(listed).count, "a code is listed twice")
    }

    /// (b) Every status a request of these tests got is documented for its operation (or is a
    /// known gap). `ResponseChecks` checks each reply as it comes; this test also sends one
    /// representative request per operation and caller, so that it holds whatever ran before,
    /// and checks that every operation was reached.
    @Test func everyObservedStatusIsDocumented() async throws {
        try await TestService.run { api in
            for row in AuthorizationTable.rows {
                for caller in [Caller.anonymous, .admin, .employerA, .seekerA] {
                    _ = try await row.send(api, as: caller)
                }
            }
        }
        let seen = Observations.all
        for op in document.operations {
            #expect(seen.contains { $0.operationID == op.id }, "no test reached \(op.id)")
        }
        for s in seen.sorted(by: { ($0.operationID, $0.status) < ($1.operationID, $1.status) }) {
            guard let op = document.operation(id: s.operationID) else { continue }
            #expect(op.statuses.contains(s.status),
                    "\(op.id) answered \(s.status); openapi.yaml documents \(op.statuses.sorted())")
        }
    }

    /// (c) A secured operation documents 401; it documents 403 exactly when some caller of the
    /// authorization table gets one (`getJob` is open to every key, so it has no 403).
    @Test(arguments: OpenAPIDocument.shared.operations)
    func securityImpliesItsErrorResponses(_ op: OpenAPIDocument.Operation) {
        let rows = AuthorizationTable.rows.filter { $0.operation == op.id }
        #expect(!rows.isEmpty, "the authorization table has no row for \(op.id)")
        #expect(rows.allSatisfy { ($0.expected(for: .anonymous) == 401) == op.secured },
                "\(op.id): the table's no-key column disagrees with its security")
        if op.secured {
            #expect(op.statuses.contains(401), "\(op.id) is secured but documents no 401")
            let forbids = rows.contains { $0.expected.contains(403) }
            #expect(op.statuses.contains(403) == forbids,
                    "\(op.id): 403 documented \(op.statuses.contains(403)), but the table \(forbids ? "has" : "has no") 403")
        }
    }

    /// A bad key is refused on every route, so public operations document 401 too.
    @Test func publicOperationsDocumentTheirBadKey401() {
        for op in document.operations where !op.secured {
            #expect(op.statuses.contains(401), "\(op.id)")
        }
    }

    /// (d) The reverse of (b): every error status the document lists for an operation is one a
    /// request of this test gets, so the document promises nothing the service cannot answer.
    /// The requests: the refusing cells of the authorization table (401, 403, 404, 409); a query
    /// parameter over the length limit on every operation (400); a body over the limit on every
    /// operation (413); and the probes below for what the table does not reach. Statuses no
    /// request can produce here go on `unexercised`, each with its reason.
    @Test func everyDocumentedErrorStatusIsAnswered() async throws {
        let observed = Mutex<Set<Observations.Seen>>([])
        @Sendable func note(_ reply: Reply, _ op: String, expected: Int, _ why: String) {
            #expect(reply.status.code == expected, "\(op) (\(why)): expected \(expected), got \(reply)")
            observed.withLock { _ = $0.insert(.init(operationID: op, status: reply.status.code)) }
        }
        try await TestService.run(configure: { $0.maxBodyBytes = 1024; $0.maxImportBytes = 1024 }) { api in
            for row in AuthorizationTable.rows {
                for caller in Caller.allCases where row.expected(for: caller) >= 400 {
                    note(try await row.send(api, as: caller), row.operation, expected: row.expected(for: caller), "as \(caller)")
                }
                let long = String(repeating: "x", count: QueryLimitMiddleware.maxLength + 1)
                let uri = row.path.replacingOccurrences(of: "{spareKey}", with: api.service.keys.spareID)
                note(try await api.send(row.method, uri + (uri.contains("?") ? "&" : "?") + "pad=\(long)", as: .admin),
                     row.operation, expected: 400, "a query parameter too long")
                let big = Data(#"{"pad":"\#(String(repeating: "x", count: 4096))"}"#.utf8)
                note(try await api.send(row.method, uri, as: .admin, body: big,
                                        contentType: row.operation == "importRecords" ? "application/x-ndjson" : "application/json"),
                     row.operation, expected: 413, "a body too large")
            }
            for probe in Self.probes {
                note(try await api.send(probe.method, probe.path, as: probe.caller, body: probe.body.map { Data($0.utf8) },
                                        contentType: probe.contentType),
                     probe.operation, expected: probe.status, probe.why)
            }
        }
        let seen = observed.withLock { $0 }
        for op in document.operations {
            for status in op.statuses.sorted() where status >= 400 {
                let answered = seen.contains(.init(operationID: op.id, status: status))
                let excused = Self.unexercised[op.id]?[status]
                #expect(answered || excused != nil, "\(op.id) documents \(status), which no request here gets")
                #expect(!(answered && excused != nil), "\(op.id) \(status) is answered; take it off `unexercised`")
            }
        }
        for (op, statuses) in Self.unexercised {
            for status in statuses.keys {
                #expect(document.operation(id: op)?.statuses.contains(status) == true, "unexercised \(op) \(status) is not documented")
            }
        }
    }

    /// A request that gets one status the authorization table does not reach.
    struct Probe: Sendable {
        var operation: String
        var method: HTTPRequest.Method
        var path: String
        var body: String?
        var caller: Caller = .admin
        var contentType = "application/json"
        var status: Int
        var why: String
    }

    static let probes: [Probe] = [
        Probe(operation: "createKey", method: .post, path: "/v1/keys",
              body: #"{"role":"employer","name":"C","employerId":"emp-missing"}"#, status: 404, why: "an unknown employer"),
        Probe(operation: "getPost", method: .get, path: "/v1/model/posts/9-99-99-99", status: 404, why: "an unknown post"),
        Probe(operation: "getCompetency", method: .get, path: "/v1/model/competencies/no.such", status: 404,
              why: "an unknown competency"),
        Probe(operation: "getCourse", method: .get, path: "/v1/courses/course.no-such", status: 404, why: "an unknown course"),
        Probe(operation: "updateTalent", method: .put, path: "/v1/talents/t-missing",
              body: #"{"displayName":"X","profile":{}}"#, status: 404, why: "an unknown talent"),
        Probe(operation: "deleteTalent", method: .delete, path: "/v1/talents/t-missing", status: 404, why: "an unknown talent"),
        Probe(operation: "exportTalent", method: .get, path: "/v1/talents/t-missing/export", status: 404, why: "an unknown talent"),
        Probe(operation: "matchJobs", method: .get, path: "/v1/talents/t-missing/matches", status: 404, why: "an unknown talent"),
        Probe(operation: "closeJob", method: .post, path: "/v1/jobs/j-missing/close", status: 404, why: "an unknown posting"),
        Probe(operation: "createJob", method: .post, path: "/v1/jobs", body: #"{"employerId":"emp-missing","title":"X"}"#,
              status: 404, why: "an unknown employer"),
        Probe(operation: "createJob", method: .post, path: "/v1/jobs", body: #"{"id":"jA","title":"X"}"#, caller: .employerA,
              status: 409, why: "an id in use"),
        Probe(operation: "createJob", method: .post, path: "/v1/jobs", body: #"{"title":"X","description":"限男性"}"#,
              caller: .employerA, status: 422, why: "a protected attribute"),
        Probe(operation: "updateJob", method: .put, path: "/v1/jobs/jA", body: #"{"title":"限男性"}"#, caller: .employerA,
              status: 422, why: "a protected attribute"),
        // 422: fits the document, but names what the model or store lacks, or contradicts itself.
        Probe(operation: "createKey", method: .post, path: "/v1/keys", body: #"{"role":"admin","name":"C","employerId":"emp-a"}"#,
              status: 422, why: "an owner on an admin key"),
        Probe(operation: "listCompetencies", method: .get, path: "/v1/model/competencies?domain=no-such", status: 422,
              why: "an unknown domain"),
        Probe(operation: "listCourses", method: .get, path: "/v1/courses?competency=no.such", status: 422, why: "an unknown competency"),
        Probe(operation: "classify", method: .post, path: "/v1/classify", body: #"{"title":"电工","modelVersion":999}"#, status: 422,
              why: "another model version"),
        Probe(operation: "classifyBatch", method: .post, path: "/v1/classify/batch", body: #"{"items":[{"title":"电工"}],"modelVersion":999}"#,
              status: 422, why: "another model version"),
        Probe(operation: "matchAnonymous", method: .post, path: "/v1/match",
              body: #"{"profile":{"skills":[{"competency":"no.such","level":3}]}}"#, status: 422, why: "an unknown competency"),
        Probe(operation: "createTalent", method: .post, path: "/v1/talents",
              body: #"{"displayName":"X","profile":{"skills":[{"competency":"no.such","level":3}]}}"#, status: 422,
              why: "an unknown competency"),
        Probe(operation: "updateTalent", method: .put, path: "/v1/talents/tA", body: #"{"id":"tZ","displayName":"X","profile":{}}"#,
              status: 422, why: "a body id other than the path's"),
        Probe(operation: "matchJobs", method: .get, path: "/v1/talents/tA/matches?cursor=abc", status: 422, why: "a foreign cursor"),
        Probe(operation: "planCourses", method: .post, path: "/v1/talents/tA/plan", body: #"{"jobId":"jA","postCode":"2-02-38-01"}"#,
              status: 422, why: "both jobId and postCode"),
        Probe(operation: "matchCandidates", method: .get, path: "/v1/jobs/jA/candidates?cursor=abc", status: 422, why: "a foreign cursor"),
        Probe(operation: "createCourse", method: .post, path: "/v1/courses",
              body: #"{"id":"course.x","title":{"zh":"课","en":"C"},"provider":{"type":"enterprise","name":"P"},"hours":4,"#
                + #""mode":"online","teaches":[{"competency":"no.such","level":3}]}"#, status: 422, why: "an unknown competency"),
        Probe(operation: "marketSupply", method: .get, path: "/v1/market/supply?occupation=9-99-99-99", status: 422,
              why: "an unknown occupation"),
        Probe(operation: "marketTrends", method: .get, path: "/v1/market/trends?occupation=9-99-99-99", status: 422,
              why: "an unknown occupation"),
        Probe(operation: "importRecords", method: .post, path: "/v1/import/courses?importId=imp-k", body: "{}\n",
              contentType: "application/x-ndjson", status: 200, why: "a named import of courses"),
        Probe(operation: "importRecords", method: .post, path: "/v1/import/talents?importId=imp-k", body: "{}\n",
              contentType: "application/x-ndjson", status: 422, why: "the import id of an import of courses"),
    ]

    /// Documented statuses no request of `everyDocumentedErrorStatusIsAnswered` gets, and why.
    static let unexercised: [String: [Int: String]] = [
        "importRecords": [409: "needs an import completed first: ImportRunTests.aNamedImportReportsItsProgressAndRefusesASecondRun"],
    ]

    /// HEAD is served by no route: a known path answers 405 with `Allow`, like other methods.
    @Test func headOnAKnownPathIsMethodNotAllowed() async throws {
        try await TestService.run { api in
            let reply = try await api.send(.head, "/v1/jobs", as: .admin)
            #expect(reply.status == .methodNotAllowed && reply.headers[.allow]?.contains("GET") == true, "\(reply)")
            #expect(try await api.send(.head, "/v1/no-such-path", as: .admin).status == .notFound)
        }
    }

    /// Every operation of the document is served: none answers "no such route".
    @Test func everyOperationIsRouted() async throws {
        try await TestService.run { api in
            for op in document.operations {
                let path = op.path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "x", options: .regularExpression)
                let body = op.method == .get || op.method == .delete ? nil : Data("{}".utf8)
                let reply = try await api.send(op.method, path, as: .admin, body: body)
                #expect(reply.error?.code != ErrorCode.notFound.rawValue, "\(op.id) is not routed: \(reply)")
            }
        }
    }
}
