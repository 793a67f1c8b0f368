import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import Testing

/// A real `matchd serve` process on a free port, over a data directory the test owns: for the
/// live and crash-durability tests, which must see what a user sees (a port, a process that
/// can be killed).
final class ServerProcess: @unchecked Sendable {
    let dataDirectory: URL
    let port: Int
    private let process: Process
    private let log: LogBuffer

    /// The `matchd` executable `swift build` / `swift test` put next to the test bundle.
    static var executable: URL {
        get throws {
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            for _ in 0..<3 {
                let candidate = directory.appendingPathComponent("matchd")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
            let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/matchd")
            guard FileManager.default.isExecutableFile(atPath: fallback.path) else {
                throw ServerError("no matchd executable next to \(CommandLine.arguments[0]) or at \(fallback.path); run `swift build`")
            }
            return fallback
        }
    }

    /// Starts `matchd serve --port 0` and waits until it logs the port it listens on; the
    /// variables `unsetting` names are left out of its environment.
    static func start(dataDirectory: URL, timeout: Duration = .seconds(120), unsetting: [String] = []) async throws -> ServerProcess {
        let process = Process()
        process.executableURL = try executable
        process.arguments = ["serve", "--data", dataDirectory.path, "--port", "0", "--log-level", "info"]
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("MATCHD_") || unsetting.contains(key) { environment.removeValue(forKey: key) }
        process.environment = environment
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        let log = LogBuffer()
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { log.text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
        }
        try process.run()
        // The log is checked once more after the deadline: heavy synchronous tests running beside
        // this one can hold every thread of the cooperative pool for longer than the timeout, so
        // the first look after such a stall may already be past the deadline.
        let deadline = ContinuousClock.now + timeout
        while true {
            if let port = log.text.withLock({ Self.listeningPort(in: $0) }) {
                return ServerProcess(dataDirectory: dataDirectory, port: port, process: process, log: log)
            }
            if !process.isRunning {
                throw ServerError("matchd exited with \(process.terminationStatus) before listening:\n\(log.text.withLock { $0 })")
            }
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw ServerError("matchd did not listen within \(timeout):\n\(log.text.withLock { $0 })")
    }

    private init(dataDirectory: URL, port: Int, process: Process, log: LogBuffer) {
        self.dataDirectory = dataDirectory
        self.port = port
        self.process = process
        self.log = log
    }

    /// Hummingbird's "Server started and listening on HOST:PORT" line.
    static func listeningPort(in log: String) -> Int? {
        guard let range = log.range(of: "listening on 127.0.0.1:") else { return nil }
        let rest = log[range.upperBound...]
        let digits = rest.prefix { $0.isNumber }
        guard digits.endIndex < rest.endIndex else { return nil }   // the line may still be arriving
        return Int(digits)
    }

    /// A fresh data directory under the system temporary directory, removed by the caller.
    static func temporaryDataDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("matchd-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    var output: String { log.text.withLock { $0 } }
    var adminKey: String {
        get throws {
            try String(contentsOf: dataDirectory.appendingPathComponent("admin.key"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// SIGKILL: no flush, no snapshot, no goodbye.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, without waiting (see `terminate` for the waiting kind).
    func signalTerminate() { process.terminate() }

    /// Waits for the process to exit on its own; returns the exit status.
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill()
                throw ServerError("matchd did not exit within \(timeout):\n\(output)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    /// SIGTERM, then waits for the graceful shutdown; returns the exit status.
    @discardableResult
    func terminate(timeout: Duration = .seconds(60)) async throws -> Int32 {
        process.terminate()
        return try await waitForExit(timeout: timeout)
    }

    deinit { if process.isRunning { kill() } }

    // MARK: HTTP

    struct Response {
        var status: Int
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One request; `body` is encoded as JSON when given.
    func request(_ method: String, _ path: String, key: String? = nil, body: Any? = nil) async throws -> Response {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        return try await request(method, path, key: key, data: data, contentType: "application/json")
    }

    /// One request with a raw body (e.g. NDJSON for `/v1/import/{kind}`).
    func request(_ method: String, _ path: String, key: String? = nil, data body: Data?,
                 contentType: String) async throws -> Response {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 300
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Response(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }

    /// A POST whose body is streamed with `Transfer-Encoding: chunked` (no Content-Length).
    func requestChunked(_ path: String, data body: Data) async throws -> Response {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.timeoutInterval = 300
        request.httpBodyStream = InputStream(data: body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("chunked", forHTTPHeaderField: "Transfer-Encoding")
        let (data, response) = try await URLSession.shared.data(for: request)
        return Response(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }
}

/// The server's standard error so far, appended to by the pipe's reader.
final class LogBuffer: Sendable {
    let text = Mutex("")
}

struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
