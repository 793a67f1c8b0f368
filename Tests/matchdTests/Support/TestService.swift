import Embeddings
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import TestSupport
import Testing
@testable import matchd

// MARK: - Callers

/// Who sends a request: nobody, a key the service never issued, a revoked key, or one of the keys
/// every `TestService` creates. "A" owns the seeded records (employer A owns posting `jA`, seeker
/// A owns talent `tA`); "B" is the same role owning something else.
enum Caller: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case anonymous, invalidKey, revokedKey, admin, employerA, employerB, seekerA, seekerB

    var testDescription: String { rawValue }
}

// MARK: - The service under test

/// A matchd engine over a fresh temporary data directory, with keys for every role, the router
/// `serve` uses, and an in-process client (`app.test(.router)`).
///
/// The served model (`models/cn-digital-2022/v2`) and its latent space are loaded once per test
/// process and shared; every service has its own store, catalogs and keys, so tests run in
/// parallel and share no records.
struct TestService: Sendable {
    static let employerA = "emp-a"
    static let employerB = "emp-b"
    /// The talent seeker A's key owns; seeded with a profile.
    static let talentA = "tA"
    /// The talent seeker B's key reserves; not created.
    static let talentB = "tB"
    /// Employer A's seeded open posting.
    static let jobA = "jA"

    struct Keys: Sendable {
        var admin: String
        var employerA: String
        var employerB: String
        var seekerA: String
        var seekerB: String
        /// An admin key, revoked.
        var revoked: String
        /// The id of a live key nobody uses (a target for revocation).
        var spareID: String
    }

    let engine: Engine
    let directory: URL
    let keys: Keys

    /// The bearer key a caller sends, if any.
    func key(for caller: Caller) -> String? {
        switch caller {
        case .anonymous: nil
        case .invalidKey: "mk_this-key-was-never-issued"
        case .revokedKey: keys.revoked
        case .admin: keys.admin
        case .employerA: keys.employerA
        case .employerB: keys.employerB
        case .seekerA: keys.seekerA
        case .seekerB: keys.seekerB
        }
    }

    /// The identity behind a caller's key, for calling journeys directly.
    func identity(_ caller: Caller) async throws -> Identity {
        guard let key = key(for: caller) else { return .anonymous }
        return try await engine.authenticate(key: key)
    }

    /// Runs `body` against a fresh service, then removes its data directory.
    /// - Parameters:
    ///   - seed: create talent `tA` (seeker A's, searchable) and posting `jA` (employer A's).
    ///   - coldStart: start the engine with `Engine.start` (model loaded from disk) instead of
    ///     reusing the process's shared model.
    ///   - configure: changes to the configuration (e.g. a small `maxBodyBytes`).
    static func run<T: Sendable>(seed: Bool = true, coldStart: Bool = false,
                                 configure: @Sendable (inout MatchdConfig) -> Void = { _ in },
                                 _ body: @Sendable (API) async throws -> T) async throws -> T {
        let directory = try Fixtures.temporaryDirectory("matchd-http")
        defer { try? FileManager.default.removeItem(at: directory) }
        var config = MatchdConfig()
        config.dataDirectory = directory
        config.modelDirectory = MatchdConfig.bundledModel
        configure(&config)
        let engine: Engine
        if coldStart {
            engine = try await Engine.start(config: config, logger: testLogger)
        } else {
            let shared = try await SharedModel.value
            engine = try Engine(config: config, model: shared.model, latent: shared.latent,
                                store: try Store.open(directory: directory), modelFingerprint: shared.fingerprint)
            try await engine.rebuildCatalogs(logger: testLogger)
        }
        let service = TestService(engine: engine, directory: directory, keys: try await makeKeys(engine))
        if seed { try await service.seed() }
        let app = Application(router: try buildRouter(engine: engine), logger: testLogger)
        return try await app.test(.router) { client in
            try await body(API(service: service, client: client))
        }
    }

    private static func makeKeys(_ engine: Engine) async throws -> Keys {
        func key(_ request: KeyRequest) async throws -> (key: String, id: String) {
            let (key, record) = try await engine.createKey(request)
            return (key, record.id)
        }
        try await engine.createEmployer(id: employerA, name: "Employer A")
        try await engine.createEmployer(id: employerB, name: "Employer B")
        let admin = try await key(KeyRequest(role: .admin, name: "platform"))
        let revoked = try await key(KeyRequest(role: .admin, name: "former admin"))
        let spare = try await key(KeyRequest(role: .seeker, name: "spare"))
        let adminIdentity = try await engine.authenticate(key: admin.key)
        try await engine.revokeKey(id: revoked.id)
        return Keys(admin: admin.key,
                    employerA: try await key(KeyRequest(role: .employer, name: "Employer A", employerID: employerA)).key,
                    employerB: try await key(KeyRequest(role: .employer, name: "Employer B", employerID: employerB)).key,
                    seekerA: try await key(KeyRequest(role: .seeker, name: "Seeker A", talentID: talentA)).key,
                    seekerB: try await key(KeyRequest(role: .seeker, name: "Seeker B", talentID: talentB)).key,
                    revoked: revoked.key, spareID: spare.id)
    }

    /// Talent `tA` and posting `jA`, created through the journeys with their owners' keys.
    private func seed() async throws {
        _ = try await engine.createTalent(TalentDraft(Samples.talentA), by: try await identity(.seekerA))
        _ = try await engine.createJob(JobDraft(Samples.jobA), by: try await identity(.employerA))
    }
}

/// Quiet: request logs are info; 5xx errors still show.
let testLogger: Logger = {
    var logger = Logger(label: "matchd.tests")
    logger.logLevel = .error
    return logger
}()

/// The bundled model, its latent space and fingerprint, loaded once per test process.
enum SharedModel {
    struct Loaded: Sendable {
        var model: CompetencyModel
        var latent: LatentSpace
        var fingerprint: String
    }

    private static let task = Task { () throws -> Loaded in
        let directory = MatchdConfig.bundledModel
        let model = try CompetencyModel.load(from: directory)
        return Loaded(model: model, latent: try LatentSpace.build(model: model, rank: MatchdConfig().latentRank),
                      fingerprint: try Engine.fingerprint(of: directory))
    }

    static var value: Loaded {
        get async throws { try await task.value }
    }
}

// MARK: - Sample records

/// Small, hand-checkable records over competencies of the bundled model.
enum Samples {
    /// Seeker A's profile: Python 6 and MySQL 4 (both verified, so capabilities equal the levels),
    /// in 上海, consenting to be found, with contact details.
    static let talentA = S.TalentInput(
        id: TestService.talentA, displayName: "Ada", contact: .init(email: "ada@example.invalid", phone: "+86 000 0000 0001"),
        city: "上海", desiredCities: ["上海"], desiredPosts: [], salary: .init(min: 20_000, max: 30_000), level: 5,
        searchable: true,
        profile: profile([("prog.python", 6), ("data.mysql", 4)]))

    /// Employer A's posting in 上海: Python 5 only, so Ada fits it fully.
    static let jobA = S.JobInput(id: TestService.jobA, title: "Opening A", city: "上海", salary: .init(min: 15_000, max: 25_000),
                                 requirements: [.init(competency: "prog.python", level: 5)])

    /// A fully specified profile (every list present, `verified` explicit) so that it reads back equal.
    static func profile(_ skills: [(String, Int)], verified: Bool = true) -> S.ProfileInput {
        S.ProfileInput(skills: skills.map { .init(competency: $0.0, level: $0.1, verified: verified) },
                       certificates: [], experience: [], completedCourses: [], text: nil)
    }

    static func talent(_ id: String?, name: String, city: String? = nil, searchable: Bool = true,
                       skills: [(String, Int)], contact: Bool = true) -> S.TalentInput {
        S.TalentInput(id: id, displayName: name,
                      contact: contact ? .init(email: "\(name.lowercased())@example.invalid", phone: "+86 000 0000 0000") : nil,
                      city: city, desiredCities: city.map { [$0] } ?? [], desiredPosts: [], salary: nil, level: nil,
                      searchable: searchable, profile: profile(skills))
    }

    static func job(_ id: String?, title: String, employer: String? = nil, city: String? = nil,
                    requirements: [(String, Int)]) -> S.JobInput {
        S.JobInput(id: id, employerId: employer, title: title, city: city,
                   requirements: requirements.map { .init(competency: $0.0, level: $0.1) })
    }
}

// MARK: - Requests and replies

/// One answer of the service: status, headers and body, with decoding helpers.
struct Reply: Sendable, CustomStringConvertible {
    var method: HTTPRequest.Method
    var uri: String
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: Data

    /// The body as `T` (dates are ISO 8601, as the API writes them).
    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: body)
        } catch {
            throw DecodeFailure(reply: self, type: "\(T.self)", error: "\(error)")
        }
    }

    /// The error envelope's payload, when the body is one.
    var error: ErrorBody.Payload? { try? JSONDecoder().decode(ErrorBody.self, from: body).error }

    /// Every object key anywhere in the JSON body (for "never contains" checks).
    var allKeys: Set<String> {
        guard let json = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else { return [] }
        var keys = Set<String>()
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                for (k, v) in object { keys.insert(k); walk(v) }
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(json)
        return keys
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    var description: String { "\(method) \(uri) → \(status.code) \(text.prefix(600))" }

    struct DecodeFailure: Error, CustomStringConvertible {
        var reply: Reply
        var type: String
        var error: String
        var description: String { "cannot decode \(type) from \(reply): \(error)" }
    }
}

/// A client bound to one `TestService`. Every reply passes through `ResponseChecks` (no 5xx;
/// every 4xx is a JSON envelope with a listed code; every status is one `openapi.yaml`
/// documents for the operation) and is recorded for `OpenAPIDocumentTests`.
struct API: Sendable {
    let service: TestService
    let client: any TestClientProtocol

    var engine: Engine { service.engine }

    /// Sends a request. `body` is sent as is with `contentType`.
    func send(_ method: HTTPRequest.Method, _ uri: String, as caller: Caller = .anonymous, body: Data? = nil,
              contentType: String? = "application/json", headers extra: HTTPFields = [:],
              sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
        var headers = extra
        if let key = service.key(for: caller) { headers[.authorization] = "Bearer \(key)" }
        if body != nil, let contentType { headers[.contentType] = contentType }
        let response = try await client.execute(uri: uri, method: method, headers: headers,
                                                body: body.map { ByteBuffer(bytes: $0) })
        let reply = Reply(method: method, uri: uri, status: response.status, headers: response.headers,
                          body: Data(response.body.readableBytesView))
        Observations.record(reply)
        for problem in ResponseChecks.problems(in: reply) {
            Issue.record("\(problem)\n  \(reply)", sourceLocation: sourceLocation)
        }
        return reply
    }

    func get(_ uri: String, as caller: Caller = .anonymous,
             sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
        try await send(.get, uri, as: caller, sourceLocation: sourceLocation)
    }

    func delete(_ uri: String, as caller: Caller = .anonymous,
                sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
        try await send(.delete, uri, as: caller, sourceLocation: sourceLocation)
    }

    func post(_ uri: String, as caller: Caller = .anonymous, json: some Encodable,
              sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
        try await send(.post, uri, as: caller, body: try Self.encode(json), sourceLocation: sourceLocation)
    }

    func put(_ uri: String, as caller: Caller = .anonymous, json: some Encodable,
             sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
        try await send(.put, uri, as: caller, body: try Self.encode(json), sourceLocation: sourceLocation)
    }

    /// Sends `text` as the body verbatim (malformed JSON, NDJSON).
    func send(_ method: HTTPRequest.Method, _ uri: String, as caller: Caller = .anonymous, raw text: String,
              contentType: String = "application/json", sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
        try await send(method, uri, as: caller, body: Data(text.utf8), contentType: contentType, sourceLocation: sourceLocation)
    }

    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    // Typed shortcuts for the records most tests need.

    func createTalent(_ input: S.TalentInput, as caller: Caller = .admin,
                      sourceLocation: SourceLocation = #_sourceLocation) async throws -> S.Talent {
        let reply = try await post("/v1/talents", as: caller, json: input, sourceLocation: sourceLocation)
        #expect(reply.status == .created, "\(reply)", sourceLocation: sourceLocation)
        return try reply.decode()
    }

    func createJob(_ input: S.JobInput, as caller: Caller = .employerA,
                   sourceLocation: SourceLocation = #_sourceLocation) async throws -> S.Job {
        let reply = try await post("/v1/jobs", as: caller, json: input, sourceLocation: sourceLocation)
        #expect(reply.status == .created, "\(reply)", sourceLocation: sourceLocation)
        return try reply.decode()
    }

    /// Posts NDJSON lines to `/v1/import/{kind}`.
    func importLines(_ kind: String, _ lines: [String], as caller: Caller = .admin,
                     sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
        try await send(.post, "/v1/import/\(kind)", as: caller, raw: lines.joined(separator: "\n") + "\n",
                       contentType: "application/x-ndjson", sourceLocation: sourceLocation)
    }
}

/// The JSON text of `value` (one NDJSON line).
func jsonLine(_ value: some Encodable) throws -> String {
    String(decoding: try API.encode(value), as: UTF8.self)
}

// MARK: - Checks on every reply

/// Rules every reply of the service keeps, whatever the route.
enum ResponseChecks {
    /// Codes an error envelope may carry: `ErrorCode`'s (which list the libraries' codes the
    /// API passes through).
    static func isKnownCode(_ code: String) -> Bool {
        ErrorCode(rawValue: code) != nil
    }

    static func problems(in reply: Reply) -> [String] {
        var problems: [String] = []
        let status = reply.status.code
        if status >= 500 { problems.append("a \(status): bad input must give a 4xx") }
        if status >= 400 {
            if reply.headers[.contentType]?.hasPrefix("application/json") != true {
                problems.append("an error without a JSON content type")
            }
            if let error = reply.error {
                if !isKnownCode(error.code) { problems.append("error code \(error.code) is not in ErrorCode") }
                if error.message.isEmpty { problems.append("an error without a message") }
            } else {
                problems.append("an error without the {\"error\":{\"code\",\"message\"}} envelope")
            }
        }
        problems += OpenAPIDocument.shared.undocumented(reply)
        return problems
    }
}

/// Every (operation, status) the tests have seen, for `OpenAPIDocumentTests`.
enum Observations {
    struct Seen: Hashable, Sendable {
        var operationID: String
        var status: Int
    }

    private static let seen = Mutex<Set<Seen>>([])

    static func record(_ reply: Reply) {
        guard let operation = OpenAPIDocument.shared.operation(method: reply.method, uri: reply.uri) else { return }
        _ = seen.withLock { $0.insert(Seen(operationID: operation.id, status: reply.status.code)) }
    }

    static var all: Set<Seen> { seen.withLock { $0 } }
}
