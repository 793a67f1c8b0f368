import Foundation
import HTTPTypes
import Testing
@testable import matchd

/// One route of the authorization table: a representative request and the status each caller
/// gets, in `Caller.allCases` order.
struct AuthorizationRow: Sendable, CustomTestStringConvertible {
    enum Body: Sendable {
        case json(String)
        case ndjson(String)
    }

    var operation: String
    var method: HTTPRequest.Method
    /// `{spareKey}` stands for the id of the service's spare key.
    var path: String
    var body: Body?
    var expected: [Int]

    init(_ operation: String, _ method: HTTPRequest.Method, _ path: String, _ expected: [Int]) {
        self.init(operation, method, path, nil, expected)
    }

    init(_ operation: String, _ method: HTTPRequest.Method, _ path: String, _ body: Body?, _ expected: [Int]) {
        self.operation = operation
        self.method = method
        self.path = path
        self.body = body
        self.expected = expected
    }

    var testDescription: String { "\(operation): \(method) \(path)" }

    /// Whether the request changes the store (then each caller gets a fresh service).
    var mutates: Bool { method != .get && !["extract", "classify", "classifyBatch", "matchAnonymous", "createShortlist", "planCourses"].contains(operation) }

    func expected(for caller: Caller) -> Int { expected[Caller.allCases.firstIndex(of: caller)!] }

    func send(_ api: API, as caller: Caller) async throws -> Reply {
        let uri = path.replacingOccurrences(of: "{spareKey}", with: api.service.keys.spareID)
        switch body {
        case nil: return try await api.send(method, uri, as: caller)
        case .json(let text): return try await api.send(method, uri, as: caller, raw: text)
        case .ndjson(let text): return try await api.send(method, uri, as: caller, raw: text, contentType: "application/x-ndjson")
        }
    }
}

/// Who may do what. Columns are the callers: no key, a key never issued, a revoked (admin) key,
/// the admin, employer A (owns posting `jA`), employer B, seeker A (owns talent `tA`), seeker B
/// (reserves `tB`, which does not exist yet). Every request is otherwise valid, so a cell shows
/// the policy alone. 401 is `auth.missing_key` without a key and `auth.invalid_key` with a bad
/// one; 403 is `auth.forbidden`.
///
/// The policy in words: a bad key is refused everywhere, public routes included; model
/// browsing, extraction, anonymous matching, courses (reading), health and metrics need no key;
/// keys, courses (writing) and imports are the admin's; a talent is its seeker's and the
/// admin's; a posting is readable by any key and otherwise its employer's and the admin's;
/// a seeker creates its reserved profile once (409 after). Ownership is checked after
/// existence for postings (a missing posting is 404 for every key) and before it for talents
/// (a missing talent is 403 for everyone but the admin).
enum AuthorizationTable {
    typealias Row = AuthorizationRow

    // Valid bodies, so that a cell shows the policy alone.
    static let extract = Row.Body.json(#"{"text":"熟悉Python"}"#)
    static let classify = Row.Body.json(#"{"title":"电工"}"#)
    static let classifyBatch = Row.Body.json(#"{"items":[{"title":"电工"}]}"#)
    static let profile = Row.Body.json(#"{"profile":{"skills":[{"competency":"prog.python","level":6}]}}"#)
    static let key = Row.Body.json(#"{"role":"employer","name":"Employer C"}"#)
    static let talent = Row.Body.json(#"{"displayName":"New talent","profile":{"skills":[{"competency":"prog.java","level":4}]}}"#)
    static let talentUpdate = Row.Body.json(
        #"{"displayName":"Ada L.","searchable":true,"profile":{"skills":[{"competency":"prog.python","level":7,"verified":true}]}}"#)
    static let planJobA = Row.Body.json(#"{"jobId":"jA"}"#)
    static let planMissing = Row.Body.json(#"{"jobId":"j-missing"}"#)
    static let job = Row.Body.json(
        #"{"employerId":"emp-a","title":"Opening C","requirements":[{"competency":"prog.java","level":4}]}"#)
    static let jobUpdate = Row.Body.json(
        #"{"title":"Opening A, revised","city":"上海","requirements":[{"competency":"prog.python","level":6}]}"#)
    static let shortlistJobA = Row.Body.json(#"{"jobIds":["jA"]}"#)
    static let shortlistMissing = Row.Body.json(#"{"jobIds":["j-missing"]}"#)
    static let course = Row.Body.json(#"{"id":"course.test.python-1","title":{"zh":"Python进阶","en":"Python, further"},"#
        + #""provider":{"type":"enterprise","name":"Test Co"},"hours":40,"mode":"online","#
        + #""teaches":[{"competency":"prog.python","level":6}]}"#)
    static let importLine = Row.Body.ndjson(
        #"{"id":"t-imported","displayName":"Imported","profile":{"skills":[{"competency":"prog.c","level":4}]}}"# + "\n")

    static let rows: [Row] = [
        //                                                                      none inv  rev  adm  empA empB skA  skB
        // Public routes.
        Row("getHealth", .get, "/healthz",                                      [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("getMetrics", .get, "/metrics",                                     [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("getModel", .get, "/v1/model",                                      [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("searchModel", .get, "/v1/model/search?q=python",                   [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("listPosts", .get, "/v1/model/posts",                               [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("getPost", .get, "/v1/model/posts/2-02-38-01",                      [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("listCompetencies", .get, "/v1/model/competencies",                 [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("getCompetency", .get, "/v1/model/competencies/prog.python",        [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("listLevels", .get, "/v1/model/levels",                             [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("listCertificates", .get, "/v1/model/certificates",                 [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("extract", .post, "/v1/extract", extract,                           [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("classify", .post, "/v1/classify", classify,                       [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("classifyBatch", .post, "/v1/classify/batch", classifyBatch,      [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("matchAnonymous", .post, "/v1/match", profile,                      [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("listCourses", .get, "/v1/courses",                                 [200, 401, 401, 200, 200, 200, 200, 200]),
        Row("getCourse", .get, "/v1/courses/course.ai.ml-foundations-01",       [200, 401, 401, 200, 200, 200, 200, 200]),
        // The market view: the admin's.
        Row("marketWages", .get, "/v1/market/wages",                            [401, 401, 401, 200, 403, 403, 403, 403]),
        Row("marketStatus", .get, "/v1/market/status",                          [401, 401, 401, 200, 403, 403, 403, 403]),
        Row("marketSupply", .get, "/v1/market/supply",                          [401, 401, 401, 200, 403, 403, 403, 403]),
        Row("marketTrends", .get, "/v1/market/trends",                          [401, 401, 401, 200, 403, 403, 403, 403]),
        Row("marketShortages", .get, "/v1/market/shortages",                    [401, 401, 401, 200, 403, 403, 403, 403]),
        Row("marketCompetencies", .get, "/v1/market/competencies",              [401, 401, 401, 200, 403, 403, 403, 403]),
        Row("marketCourses", .get, "/v1/market/courses",                        [401, 401, 401, 200, 403, 403, 403, 403]),
        // Keys: the admin's.
        Row("createKey", .post, "/v1/keys", key,                                [401, 401, 401, 201, 403, 403, 403, 403]),
        Row("revokeKey", .delete, "/v1/keys/{spareKey}",                        [401, 401, 401, 204, 403, 403, 403, 403]),
        Row("revokeKey", .delete, "/v1/keys/key-missing",                       [401, 401, 401, 404, 403, 403, 403, 403]),
        // Talents: the owning seeker's and the admin's; a seeker creates its own once.
        Row("createTalent", .post, "/v1/talents", talent,                       [401, 401, 401, 201, 403, 403, 409, 201]),
        Row("getTalent", .get, "/v1/talents/tA",                                [401, 401, 401, 200, 403, 403, 200, 403]),
        Row("getTalent", .get, "/v1/talents/t-missing",                         [401, 401, 401, 404, 403, 403, 403, 403]),
        Row("updateTalent", .put, "/v1/talents/tA", talentUpdate,               [401, 401, 401, 200, 403, 403, 200, 403]),
        Row("deleteTalent", .delete, "/v1/talents/tA",                          [401, 401, 401, 204, 403, 403, 204, 403]),
        Row("exportTalent", .get, "/v1/talents/tA/export",                      [401, 401, 401, 200, 403, 403, 200, 403]),
        Row("matchJobs", .get, "/v1/talents/tA/matches",                        [401, 401, 401, 200, 403, 403, 200, 403]),
        Row("planCourses", .post, "/v1/talents/tA/plan", planJobA,              [401, 401, 401, 200, 403, 403, 200, 403]),
        Row("planCourses", .post, "/v1/talents/tA/plan", planMissing,           [401, 401, 401, 404, 403, 403, 404, 403]),
        // Postings: readable by any key, otherwise the owning employer's and the admin's.
        Row("listJobs", .get, "/v1/jobs",                                       [401, 401, 401, 200, 200, 200, 403, 403]),
        Row("listJobs", .get, "/v1/jobs?employerId=emp-a",                      [401, 401, 401, 200, 200, 403, 403, 403]),
        Row("createJob", .post, "/v1/jobs", job,                                [401, 401, 401, 201, 201, 403, 403, 403]),
        Row("getJob", .get, "/v1/jobs/jA",                                      [401, 401, 401, 200, 200, 200, 200, 200]),
        Row("getJob", .get, "/v1/jobs/j-missing",                               [401, 401, 401, 404, 404, 404, 404, 404]),
        Row("updateJob", .put, "/v1/jobs/jA", jobUpdate,                        [401, 401, 401, 200, 200, 403, 403, 403]),
        Row("updateJob", .put, "/v1/jobs/j-missing", jobUpdate,                 [401, 401, 401, 404, 404, 404, 404, 404]),
        Row("closeJob", .post, "/v1/jobs/jA/close",                             [401, 401, 401, 200, 200, 403, 403, 403]),
        Row("matchCandidates", .get, "/v1/jobs/jA/candidates",                  [401, 401, 401, 200, 200, 403, 403, 403]),
        Row("matchCandidates", .get, "/v1/jobs/j-missing/candidates",           [401, 401, 401, 404, 404, 404, 404, 404]),
        Row("relaxJob", .get, "/v1/jobs/jA/relaxations",                        [401, 401, 401, 200, 200, 403, 403, 403]),
        Row("relaxJob", .get, "/v1/jobs/j-missing/relaxations",                 [401, 401, 401, 404, 404, 404, 404, 404]),
        Row("createShortlist", .post, "/v1/shortlists", shortlistJobA,          [401, 401, 401, 200, 200, 403, 403, 403]),
        Row("createShortlist", .post, "/v1/shortlists", shortlistMissing,       [401, 401, 401, 404, 404, 404, 403, 403]),
        // Courses (writing) and imports: the admin's.
        Row("createCourse", .post, "/v1/courses", course,                       [401, 401, 401, 201, 403, 403, 403, 403]),
        Row("importRecords", .post, "/v1/import/talents", importLine,           [401, 401, 401, 200, 403, 403, 403, 403]),
        Row("getImport", .get, "/v1/imports/imp-missing",                       [401, 401, 401, 404, 403, 403, 403, 403]),
    ]
}

@Suite struct AuthorizationTableTests {
    @Test(arguments: AuthorizationTable.rows)
    func policy(_ row: AuthorizationRow) async throws {
        #expect(row.expected.count == Caller.allCases.count, "a row needs one status per caller")
        // Refusals change nothing, so they share one service; a success that writes gets a
        // fresh one, so that no cell sees another's effects.
        let isolated = Caller.allCases.filter { row.mutates && (200..<300).contains(row.expected(for: $0)) }
        try await TestService.run { api in
            for caller in Caller.allCases where !isolated.contains(caller) { try await check(row, as: caller, api) }
        }
        for caller in isolated {
            try await TestService.run { api in try await check(row, as: caller, api) }
        }
    }

    private func check(_ row: AuthorizationRow, as caller: Caller, _ api: API) async throws {
        let reply = try await row.send(api, as: caller)
        let expected = row.expected(for: caller)
        #expect(reply.status.code == expected, "\(row.operation) as \(caller): expected \(expected), got \(reply)")
        switch reply.status.code {
        case 401:
            let code: ErrorCode = caller == .anonymous ? .missingKey : .invalidKey
            #expect(reply.error?.code == code.rawValue, "\(row.operation) as \(caller): \(reply)")
            #expect(reply.headers[.wwwAuthenticate] == "Bearer")
        case 403:
            #expect(reply.error?.code == ErrorCode.forbidden.rawValue, "\(row.operation) as \(caller): \(reply)")
        default:
            break
        }
    }

    /// `AccessPolicy` has a rule for exactly the document's operations, and an operation is open
    /// exactly when the document gives it no `security`.
    @Test func thePolicyIsTheDocuments() {
        let operations = OpenAPIDocument.shared.operations
        #expect(Set(operations.map(\.id)) == Set(AccessPolicy.table.keys))
        for op in operations {
            #expect((AccessPolicy.table[op.id] == .open) == !op.secured, "\(op.id): \(String(describing: AccessPolicy.table[op.id]))")
        }
    }

    /// Every operation of `openapi.yaml` has a row, and every row names one.
    @Test func theTableCoversEveryOperation() {
        let operations = Set(OpenAPIDocument.shared.operations.map(\.id))
        let rows = Set(AuthorizationTable.rows.map(\.operation))
        #expect(operations == rows,
                "no row: \(operations.subtracting(rows).sorted()); no operation: \(rows.subtracting(operations).sorted())")
    }

    /// A malformed `Authorization` header is a bad key, not an anonymous call.
    @Test func aMalformedAuthorizationHeaderIsRefused() async throws {
        try await TestService.run { api in
            for header in ["Basic YWRtaW46YWRtaW4=", "Bearer", "mk_something"] {
                let reply = try await api.send(.get, "/v1/jobs", headers: [.authorization: header])
                #expect(reply.status == .unauthorized, "\(header): \(reply)")
                #expect(reply.error?.code == ErrorCode.invalidKey.rawValue, "\(header): \(reply)")
            }
        }
    }

    /// Revoking a key takes effect at once, even for a key that was just used (and cached).
    @Test func revocationIsImmediate() async throws {
        try await TestService.run { api in
            let created = try await api.post("/v1/keys", as: .admin, json: S.KeyRequest(role: .admin, name: "temporary"))
            #expect(created.status == .created)
            let key: S.KeyCreated = try created.decode()
            let headers: HTTPFields = [.authorization: "Bearer \(key.key)"]
            #expect(try await api.send(.get, "/v1/jobs", headers: headers).status == .ok)
            #expect(try await api.delete("/v1/keys/\(key.id)", as: .admin).status == .noContent)
            let after = try await api.send(.get, "/v1/jobs", headers: headers)
            #expect(after.status == .unauthorized)
            #expect(after.error?.code == ErrorCode.invalidKey.rawValue)
        }
    }
}
