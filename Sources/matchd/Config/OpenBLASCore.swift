import Foundation
import Matcher
#if canImport(Glibc)
import Glibc
#endif

/// The OpenBLAS kernels of this process, chosen from the CPU's flags when OpenBLAS cannot tell.
///
/// Debian's OpenBLAS (DYNAMIC_ARCH) picks its kernels when it loads, by CPU model number; on CPUs
/// newer than the release, or virtual CPUs reporting a generic model, it falls back to Prescott
/// (SSE3) and `sgemm` runs 5–10× below the machine's peak. `OPENBLAS_CORETYPE` overrides the
/// choice but is read only as the library loads, so a process that finds the fallback sets it
/// from the flags and executes itself again: once, as the variable is then set. A variable set
/// by the operator is kept. `scripts/blas-env` makes the same choice for the scripts' other tools.
enum OpenBLASCore {
    /// The kernel family the flags call for: SkylakeX with AVX-512 (F, DQ, BW, VL), Haswell with
    /// AVX2 and FMA, none otherwise.
    static func preferred(flags: Set<Substring>) -> String? {
        if ["avx512f", "avx512dq", "avx512bw", "avx512vl"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// The flags of the first CPU in `/proc/cpuinfo` (empty where there is none).
    static func cpuFlags() -> Set<Substring> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " "))
    }

    /// Re-executes this binary with `OPENBLAS_CORETYPE` set when OpenBLAS fell back to pre-AVX
    /// kernels on a CPU that has better, and the variable was not set; returns otherwise (also
    /// when the re-execution fails: the process then goes on with the fallback and `serve` warns).
    static func adoptPreferredCore() {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, ComputeBackend.blasCoreWarning != nil,
              let core = preferred(flags: cpuFlags()) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
    }
}
