#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Note [How a case is timed]
// 1. Calibration, which is also the warm-up: run the call in batches of 1, then more calls, until one
//    batch takes at least `batchSeconds` (10 ms), so the clock's cost and resolution do not matter.
//    A call slower than that is timed one at a time after one warm-up call.
// 2. Samples: as many batches of that size as fit in the case's budget (~0.5 s), at least 15 and at most
//    200. The figure is the best batch's time per call: on a shared, noisy machine, the minimum is the
//    estimate least disturbed by other work. The floor matters for the slowest calls (a 2048 GEMM takes
//    0.08 to 0.16 s): with 7 samples, a slow spell of a second or two could cover every sample of one
//    side of a case and none of the other's.
// 3. An anchor timed in this process (the C OpenBLAS call) is calibrated the same way and its batches
//    alternate with ours, so a slow spell on the machine hits both sides alike.
// 4. A Python anchor runs in its own process, so its batches cannot alternate with ours. Its script runs
//    before our cases and again after them, and our side of its cases is timed in both passes too; each
//    side keeps its best. A slow spell during one pass (they last seconds) then decides neither side.

/// Times workloads: warm-up, an adaptive batch size, and the best of several batches.
struct Harness {
    /// A batch of calls lasts at least this long.
    var batchSeconds = 0.010
    /// The time one side of a case spends in its samples (after calibration), roughly.
    var budgetSeconds = 0.5
    /// At least this many samples, however slow the call.
    var minimumSamples = 15
    /// At most this many samples, however fast the call.
    var maximumSamples = 200

    /// The best time of one call of `workload`, in seconds.
    func measure(_ workload: Workload) -> Double {
        var side = Side(workload.prepare())
        calibrate(&side)
        for _ in 0..<sampleCount(side) { side.sample() }
        return side.best
    }

    /// The best times of one call of each workload, in seconds, with their batches interleaved.
    func measure(_ ours: Workload, against anchor: Workload) -> (ours: Double, anchor: Double) {
        var a = Side(ours.prepare())
        var b = Side(anchor.prepare())
        calibrate(&a)
        calibrate(&b)
        let samples = Swift.max(sampleCount(a), sampleCount(b))
        for _ in 0..<samples {
            a.sample()
            b.sample()
        }
        return (a.best, b.best)
    }

    private func calibrate(_ side: inout Side) {
        var calls = 1
        while true {
            let t = side.run(calls)
            if t >= batchSeconds {
                side.batch = calls
                side.batchTime = t
                return
            }
            // Aim 20 % past the batch time from the last estimate, growing at least 2x and at most 100x.
            let estimate = t > 0 ? Double(calls) * batchSeconds * 1.2 / t : Double(calls) * 100
            calls = Swift.min(calls * 100, Swift.max(calls * 2, Int(estimate.rounded(.up))))
        }
    }

    private func sampleCount(_ side: Side) -> Int {
        let fit = Int(budgetSeconds / Swift.max(side.batchTime, 1e-9))
        return Swift.min(maximumSamples, Swift.max(minimumSamples, fit))
    }
}

/// One workload under measurement: its call, its batch size, and the best time per call so far.
private struct Side {
    let call: () -> Void
    var batch = 1
    var batchTime = 0.0
    var best = Double.infinity

    init(_ call: @escaping () -> Void) { self.call = call }

    /// Runs `calls` calls and returns the time they took, in seconds.
    func run(_ calls: Int) -> Double {
        let start = monotonicNanoseconds()
        for _ in 0..<calls { call() }
        return Double(monotonicNanoseconds() - start) * 1e-9
    }

    /// Times one batch and keeps the best time per call.
    mutating func sample() {
        best = Swift.min(best, run(batch) / Double(batch))
    }
}

/// The monotonic clock, in nanoseconds.
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Keeps a value alive and opaque to the optimizer, so the work that produced it cannot be removed.
@inline(never) @_optimize(none)
func blackHole<T>(_ value: T) {}
