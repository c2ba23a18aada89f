import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// The number of threads elementwise kernels split large work across (the machine's active cores).
let kernelThreadCount: Int = Swift.max(1, Swift.min(ProcessInfoCores.active, 8))

enum ProcessInfoCores {
    static var active: Int {
        #if canImport(Glibc)
            return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
            return 2
        #endif
    }
}

/// Runs `body` over `0..<count` split into contiguous chunks on all cores when `count` is at least
/// `grain` elements per extra thread; otherwise runs it once on the calling thread.
func parallelChunks(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    let threads = Swift.min(kernelThreadCount, count / Swift.max(grain, 1))
    if threads <= 1 {
        body(0..<count)
        return
    }
    // Chunks are multiples of 64 elements so vector loops stay aligned inside each chunk; a count too small
    // for that (the per-thread partial results of a long reduction, a few rows) is split evenly, or all of
    // it would land in the first chunk and run on one thread.
    let even = (count + threads - 1) / threads
    let chunk = even >= 64 ? (even + 63) & ~63 : even
    withoutActuallyEscaping(body) { body in
        let box = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let start = t * chunk
            let end = Swift.min(count, start + chunk)
            if start < end { box.value(start..<end) }
        }
    }
}

/// Runs `body(block, range)` for `blocks` contiguous ranges of nearly equal length that cover
/// `0..<count`, each on its own thread: for a few heavy items (the images of a
/// batch, the planes of a pooling), where per-block scratch or partial sums are indexed by `block`.
///
/// - Precondition: `1 <= blocks <= max(count, 1)`.
func parallelBlocks(_ count: Int, blocks: Int, _ body: (_ block: Int, _ range: Range<Int>) -> Void) {
    precondition(
        blocks >= 1 && blocks <= Swift.max(count, 1), "parallelBlocks: \(blocks) blocks for \(count) items")
    if blocks == 1 {
        body(0, 0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: blocks) { b in
            box.value(b, b * count / blocks..<(b + 1) * count / blocks)
        }
    }
}

/// The number of blocks worth running for `count` items costing `work` in all, when a block should
/// carry at least `grain` of it: at most one per core and one per item, at least one.
func blockCount(_ count: Int, work: Int, grain: Int) -> Int {
    Swift.max(1, Swift.min(kernelThreadCount, count, work / Swift.max(grain, 1)))
}

/// Wraps a value the compiler cannot prove `Sendable` (raw pointers into a buffer that each thread uses
/// on a disjoint range).
struct UncheckedSendable<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

/// Default grain sizes: elements per thread below which splitting costs more than it gains.
enum Grain {
    /// Memory-bound work (add, copy, compare).
    static let cheap = 1 << 16
    /// Transcendental functions (exp, tanh, ...).
    static let costly = 1 << 13
}
