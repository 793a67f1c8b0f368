import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the store itself can refuse, with stable codes (the CLI prints them; none reaches the API).
enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another process holds the data directory's write lock.
    case dataDirectoryInUse(directory: String, holder: String)
    /// The lock file could not be opened or locked.
    case lockFailed(path: String, errno: Int32)
    /// A snapshot file could not be removed.
    case snapshotRemovalFailed(path: String, message: String)
    /// The WAL could not be emptied into the database file (readers held it for too long).
    case checkpointIncomplete(path: String)

    var code: String {
        switch self {
        case .dataDirectoryInUse: "store.data_directory_in_use"
        case .lockFailed: "store.lock_failed"
        case .snapshotRemovalFailed: "store.snapshot_removal_failed"
        case .checkpointIncomplete: "store.checkpoint_incomplete"
        }
    }

    var description: String {
        switch self {
        case .dataDirectoryInUse(let directory, let holder):
            "data directory \(directory) is in use by another matchd process (\(holder)); use --url to import into a running server"
        case .lockFailed(let path, let errno):
            "cannot lock \(path): \(String(cString: strerror(errno)))"
        case .snapshotRemovalFailed(let path, let message):
            "cannot remove the index snapshot file \(path): \(message)"
        case .checkpointIncomplete(let path):
            "\(path): the write-ahead log could not be emptied into the database file"
        }
    }
}

/// An exclusive advisory lock (`flock`) on `matchd.lock` in a data directory, held by the
/// commands that write the store (`serve`, `import` without `--url`, `demo`) for as long as
/// they run, so that a second writer is refused with `StoreError.dataDirectoryInUse` instead
/// of committing behind the back of a running server. The kernel releases it when the process
/// exits, however it exits; `release()` or deinit releases it earlier.
final class DataDirectoryLock: @unchecked Sendable {
    static let fileName = "matchd.lock"

    let path: String
    private var descriptor: Int32

    /// Takes the lock or throws at once (never waits). `holder` names the command; the lock file
    /// records it with the process id, for the error another process shows.
    init(directory: URL, holder: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent(Self.fileName).path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreError.lockFailed(path: path, errno: errno) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let recorded = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            descriptor = -1
            if failure == EWOULDBLOCK {
                throw StoreError.dataDirectoryInUse(directory: directory.path,
                                                    holder: recorded.isEmpty ? "holder unknown" : recorded)
            }
            throw StoreError.lockFailed(path: path, errno: failure)
        }
        let text = "matchd \(holder), pid \(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// Releases the lock (idempotent).
    func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
