import Embeddings
import Foundation
import HTTPTypes
import Matcher
import Testing
@testable import matchd

/// Bad input anywhere gets a 4xx JSON envelope with a stable code and a message or field naming
/// the problem, never a 500, and leaves nothing half-applied. (`ResponseChecks` also checks the
/// envelope and the documented status of every reply.)
@Suite struct ErrorTests {
    /// One bad request and what it must get.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method: HTTPRequest.Method
        var uri: String
        var caller: Caller
        var body: String?
        var contentType = "application/json"
        var status: HTTPResponse.Status
        var code: String
        /// The field the error must name, when it names one.
        var field: String?
        /// A fragment the message must contain.
        var message: String?

        var testDescription: String { name }
    }

    static let talent = #"{"displayName":"Zed","profile":{"skills":[{"competency":"prog.python","level":5}]}}"#

    static func course(mode: String, teaches: String) -> String {
        #"{"id":"course.x","title":{"zh":"X","en":"X"},"provider":{"type":"enterprise","name":"X"},"hours":1,"#
            + #""mode":"\#(mode)","teaches":\#(teaches)}"#
    }

    static let cases: [Case] = [
        // Bodies: malformed, wrong types, missing fields.
        Case(name: "malformed JSON", method: .post, uri: "/v1/talents", caller: .admin, body: #"{"displayName": "Zed", "#,
             status: .badRequest, code: "http.invalid_json", field: "body"),
        Case(name: "not an object", method: .post, uri: "/v1/talents", caller: .admin, body: "[1, 2]",
             status: .badRequest, code: "request.invalid_field"),
        Case(name: "a string where a number goes", method: .post, uri: "/v1/talents", caller: .admin,
             body: #"{"displayName":"Zed","level":"five","profile":{}}"#, status: .badRequest, code: "request.invalid_field", field: "level"),
        Case(name: "a number where a string goes", method: .post, uri: "/v1/talents", caller: .admin,
             body: #"{"displayName":5,"profile":{}}"#, status: .badRequest, code: "request.invalid_field", field: "displayName"),
        Case(name: "a nested wrong type", method: .post, uri: "/v1/talents", caller: .admin,
             body: #"{"displayName":"Zed","profile":{"skills":[{"competency":"prog.python","level":"high"}]}}"#,
             status: .badRequest, code: "request.invalid_field", field: "profile.skills[0].level"),
        Case(name: "a missing required field", method: .post, uri: "/v1/talents", caller: .admin, body: #"{"profile":{}}"#,
             status: .badRequest, code: "request.invalid_field", field: "displayName"),
        Case(name: "a missing required body", method: .post, uri: "/v1/talents", caller: .admin, body: nil,
             status: .badRequest, code: "http.bad_request"),
        Case(name: "a missing job title", method: .post, uri: "/v1/jobs", caller: .employerA, body: #"{"city":"上海"}"#,
             status: .badRequest, code: "request.invalid_field", field: "title"),
        Case(name: "an empty display name", method: .post, uri: "/v1/talents", caller: .admin,
             body: #"{"displayName":"  ","profile":{}}"#, status: .badRequest, code: "request.invalid_field", field: "displayName"),
        Case(name: "a bad record id", method: .post, uri: "/v1/talents", caller: .admin,
             body: #"{"id":"no spaces please","displayName":"Zed","profile":{}}"#, status: .badRequest, code: "request.invalid_field", field: "id"),
        Case(name: "salary min above max", method: .post, uri: "/v1/jobs", caller: .employerA,
             body: #"{"title":"Opening","salary":{"min":30000,"max":10000}}"#, status: .unprocessableContent, code: "request.unprocessable", field: "salary"),
        Case(name: "a level off the scale", method: .post, uri: "/v1/talents", caller: .admin,
             body: #"{"displayName":"Zed","level":9,"profile":{}}"#, status: .badRequest, code: "request.invalid_field", field: "level"),
        Case(name: "an admin posting for nobody", method: .post, uri: "/v1/jobs", caller: .admin,
             body: #"{"title":"Opening"}"#, status: .unprocessableContent, code: "request.unprocessable", field: "employerId"),
        Case(name: "an admin posting for an unknown employer", method: .post, uri: "/v1/jobs", caller: .admin,
             body: #"{"employerId":"emp-nobody","title":"Opening"}"#, status: .notFound, code: "record.not_found",
             message: "emp-nobody"),
        Case(name: "a wrong content type", method: .post, uri: "/v1/talents", caller: .admin, body: talent, contentType: "text/plain",
             status: .badRequest, code: "http.bad_request"),
        // Unknown ids of the model.
        Case(name: "an unknown competency in a profile", method: .post, uri: "/v1/talents", caller: .admin,
             body: #"{"displayName":"Zed","profile":{"skills":[{"competency":"prog.cobol-9000","level":5}]}}"#,
             status: .unprocessableContent, code: "embeddings.unknown_competency", field: "profile.skills[0].competency", message: "prog.cobol-9000"),
        Case(name: "an unknown competency in a posting", method: .post, uri: "/v1/jobs", caller: .employerA,
             body: #"{"title":"Opening","requirements":[{"competency":"prog.java","level":4},{"competency":"nope","level":4}]}"#,
             status: .unprocessableContent, code: "embeddings.unknown_competency", field: "requirements[1].competency", message: "nope"),
        Case(name: "an unknown certificate", method: .post, uri: "/v1/talents", caller: .admin,
             body: #"{"displayName":"Zed","profile":{"certificates":["cert.none"]}}"#,
             status: .unprocessableContent, code: "embeddings.unknown_certificate", message: "cert.none"),
        Case(name: "an unknown completed course", method: .post, uri: "/v1/match", caller: .anonymous,
             body: #"{"profile":{"completedCourses":["course.none"]}}"#,
             status: .unprocessableContent, code: "embeddings.unknown_course", field: "profile.completedCourses[0]"),
        Case(name: "an unknown desired post", method: .post, uri: "/v1/talents", caller: .admin,
             body: #"{"displayName":"Zed","desiredPosts":["9-99-99-99"],"profile":{}}"#,
             status: .unprocessableContent, code: "embeddings.unknown_post", field: "desiredPosts[0]"),
        Case(name: "an unknown competency filter", method: .get, uri: "/v1/courses?competency=nope", caller: .anonymous,
             status: .unprocessableContent, code: "embeddings.unknown_competency", field: "competency"),
        Case(name: "an unknown domain", method: .get, uri: "/v1/model/competencies?domain=cooking", caller: .anonymous,
             status: .unprocessableContent, code: "request.unprocessable", field: "domain"),
        Case(name: "an unknown post to plan for", method: .post, uri: "/v1/talents/tA/plan", caller: .seekerA,
             body: #"{"postCode":"9-99-99-99"}"#, status: .unprocessableContent, code: "embeddings.unknown_post", field: "postCode"),
        // Control characters: refused with their field, never stored cut at a NUL.
        Case(name: "a NUL in a path id", method: .get, uri: "/v1/talents/tA%00zzz", caller: .seekerA,
             status: .badRequest, code: "request.invalid_field", field: "path"),
        Case(name: "a NUL in a path id to update", method: .put, uri: "/v1/talents/tA%00evil", caller: .seekerA, body: talent,
             status: .badRequest, code: "request.invalid_field", field: "path"),
        Case(name: "a NUL in a display name", method: .put, uri: "/v1/talents/tA", caller: .seekerA,
             body: #"{"displayName":"a\u0000b","profile":{}}"#, status: .badRequest, code: "request.invalid_field", field: "displayName"),
        Case(name: "a control character deep in a profile", method: .post, uri: "/v1/match", caller: .anonymous,
             body: #"{"profile":{"skills":[{"competency":"prog.python\u0007","level":5}]}}"#,
             status: .badRequest, code: "request.invalid_field", field: "profile.skills[0].competency"),
        Case(name: "a NUL in a query value", method: .get, uri: "/v1/model/search?q=a%00b", caller: .anonymous,
             status: .badRequest, code: "request.invalid_field", field: "q"),
        // Explicit nulls: the document allows none, so none is read as "left out".
        Case(name: "a null cursor", method: .post, uri: "/v1/match", caller: .anonymous,
             body: #"{"profile":{},"k":1,"cursor":null}"#, status: .badRequest, code: "request.invalid_field", field: "cursor", message: "null"),
        Case(name: "a null profile text", method: .post, uri: "/v1/talents", caller: .admin,
             body: #"{"displayName":"Zed","profile":{"text":null}}"#, status: .badRequest, code: "request.invalid_field", field: "profile.text"),
        Case(name: "a null model version", method: .post, uri: "/v1/classify", caller: .anonymous,
             body: #"{"title":"电工","modelVersion":null}"#, status: .badRequest, code: "request.invalid_field", field: "modelVersion"),
        Case(name: "61 years of experience", method: .post, uri: "/v1/talents", caller: .admin,
             body: #"{"displayName":"Zed","profile":{"experience":[{"text":"Java","years":61}]}}"#,
             status: .badRequest, code: "embeddings.invalid_value", field: "profile.experience[0].years"),
        // The coder.
        Case(name: "an empty title to classify", method: .post, uri: "/v1/classify", caller: .anonymous,
             body: #"{"title":"  "}"#, status: .badRequest, code: "request.invalid_field", field: "title", message: "empty"),
        Case(name: "an over-long title to classify", method: .post, uri: "/v1/classify", caller: .anonymous,
             body: #"{"title":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#, status: .badRequest, code: "request.invalid_field", field: "title", message: "201"),
        Case(name: "a title that is not text", method: .post, uri: "/v1/classify", caller: .anonymous,
             body: #"{"title":42}"#, status: .badRequest, code: "request.invalid_field", field: "title"),
        Case(name: "an unknown model version to classify with", method: .post, uri: "/v1/classify", caller: .anonymous,
             body: #"{"title":"电工","modelVersion":99}"#, status: .unprocessableContent, code: "request.unprocessable", field: "modelVersion"),
        Case(name: "a candidate limit of 0", method: .post, uri: "/v1/classify", caller: .anonymous,
             body: #"{"title":"电工","limit":0}"#, status: .badRequest, code: "request.invalid_field", field: "limit"),
        Case(name: "an empty batch", method: .post, uri: "/v1/classify/batch", caller: .anonymous,
             body: #"{"items":[]}"#, status: .badRequest, code: "request.invalid_field", field: "items"),
        Case(name: "a batch of 1,001 titles", method: .post, uri: "/v1/classify/batch", caller: .anonymous,
             body: #"{"items":["# + Array(repeating: #"{"title":"电工"}"#, count: 1001).joined(separator: ",") + #"]}"#,
             status: .badRequest, code: "request.invalid_field", field: "items"),
        // Page sizes, cursors, limits.
        Case(name: "k = 0", method: .get, uri: "/v1/talents/tA/matches?k=0", caller: .seekerA,
             status: .badRequest, code: "request.invalid_field", field: "k"),
        Case(name: "k = 10001", method: .get, uri: "/v1/talents/tA/matches?k=10001", caller: .seekerA,
             status: .badRequest, code: "request.invalid_field", field: "k"),
        Case(name: "k = 0 for candidates", method: .get, uri: "/v1/jobs/jA/candidates?k=0", caller: .employerA,
             status: .badRequest, code: "request.invalid_field", field: "k"),
        Case(name: "k = 10001 for candidates", method: .get, uri: "/v1/jobs/jA/candidates?k=10001", caller: .employerA,
             status: .badRequest, code: "request.invalid_field", field: "k"),
        Case(name: "k = 0 anonymously", method: .post, uri: "/v1/match", caller: .anonymous,
             body: #"{"profile":{},"k":0}"#, status: .badRequest, code: "request.invalid_field", field: "k"),
        Case(name: "k = 51 for a shortlist", method: .post, uri: "/v1/shortlists", caller: .employerA,
             body: #"{"jobIds":["jA"],"k":51}"#, status: .badRequest, code: "request.invalid_field", field: "k"),
        Case(name: "k is not a number", method: .get, uri: "/v1/talents/tA/matches?k=ten", caller: .seekerA,
             status: .badRequest, code: "request.invalid_field", field: "k"),
        Case(name: "a cursor this server never issued", method: .get, uri: "/v1/talents/tA/matches?cursor=bm90LWEtY3Vyc29y", caller: .seekerA,
             status: .unprocessableContent, code: "request.invalid_cursor", field: "cursor"),
        Case(name: "a cursor that is not base64", method: .get, uri: "/v1/jobs/jA/candidates?cursor=%25%25%25", caller: .employerA,
             status: .unprocessableContent, code: "request.invalid_cursor", field: "cursor"),
        Case(name: "a forged cursor score", method: .post, uri: "/v1/match", caller: .anonymous,
             body: #"{"profile":{},"cursor":"djEuenp6LmpB"}"#, status: .unprocessableContent, code: "request.invalid_cursor", field: "cursor"),
        Case(name: "limit = 0", method: .get, uri: "/v1/model/posts?limit=0", caller: .anonymous,
             status: .badRequest, code: "request.invalid_field", field: "limit"),
        Case(name: "limit = 201", method: .get, uri: "/v1/model/competencies?limit=201", caller: .anonymous,
             status: .badRequest, code: "request.invalid_field", field: "limit"),
        Case(name: "offset < 0", method: .get, uri: "/v1/courses?offset=-1", caller: .anonymous,
             status: .badRequest, code: "request.invalid_field", field: "offset"),
        Case(name: "an empty search", method: .get, uri: "/v1/model/search?q=%20", caller: .anonymous,
             status: .badRequest, code: "request.invalid_field", field: "q"),
        Case(name: "a search without q", method: .get, uri: "/v1/model/search", caller: .anonymous,
             status: .badRequest, code: "http.bad_request", message: "q"),
        Case(name: "an unknown job status", method: .get, uri: "/v1/jobs?status=paused", caller: .employerA,
             status: .badRequest, code: "request.invalid_field", field: "status", message: "paused"),
        Case(name: "an empty wage grouping", method: .get, uri: "/v1/market/wages?groupBy=", caller: .admin,
             status: .badRequest, code: "request.invalid_field", field: "groupBy"),
        Case(name: "an empty item of a wage grouping", method: .get, uri: "/v1/market/wages?groupBy=occupation,,city", caller: .admin,
             status: .badRequest, code: "request.invalid_field", field: "groupBy[1]"),
        Case(name: "an unknown wage dimension", method: .get, uri: "/v1/market/wages?groupBy=occupation,sex", caller: .admin,
             status: .badRequest, code: "request.invalid_field", field: "groupBy[1]"),
        Case(name: "a day no calendar has", method: .post, uri: "/v1/jobs", caller: .employerA,
             body: #"{"title":"Opening","postedAt":"2024-02-30T08:00:00Z"}"#, status: .badRequest, code: "request.invalid_field",
             field: "postedAt"),
        Case(name: "a negative salary filter", method: .get, uri: "/v1/talents/tA/matches?salaryMin=-5", caller: .seekerA,
             status: .badRequest, code: "request.invalid_field", field: "salaryMin"),
        Case(name: "a level filter off the scale", method: .get, uri: "/v1/talents/tA/matches?level=0", caller: .seekerA,
             status: .badRequest, code: "request.invalid_field", field: "level"),
        Case(name: "extraction text too long", method: .post, uri: "/v1/extract", caller: .anonymous,
             body: #"{"text":"\#(String(repeating: "熟", count: 20_001))"}"#, status: .badRequest, code: "request.invalid_field", field: "text"),
        // Plans and shortlists.
        Case(name: "a plan with both targets", method: .post, uri: "/v1/talents/tA/plan", caller: .seekerA,
             body: #"{"jobId":"jA","postCode":"2-02-38-01"}"#, status: .unprocessableContent, code: "request.unprocessable", field: "jobId"),
        Case(name: "a plan with no target", method: .post, uri: "/v1/talents/tA/plan", caller: .seekerA,
             body: "{}", status: .unprocessableContent, code: "request.unprocessable", field: "jobId"),
        Case(name: "a plan threshold above 1", method: .post, uri: "/v1/talents/tA/plan", caller: .seekerA,
             body: #"{"jobId":"jA","threshold":1.5}"#, status: .badRequest, code: "request.invalid_field", field: "threshold"),
        Case(name: "too many courses", method: .post, uri: "/v1/talents/tA/plan", caller: .seekerA,
             body: #"{"jobId":"jA","maxCourses":21}"#, status: .badRequest, code: "request.invalid_field", field: "maxCourses"),
        Case(name: "a shortlist without postings", method: .post, uri: "/v1/shortlists", caller: .employerA,
             body: #"{"jobIds":[]}"#, status: .badRequest, code: "request.invalid_field", field: "jobIds"),
        Case(name: "a shortlist repeating a posting", method: .post, uri: "/v1/shortlists", caller: .employerA,
             body: #"{"jobIds":["jA","jA"]}"#, status: .badRequest, code: "request.invalid_field", field: "jobIds"),
        Case(name: "a shortlist with an unknown posting", method: .post, uri: "/v1/shortlists", caller: .employerA,
             body: #"{"jobIds":["jA","j-missing"]}"#, status: .notFound, code: "record.not_found", message: "j-missing"),
        // Keys, records.
        Case(name: "an unknown role", method: .post, uri: "/v1/keys", caller: .admin, body: #"{"role":"root","name":"X"}"#,
             status: .badRequest, code: "request.invalid_field", field: "role"),
        Case(name: "an employer key for an unknown employer", method: .post, uri: "/v1/keys", caller: .admin,
             body: #"{"role":"employer","name":"X","employerId":"emp-nobody"}"#, status: .notFound, code: "record.not_found"),
        Case(name: "a seeker key owning an employer", method: .post, uri: "/v1/keys", caller: .admin,
             body: #"{"role":"seeker","name":"X","employerId":"emp-a"}"#, status: .unprocessableContent, code: "request.unprocessable", field: "employerId"),
        Case(name: "a second profile for one seeker", method: .post, uri: "/v1/talents", caller: .seekerA, body: talent,
             status: .conflict, code: "talent.already_exists", message: "tA"),
        Case(name: "a résumé text over the documented 20,000 characters", method: .post, uri: "/v1/talents", caller: .admin,
             body: #"{"id":"t-long","displayName":"Zed","profile":{"text":""# + String(repeating: "熟", count: 20001) + #""}}"#,
             status: .badRequest, code: "request.invalid_field", field: "profile.text", message: "at most 20000"),
        Case(name: "a posting title over 200 characters", method: .post, uri: "/v1/jobs", caller: .employerA,
             body: #"{"title":""# + String(repeating: "x", count: 201) + #""}"#,
             status: .badRequest, code: "request.invalid_field", field: "title"),
        Case(name: "an offset beyond the documented maximum", method: .get, uri: "/v1/jobs?offset=2147483648", caller: .admin,
             status: .badRequest, code: "request.invalid_field", field: "offset"),
        Case(name: "a talent id taken", method: .post, uri: "/v1/talents", caller: .admin,
             body: #"{"id":"tA","displayName":"Zed","profile":{}}"#, status: .conflict, code: "record.conflict", message: "tA"),
        Case(name: "a posting id taken", method: .post, uri: "/v1/jobs", caller: .employerA,
             body: #"{"id":"jA","title":"Opening"}"#, status: .conflict, code: "record.conflict", message: "jA"),
        Case(name: "a body id that is not the path's", method: .put, uri: "/v1/talents/tA", caller: .seekerA,
             body: #"{"id":"tB","displayName":"Zed","profile":{}}"#, status: .unprocessableContent, code: "request.unprocessable", field: "id"),
        Case(name: "a posting moving employer", method: .put, uri: "/v1/jobs/jA", caller: .admin,
             body: #"{"employerId":"emp-b","title":"Opening"}"#, status: .unprocessableContent, code: "request.unprocessable", field: "employerId"),
        Case(name: "an unknown model post", method: .get, uri: "/v1/model/posts/9-99-99-99", caller: .anonymous,
             status: .notFound, code: "record.not_found", message: "9-99-99-99"),
        Case(name: "an unknown competency", method: .get, uri: "/v1/model/competencies/nope", caller: .anonymous,
             status: .notFound, code: "record.not_found", message: "nope"),
        Case(name: "an unknown course", method: .get, uri: "/v1/courses/course.none", caller: .anonymous,
             status: .notFound, code: "record.not_found", message: "course.none"),
        Case(name: "a course in an unknown mode", method: .post, uri: "/v1/courses", caller: .admin,
             body: course(mode: "telepathy", teaches: "[]"),
             status: .badRequest, code: "request.invalid_field", field: "mode"),
        Case(name: "a course from an unknown kind of provider", method: .post, uri: "/v1/courses", caller: .admin,
             body: course(mode: "online", teaches: "[]").replacingOccurrences(of: #""type":"enterprise""#, with: #""type":"guild""#),
             status: .badRequest, code: "request.invalid_field", field: "provider.type"),
        Case(name: "a course teaching an unknown competency", method: .post, uri: "/v1/courses", caller: .admin,
             body: course(mode: "online", teaches: #"[{"competency":"nope","level":3}]"#),
             status: .unprocessableContent, code: "request.unprocessable", message: "nope"),
        // Routes.
        Case(name: "an unknown route", method: .get, uri: "/v1/nothing-here", caller: .anonymous,
             status: .notFound, code: "http.not_found"),
        Case(name: "an unknown route with a key", method: .post, uri: "/v2/talents", caller: .admin, body: "{}",
             status: .notFound, code: "http.not_found"),
        Case(name: "a wrong method", method: .delete, uri: "/v1/jobs", caller: .admin,
             status: .methodNotAllowed, code: "http.method_not_allowed", message: "GET"),
        Case(name: "a wrong method on a parameterised path", method: .patch, uri: "/v1/talents/tA", caller: .admin, body: "{}",
             status: .methodNotAllowed, code: "http.method_not_allowed"),
        Case(name: "an over-long query parameter", method: .get, uri: "/v1/model/search?q=" + String(repeating: "a", count: 201),
             caller: .anonymous, status: .badRequest, code: "request.invalid_field", field: "q", message: "at most 200"),
        Case(name: "an anonymous plan with a bad body is 401 first", method: .post, uri: "/v1/talents/tA/plan", caller: .anonymous,
             body: "{}", status: .unauthorized, code: "auth.missing_key"),
        Case(name: "an import without a body", method: .post, uri: "/v1/import/talents", caller: .admin, body: "",
             contentType: "application/x-ndjson", status: .badRequest, code: "request.invalid_field", field: "body"),
        Case(name: "an overflowing number names its parameter, not another string one", method: .get,
             uri: "/v1/jobs?status=closed&offset=332113191568566910976", caller: .admin,
             status: .badRequest, code: "request.invalid_field", field: "offset"),
        Case(name: "an unknown import kind", method: .post, uri: "/v1/import/widgets", caller: .admin, body: "{}\n",
             contentType: "application/x-ndjson", status: .badRequest, code: "http.bad_request", message: "widgets"),
    ]

    /// All cases run against one service, in order: none may change it, so none affects the next.
    @Test func everyBadRequestIsRefusedWithItsCode() async throws {
        try await TestService.run { api in
            let before: S.Health = try await api.get("/healthz").decode()
            for c in Self.cases {
                let reply = try await api.send(c.method, c.uri, as: c.caller, body: c.body.map { Data($0.utf8) },
                                               contentType: c.contentType)
                Self.check(reply, against: c)
            }
            let after: S.Health = try await api.get("/healthz").decode()
            #expect(after.counts.talents == before.counts.talents && after.counts.jobs == before.counts.jobs)
        }
    }

    static func check(_ reply: Reply, against c: Case) {
        #expect(reply.status == c.status, "\(c.name): \(reply)")
        guard let error = reply.error else {
            Issue.record("\(c.name): no error envelope: \(reply)")
            return
        }
        #expect(error.code == c.code, "\(c.name): \(reply)")
        if let field = c.field { #expect(error.field == field, "\(c.name): \(reply)") }
        if let fragment = c.message { #expect(error.message.contains(fragment), "\(c.name): the message names \(fragment): \(reply)") }
        #expect(error.requestId != nil && reply.headers[HTTPField.Name("x-request-id")!] == error.requestId, "\(c.name)")
    }

    /// RFC 9110: a 405 lists the methods the path serves in `Allow`, for every method the
    /// path does not serve (TRACE and OPTIONS too), not only the common ones.
    @Test func aWrongMethodNamesTheAllowedOnes() async throws {
        try await TestService.run { api in
            for method in [HTTPRequest.Method.delete, .trace, .options, .patch] {
                let reply = try await api.send(method, "/v1/jobs", as: .admin, body: nil, contentType: nil)
                #expect(reply.status == .methodNotAllowed, "\(method): \(reply)")
                #expect(reply.headers[.allow] == "GET, POST", "\(method): \(reply)")
            }
            let onItem = try await api.send(.post, "/v1/talents/tA", as: .admin, body: nil, contentType: nil)
            #expect(onItem.headers[.allow] == "DELETE, GET, PUT", "\(onItem)")
        }
    }

    // MARK: Body limits

    @Test func anOversizedBodyIs413() async throws {
        try await TestService.run(configure: { $0.maxBodyBytes = 1024; $0.maxImportBytes = 4096 }) { api in
            let text = String(repeating: "Python ", count: 300)
            let reply = try await api.post("/v1/extract", json: S.ExtractRequest(text: text))
            #expect(reply.status == .contentTooLarge)
            #expect(reply.error?.code == ErrorCode.payloadTooLarge.rawValue && reply.error?.field == "body", "\(reply)")
            // Just under the limit is fine.
            let small = try await api.post("/v1/extract", json: S.ExtractRequest(text: String(repeating: "Python ", count: 100)))
            #expect(small.status == .ok)

            let talent = Samples.talent("t-big", name: "Big", skills: [("prog.python", 5)])
            var big = talent
            big.profile.text = String(repeating: "熟悉Python。", count: 200)
            let refused = try await api.post("/v1/talents", as: .admin, json: big)
            #expect(refused.status == .contentTooLarge)
            #expect(try await api.get("/v1/talents/t-big", as: .admin).status == .notFound)

            // Every route that takes a body refuses an oversized one before anything else.
            let padded = Data(("{" + String(repeating: " ", count: 5000) + "}").utf8)
            for op in OpenAPIDocument.shared.operations where op.hasRequestBody {
                let uri = op.path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "x", options: .regularExpression)
                let reply = try await api.send(op.method, uri, as: .admin, body: padded)
                #expect(reply.status == .contentTooLarge && reply.error?.code == ErrorCode.payloadTooLarge.rawValue, "\(reply)")
            }

            let lines = (0..<40).map { i in try! jsonLine(Samples.talent("t-\(i)", name: "N\(i)", skills: [("prog.python", 5)])) }
            let tooMuch = try await api.importLines("talents", lines)
            #expect(tooMuch.status == .contentTooLarge && tooMuch.error?.code == ErrorCode.payloadTooLarge.rawValue, "\(tooMuch)")
            #expect(try await api.get("/v1/talents/t-0", as: .admin).status == .notFound, "nothing of a refused import is stored")
        }
    }

    // MARK: Nothing half-applied

    @Test func aRefusedUpdateLeavesTheRecordUnchanged() async throws {
        try await TestService.run { api in
            let talentBefore: S.Talent = try await api.get("/v1/talents/tA", as: .seekerA).decode()
            var bad = Samples.talentA
            bad.displayName = "Changed"
            bad.profile = Samples.profile([("prog.python", 7), ("nope.nothing", 3)])
            let refused = try await api.put("/v1/talents/tA", as: .seekerA, json: bad)
            #expect(refused.status == .unprocessableContent && refused.error?.field == "profile.skills[1].competency", "\(refused)")
            #expect(try await api.get("/v1/talents/tA", as: .seekerA).decode(S.Talent.self) == talentBefore)

            let jobBefore: S.Job = try await api.get("/v1/jobs/jA", as: .employerA).decode()
            var biased = Samples.jobA
            biased.title = "Opening A, changed"
            biased.description = "限女性"
            let refusedJob = try await api.put("/v1/jobs/jA", as: .employerA, json: biased)
            #expect(refusedJob.status == .unprocessableContent && refusedJob.error?.code == ErrorCode.protectedAttribute.rawValue)
            #expect(try await api.get("/v1/jobs/jA", as: .employerA).decode(S.Job.self) == jobBefore)

            // Neither the catalogs: the posting still matches, the talent is still a candidate, as before.
            let matches: S.JobMatchPage = try await api.get("/v1/talents/tA/matches", as: .seekerA).decode()
            #expect(matches.items.map(\.job.id) == [TestService.jobA])
            #expect(matches.items.allSatisfy { abs($0.score - 1) < 1e-9 })
            let candidates: S.CandidatePage = try await api.get("/v1/jobs/jA/candidates", as: .employerA).decode()
            #expect(candidates.items.map(\.talent.id) == ["tA"])
        }
    }

    @Test func aRefusedCreateStoresNothing() async throws {
        try await TestService.run { api in
            let before: S.Health = try await api.get("/healthz").decode()
            for body in [#"{"id":"t-x","displayName":"X","profile":{"skills":[{"competency":"nope","level":3}]}}"#,
                         #"{"id":"t-x","displayName":"X","level":12,"profile":{}}"#] {
                #expect([400, 422].contains(try await api.send(.post, "/v1/talents", as: .admin, raw: body).status.code))
            }
            for body in [#"{"id":"j-x","title":"Opening","description":"35岁以下"}"#,
                         #"{"id":"j-x","title":"Opening","requirements":[{"competency":"prog.java","weight":-1}]}"#] {
                #expect(try await api.send(.post, "/v1/jobs", as: .employerA, raw: body).status.code >= 400)
            }
            let after: S.Health = try await api.get("/healthz").decode()
            #expect(after.counts.talents == before.counts.talents && after.counts.jobs == before.counts.jobs)
            #expect(try await api.get("/v1/talents/t-x", as: .admin).status == .notFound)
            #expect(try await api.get("/v1/jobs/j-x", as: .admin).status == .notFound)
        }
    }

    @Test func aRefusedShortlistOrPlanChangesNothing() async throws {
        try await TestService.run { api in
            let before: S.Health = try await api.get("/healthz").decode()
            #expect(try await api.send(.post, "/v1/shortlists", as: .employerB, raw: #"{"jobIds":["jA"]}"#).status == .forbidden)
            #expect(try await api.send(.post, "/v1/jobs/jA/close", as: .employerB).status == .forbidden)
            #expect(try await api.get("/v1/jobs/jA", as: .employerA).decode(S.Job.self).status == .open)
            let after: S.Health = try await api.get("/healthz").decode()
            #expect(after.counts.openJobs == before.counts.openJobs)
        }
    }

    // MARK: Codes

    /// Every code a journey can raise (the libraries' aside) is one of `ErrorCode`.
    @Test func serviceErrorCodesAreListed() {
        let errors: [ServiceError] = [
            .notFound(kind: "talent", id: "x"), .conflict(kind: "job", id: "x"), .invalid(field: "f", message: "m"),
            .invalidCursor, .protectedAttribute(findings: []), .talentExists(keyTalentID: "x"), .missingKey, .invalidKey,
            .forbidden("no"),
        ]
        for e in errors { #expect(ErrorCode(rawValue: e.code) != nil, "\(e.code)") }
        for e in errors { #expect(APIError.from(e).status.code < 500, "\(e)") }
    }

    /// `ServiceError` wraps any `EmbeddingsError` and `MatcherError`: every case of both has its
    /// code in `ErrorCode`, and the envelope carries it. `arm` switches exhaustively, so a new
    /// case does not compile until it is numbered, and then fails until it is sampled here.
    @Test func libraryErrorCodesAreListed() {
        let embeddings: [EmbeddingsError] = [
            .invalidModel(problems: []), .io(path: "p", message: "m"), .unknownCompetency(field: "f", id: "x"),
            .unknownCertificate(field: "f", id: "x"), .unknownCourse(field: "f", id: "x"), .unknownPost(field: "f", id: "x"),
            .invalidValue(field: "f", message: "m"), .latentSpace(message: "m"), .invalidESCO(file: "f", line: 1, message: "m"),
        ]
        func arm(_ e: EmbeddingsError) -> Int {
            switch e {
            case .invalidModel: 0
            case .io: 1
            case .unknownCompetency: 2
            case .unknownCertificate: 3
            case .unknownCourse: 4
            case .unknownPost: 5
            case .invalidValue: 6
            case .latentSpace: 7
            case .invalidESCO: 8
            }
        }
        #expect(Set(embeddings.map(arm)) == Set(0..<9))
        let matcher: [MatcherError] = [
            .dimensionMismatch(field: "f", expected: 1, actual: 2), .invalidDimension(0), .nonFiniteValue(field: "f", position: 0),
            .zeroVector(field: "f"), .duplicateID(id: 1, firstIndex: 0, secondIndex: 1), .invalidK(0),
            .filterMismatch(expectedRows: 1, actualRows: 2), .invalidShape("s"), .lapackFailure(routine: "r", info: 1),
            .io(path: "p", operation: "o", errno: 1), .fileTruncated(path: "p", expectedBytes: 2, actualBytes: 1),
            .fileCorrupt(path: "p", reason: "r"), .unsupportedFileVersion(path: "p", found: 9, supported: 2),
        ]
        func arm(_ e: MatcherError) -> Int {
            switch e {
            case .dimensionMismatch: 0
            case .invalidDimension: 1
            case .nonFiniteValue: 2
            case .zeroVector: 3
            case .duplicateID: 4
            case .invalidK: 5
            case .filterMismatch: 6
            case .invalidShape: 7
            case .lapackFailure: 8
            case .io: 9
            case .fileTruncated: 10
            case .fileCorrupt: 11
            case .unsupportedFileVersion: 12
            }
        }
        #expect(Set(matcher.map(arm)) == Set(0..<13))
        let wrapped = embeddings.map(ServiceError.embeddings) + matcher.map(ServiceError.matcher)
        for e in wrapped {
            #expect(ErrorCode(rawValue: e.code) != nil, "\(e.code) is not in ErrorCode")
            #expect(APIError.from(e).code == e.code)
        }
        #expect(Set(wrapped.map(\.code)).count == wrapped.count, "two cases share a code")
    }
}
