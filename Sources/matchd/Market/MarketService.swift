import Embeddings
import Foundation
import Logging
import Metrics
import Synchronization

/// Keeps the market reports of the store: computes them for a whole revision in the background
/// and serves the last finished computation while the next one runs.
///
/// `report()` returns the current reports and, when the store has moved on since, starts the
/// next computation (one at a time); before the first computation has finished it waits for it.
/// Progress and timings go to `/metrics` (`matchd_market_progress`, `matchd_market_revision`,
/// `matchd_market_compute_seconds`) and to `status()`.
final class MarketService: Sendable {
    struct Status: Sendable {
        var computing: Int64?
        var progress: Double?
        var report: MarketReport?
        var error: String?
    }

    /// Why the last computation failed.
    struct MarketFailure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    let configuration: MarketConfiguration
    /// The pairs of the last computation, which the next reuses when only talents changed.
    private let pairs = Mutex<MarketPairs?>(nil)
    private let state = Mutex<(report: MarketReport?, computing: Int64?, progress: Double, error: MarketFailure?,
                               waiters: [CheckedContinuation<Void, Never>])>((nil, nil, 0, nil, []))

    init(configuration: MarketConfiguration) {
        self.configuration = configuration
    }

    func status() -> Status {
        state.withLock { Status(computing: $0.computing, progress: $0.computing == nil ? nil : $0.progress,
                                report: $0.report, error: $0.error?.description) }
    }

    /// The last finished reports; starts the next computation when `storeRevision` is newer, and
    /// waits for the first one when none has finished yet.
    func report(engine: Engine, storeRevision: Int64) async throws -> MarketReport {
        refresh(engine: engine, storeRevision: storeRevision)
        while true {
            let (report, error, running) = state.withLock { ($0.report, $0.error, $0.computing != nil) }
            if let report { return report }
            if !running, let error { throw error }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.report != nil || s.computing == nil { return true }
                    s.waiters.append(c)
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
    }

    /// Starts a computation for `storeRevision` unless one runs or the reports already describe it.
    func refresh(engine: Engine, storeRevision: Int64) {
        let start = state.withLock { s -> Bool in
            guard s.computing == nil, s.report?.revision != storeRevision else { return false }
            s.computing = storeRevision
            s.progress = 0
            return true
        }
        guard start else { return }
        Task.detached(priority: .utility) { [self] in
            let started = ContinuousClock.now
            do {
                let report = try await self.compute(engine: engine)
                Gauge(label: "matchd_market_revision").record(Double(report.revision))
                Timer(label: "matchd_market_compute_seconds").recordNanoseconds(Int64((ContinuousClock.now - started).seconds * 1e9))
                engine.logger.info("market reports computed", metadata: [
                    "revision": "\(report.revision)", "seconds": "\(report.seconds)",
                    "pairs": "\(report.join.scoredPairs)", "productSeconds": "\(report.join.productSeconds)"])
                self.finish(report: report, error: nil)
            } catch {
                engine.logger.error("market reports failed", metadata: ["error": "\(error)"])
                self.finish(report: nil, error: MarketFailure(description: "\(error)"))
            }
        }
    }

    /// Computes the reports now, on the calling task (the CLI's path; `refresh` runs it in the
    /// background), reusing the last computation's pairs where they still hold.
    func compute(engine: Engine, now: Date = Date()) async throws -> MarketReport {
        let input = try await engine.marketInput(now: now)
        let progress = Gauge(label: "matchd_market_progress")
        let (report, kept) = try MarketReport.compute(input, previous: pairs.withLock { $0 }, model: engine.model,
                                                      latent: engine.latent,
                                                      courseFactor: engine.vectorizer.configuration.courseFactor,
                                                      configuration: configuration) { [self] fraction in
            progress.record(fraction)
            state.withLock { $0.progress = fraction }
        }
        pairs.withLock { $0 = kept }
        return report
    }

    private func finish(report: MarketReport?, error: MarketFailure?) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            if let report { s.report = report }
            s.error = error
            s.computing = nil
            let w = s.waiters
            s.waiters = []
            return w
        }
        for w in waiters { w.resume() }
    }
}
