import Benchmark
@_spi(Tuning) import Matcher

let benchmarks: @Sendable () -> Void = {
}
