import Foundation
import Testing

/// `matchd serve` as a user runs it: a real process on a real port, keys from `data/admin.key`,
/// the seeker and employer journeys over HTTP, a graceful SIGTERM that saves the index snapshot
/// and lets an in-flight import finish, and crash durability under SIGKILL right after
/// acknowledged writes.
@Suite(.serialized)
struct LiveServerTests {
    /// A seeker profile whose skills are exactly `competencies` at `level`.
    static func talent(id: String, name: String, competencies: [String], level: Int = 5) -> [String: Any] {
        ["id": id, "displayName": name, "city": "杭州", "searchable": true,
         "contact": ["email": "\(id)@example.invalid"],
         "profile": ["skills": competencies.map { ["competency": $0, "level": level] }]]
    }

    static func job(id: String, title: String, competencies: [String], level: Int = 5) -> [String: Any] {
        ["id": id, "title": title, "city": "杭州",
         "requirements": competencies.map { ["competency": $0, "level": level, "weight": 1] }]
    }

    /// Ids in a page of job matches (`job.id`) or candidates (`talent.id`).
    static func ids(_ response: ServerProcess.Response, _ key: String) -> [String] {
        (response.json["items"] as? [[String: Any]] ?? []).compactMap { ($0[key] as? [String: Any])?["id"] as? String }
    }

    @Test("serve on a real port: keys, both journeys, metrics, SIGTERM saves a snapshot the next start restores")
    func liveJourneys() async throws {
        let data = try ServerProcess.temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        var server = try await ServerProcess.start(dataDirectory: data)
        let admin = try server.adminKey

        let health = try await server.request("GET", "/healthz")
        #expect(health.status == 200)

        // A chunked body (no Content-Length) over the limit is a 413 like a declared one, not a 500.
        let big = Data(("{\"text\":\"" + String(repeating: "a", count: 2_000_000) + "\"}").utf8)
        let chunked = try await server.requestChunked("/v1/extract", data: big)
        #expect(chunked.status == 413, "\(chunked.text)")
        #expect((chunked.json["error"] as? [String: Any])?["code"] as? String == "http.payload_too_large")
        let small = try await server.requestChunked("/v1/extract", data: Data(#"{"text":"熟悉Python"}"#.utf8))
        #expect(small.status == 200, "\(small.text)")

        let employer = try await server.request("POST", "/v1/keys", key: admin, body: ["role": "employer", "name": "Acme"])
        #expect(employer.status == 201, "\(employer.text)")
        let employerKey = try #require(employer.json["key"] as? String)
        let seeker = try await server.request("POST", "/v1/keys", key: admin, body: ["role": "seeker", "name": "Li"])
        let seekerKey = try #require(seeker.json["key"] as? String)
        let talentID = try #require(seeker.json["talentId"] as? String)

        let skills = ["ai.pytorch", "ai.deep-learning", "ai.cv", "prog.python"]
        var profile = Self.talent(id: talentID, name: "李雷", competencies: skills)
        let created = try await server.request("POST", "/v1/talents", key: seekerKey, body: profile)
        #expect(created.status == 201, "\(created.text)")
        let posted = try await server.request("POST", "/v1/jobs", key: employerKey,
                                              body: Self.job(id: "live-cv-1", title: "视觉算法工程师", competencies: skills))
        #expect(posted.status == 201, "\(posted.text)")
        let other = try await server.request("POST", "/v1/jobs", key: employerKey,
                                             body: Self.job(id: "live-plc-1", title: "PLC工程师", competencies: ["im.plc", "im.hmi-scada"]))
        #expect(other.status == 201, "\(other.text)")

        let matches = try await server.request("GET", "/v1/talents/\(talentID)/matches?k=10", key: seekerKey)
        #expect(matches.status == 200, "\(matches.text)")
        #expect(Self.ids(matches, "job").first == "live-cv-1", "\(matches.text)")

        let candidates = try await server.request("GET", "/v1/jobs/live-cv-1/candidates?k=10", key: employerKey)
        #expect(candidates.status == 200, "\(candidates.text)")
        #expect(Self.ids(candidates, "talent") == [talentID], "\(candidates.text)")
        #expect(!candidates.text.contains("example.invalid"), "contact details leaked: \(candidates.text)")

        let anonymous = try await server.request("GET", "/v1/talents/\(talentID)/matches")
        #expect(anonymous.status == 401)
        #expect((anonymous.json["error"] as? [String: Any])?["code"] as? String == "auth.missing_key")

        let metrics = try await server.request("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.text.contains("matchd_search_duration_seconds"), "\(metrics.text.prefix(500))")

        // Graceful stop: in-flight work finishes, the snapshot is written and matches the store.
        #expect(try await server.terminate() == 0, "\(server.output)")
        let manifest = data.appendingPathComponent("index/manifest.json")
        #expect(FileManager.default.fileExists(atPath: manifest.path), "no snapshot after SIGTERM:\n\(server.output)")

        server = try await ServerProcess.start(dataDirectory: data)
        #expect(server.output.contains("restoredFromSnapshot=true"), "\(server.output)")
        let again = try await server.request("GET", "/v1/talents/\(talentID)/matches?k=10", key: seekerKey)
        #expect(Self.ids(again, "job") == Self.ids(matches, "job"), "\(again.text)")

        // A profile update after the restart is searchable at once.
        profile["searchable"] = false
        let hidden = try await server.request("PUT", "/v1/talents/\(talentID)", key: seekerKey, body: profile)
        #expect(hidden.status == 200, "\(hidden.text)")
        let none = try await server.request("GET", "/v1/jobs/live-cv-1/candidates?k=10", key: employerKey)
        #expect(Self.ids(none, "talent").isEmpty, "\(none.text)")
        try await server.terminate()
    }

    /// Runs `matchd ARGS` to completion; returns its exit status and its output (both streams).
    static func runMatchd(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try ServerProcess.executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("started without OPENBLAS_CORETYPE (systemd, a container), serve still computes with the kernels the CPU's flags call for")
    func theBLASKernelsFollowTheCPUWithoutTheScripts() async throws {
        let data = try ServerProcess.temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess.start(dataDirectory: data, unsetting: ["OPENBLAS_CORETYPE"])
        defer { server.kill() }
        // The flags as the kernel reports them, read here on their own.
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = Set((info.split(separator: "\n").first { $0.hasPrefix("flags") } ?? "").split(separator: " ").map(String.init))
        let expected: String? = ["avx512f", "avx512dq", "avx512bw", "avx512vl"].allSatisfy(flags.contains) ? "SkylakeX"
            : ["avx2", "fma"].allSatisfy(flags.contains) ? "Haswell" : nil
        #expect(!server.output.contains("OpenBLAS chose its"), "\(server.output)")
        if let expected {
            // OpenBLAS may know the CPU itself and pick a newer family; never a pre-AVX one.
            let core = server.output.components(separatedBy: "blas_core=").dropFirst().first?.prefix { $0.isLetter || $0.isNumber }
            #expect(core.map { !["Prescott", "Core2", "Penryn", "Nehalem", "Atom"].contains(String($0)) } == true,
                    "expected \(expected) or a newer family, got \(core.map(String.init) ?? "none"): \(server.output)")
        }
    }

    @Test("while serve runs, import without --url and demo are refused: the data directory is locked")
    func aSecondWriterIsRefused() async throws {
        let data = try ServerProcess.temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess.start(dataDirectory: data)
        let admin = try server.adminKey
        let file = data.appendingPathComponent("talents.jsonl")
        try JSONSerialization.data(withJSONObject: Self.talent(id: "locked-1", name: "锁", competencies: ["ai.cv"]))
            .write(to: file)
        for arguments in [["import", "--kind", "talents", "--data", data.path, file.path],
                          ["demo", "--data", data.path, "--talents", "1", "--jobs", "1", "--employers", "1"]] {
            let (status, output) = try await Self.runMatchd(arguments)
            #expect(status != 0, "\(arguments[0]): \(output)")
            #expect(output.contains("data directory \(data.path) is in use by another matchd process"), "\(output)")
            #expect(output.contains("serve, pid"), "the holder is not named: \(output)")
            #expect(output.contains("--url"), "\(output)")
        }
        #expect(try await server.request("GET", "/v1/talents/locked-1", key: admin).status == 404, "the refused import wrote")
        // Through the server, the same import goes in.
        let (status, output) = try await Self.runMatchd(["import", "--kind", "talents", "--data", data.path,
                                                         "--url", "http://127.0.0.1:\(server.port)", file.path])
        #expect(status == 0, "\(output)")
        #expect(try await server.request("GET", "/v1/talents/locked-1", key: admin).status == 200)
        #expect(try await server.terminate() == 0, "\(server.output)")
        // Once the server is gone, the directory is free again.
        let (after, afterOutput) = try await Self.runMatchd(["import", "--kind", "talents", "--data", data.path, file.path])
        #expect(after == 0, "\(afterOutput)")
    }

    @Test("SIGTERM during an import: the request finishes and is acknowledged, the snapshot covers it")
    func terminateWaitsForInFlightImport() async throws {
        let data = try ServerProcess.temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        var server = try await ServerProcess.start(dataDirectory: data)
        let admin = try server.adminKey
        let count = 4000
        var ndjson = Data()
        for i in 0..<count {
            let skills = [["ai.pytorch", "ai.cv"], ["cloud.docker", "ops.linux"], ["im.plc", "im.hmi-scada"]][i % 3]
            ndjson.append(try JSONSerialization.data(withJSONObject: Self.talent(id: "imp-\(i)", name: "导入\(i)", competencies: skills)))
            ndjson.append(0x0A)
        }
        let running = server
        let upload = Task { try await running.request("POST", "/v1/import/talents", key: admin, data: ndjson,
                                                      contentType: "application/x-ndjson") }
        // The import is under way once its first batch is committed; stop the server then.
        let deadline = ContinuousClock.now + .seconds(120)
        while try await server.request("GET", "/v1/talents/imp-0", key: admin).status != 200 {
            guard ContinuousClock.now < deadline else { throw ServerError("the import never started:\n\(server.output)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        let before = try await server.request("GET", "/v1/talents/imp-\(count - 1)", key: admin)
        server.signalTerminate()
        let reply = try await upload.value
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.json["accepted"] as? Int == count, "\(reply.text)")
        #expect(try await server.waitForExit() == 0, "\(server.output)")
        // Meaningful only if the signal arrived mid-import; the log tells which.
        if before.status == 200 { print("note: the import had finished before SIGTERM arrived") }

        server = try await ServerProcess.start(dataDirectory: data)
        #expect(server.output.contains("restoredFromSnapshot=true"), "\(server.output)")
        let last = try await server.request("GET", "/v1/talents/imp-\(count - 1)", key: admin)
        #expect(last.status == 200, "\(last.text)")
        try await server.terminate()
    }

    @Test("SIGKILL right after acknowledged writes: every acknowledged record and its search results survive")
    func crashDurability() async throws {
        let data = try ServerProcess.temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: data) }

        // Run 1: a first generation of records, then a graceful stop that saves a snapshot.
        var server = try await ServerProcess.start(dataDirectory: data)
        let admin = try server.adminKey
        let employer = try await server.request("POST", "/v1/keys", key: admin, body: ["role": "employer", "name": "Acme"])
        let employerKey = try #require(employer.json["key"] as? String)
        let domains: [[String]] = [
            ["ai.pytorch", "ai.deep-learning", "ai.cv"], ["cloud.docker", "cloud.kubernetes", "ops.linux"],
            ["ic.verilog", "ic.digital-design", "ic.verification"], ["bc.solidity", "bc.smart-contracts", "bc.ethereum"],
            ["im.plc", "im.hmi-scada", "im.motion-control"], ["ec.live-commerce", "ec.short-video", "ec.ecommerce-ops"],
        ]
        for (i, skills) in domains.enumerated() {
            let t = try await server.request("POST", "/v1/talents", key: admin,
                                             body: Self.talent(id: "gen1-t\(i)", name: "一代\(i)", competencies: skills))
            #expect(t.status == 201, "\(t.text)")
        }
        try await server.terminate()

        // Run 2: more writes, each acknowledged, then SIGKILL with no shutdown at all. The
        // snapshot on disk is now older than the store.
        server = try await ServerProcess.start(dataDirectory: data)
        var acknowledged: [(job: String, talent: String)] = []
        for (i, skills) in domains.enumerated() {
            let t = try await server.request("POST", "/v1/talents", key: admin,
                                             body: Self.talent(id: "gen2-t\(i)", name: "二代\(i)", competencies: skills, level: 7))
            let j = try await server.request("POST", "/v1/jobs", key: employerKey,
                                             body: Self.job(id: "gen2-j\(i)", title: "岗位\(i)", competencies: skills, level: 7))
            #expect(t.status == 201 && j.status == 201, "\(t.text) \(j.text)")
            acknowledged.append((job: "gen2-j\(i)", talent: "gen2-t\(i)"))
        }
        let deleted = try await server.request("DELETE", "/v1/talents/gen1-t0", key: admin)
        #expect(deleted.status == 204, "\(deleted.text)")
        let closed = try await server.request("POST", "/v1/jobs/gen2-j5/close", key: employerKey)
        #expect(closed.status == 200, "\(closed.text)")
        server.kill()

        // Run 3: the stale snapshot must not be trusted; everything acknowledged is back.
        server = try await ServerProcess.start(dataDirectory: data)
        #expect(server.output.contains("restoredFromSnapshot=false"), "\(server.output)")
        for (i, pair) in acknowledged.enumerated() {
            let t = try await server.request("GET", "/v1/talents/\(pair.talent)", key: admin)
            #expect(t.status == 200 && t.json["displayName"] as? String == "二代\(i)", "\(t.text)")
            let j = try await server.request("GET", "/v1/jobs/\(pair.job)", key: employerKey)
            #expect(j.status == 200, "\(j.text)")
            guard i != 5 else {
                #expect(j.json["status"] as? String == "closed", "\(j.text)")
                continue
            }
            // Level-7 candidates with exactly the job's skills rank first; the level-5 first
            // generation talent of the same domain follows.
            let candidates = try await server.request("GET", "/v1/jobs/\(pair.job)/candidates?k=3", key: employerKey)
            let found = Self.ids(candidates, "talent")
            #expect(found.first == pair.talent, "\(candidates.text)")
            if i != 0 { #expect(found.dropFirst().first == "gen1-t\(i)", "\(candidates.text)") }
            let matches = try await server.request("GET", "/v1/talents/\(pair.talent)/matches?k=3", key: admin)
            #expect(Self.ids(matches, "job").first == pair.job, "\(matches.text)")
        }
        let gone = try await server.request("GET", "/v1/talents/gen1-t0", key: admin)
        #expect(gone.status == 404, "\(gone.text)")
        let aiCandidates = try await server.request("GET", "/v1/jobs/gen2-j0/candidates?k=50", key: employerKey)
        #expect(!Self.ids(aiCandidates, "talent").contains("gen1-t0"), "\(aiCandidates.text)")
        let commerceMatches = try await server.request("GET", "/v1/talents/gen2-t5/matches?k=50", key: admin)
        #expect(!Self.ids(commerceMatches, "job").contains("gen2-j5"), "a closed job is still matched: \(commerceMatches.text)")
        try await server.terminate()
    }
}
