import COpenBLAS
import Syft

// The matrix-product cases: `matmul(a, b)` on square float32 (sgemm_N) and float64 (dgemm_N) matrices,
// in GFLOP/s (2·n³ FLOPs a call), against the direct C call `cblas_sgemm` / `cblas_dgemm` on buffers
// allocated once, in this process, on the same OpenBLAS the library links. The gap between the two is
// our overhead: dispatch, the shape rule, and the allocation of the result, which the C call does not
// pay. Each size has a second row, `<case>_numpy`, with the same measurement of ours against NumPy's
// `a @ b` (which does allocate its result, but runs NumPy's own OpenBLAS build, 0.3.31, not Debian's):
// for scale, without a target. The benchmark target may import COpenBLAS; the library's other files may
// not (STYLE.md).

/// Matrix sizes of the GEMM cases; the target applies from 512 up (PERFORMANCE.md).
let gemmSizes = [256, 1024, 2048]

/// The precisions of the GEMM cases: the name prefix, the dtype and the C routine.
private enum GemmPrecision: CaseIterable {
    case single, double

    var prefix: String { self == .single ? "sgemm" : "dgemm" }
    var dtype: DType { self == .single ? .float32 : .float64 }
    var routine: String { "cblas_" + prefix }
}

/// `sgemm_256` ... `dgemm_2048`, each followed by its `_numpy` row, and `sgemm_1024_torch` where PyTorch
/// runs.
func blasCases() -> [BenchCase] {
    var cases: [BenchCase] = []
    for precision in GemmPrecision.allCases {
        for n in gemmSizes {
            let name = "\(precision.prefix)_\(n)"
            let work = 2 * Double(n) * Double(n) * Double(n)
            let target: Target =
                n >= 512 ? .rateRatio(atLeast: 0.95, of: precision.routine, unit: .gigaflops) : .none
            cases.append(
                BenchCase(
                    name: name, unit: .gigaflops, work: work, ours: matmulWorkload(n, precision.dtype),
                    anchor: .inProcess(name: precision.routine, cblasWorkload(n, precision)),
                    target: target))
            cases.append(
                BenchCase(
                    name: name + "_numpy", unit: .gigaflops, work: work,
                    ours: matmulWorkload(n, precision.dtype), oursKey: name,
                    anchor: .python(.numpy, key: name), target: .none, needsAnchor: true))
            if precision == .single && n == 1024 {
                cases.append(
                    BenchCase(
                        name: name + "_torch", unit: .gigaflops, work: work,
                        ours: matmulWorkload(n, precision.dtype), oursKey: name,
                        anchor: .python(.torch, key: name), target: .none, needsAnchor: true))
            }
        }
    }
    return cases
}

/// Ours: `matmul(a, b)` on two n×n uniform [0, 1) matrices, allocating the result each call.
private func matmulWorkload(_ n: Int, _ dtype: DType) -> Workload {
    Workload {
        let a = Tensor.rand([n, n], dtype: dtype)
        let b = Tensor.rand([n, n], dtype: dtype)
        return { blackHole(matmul(a, b)) }
    }
}

/// The anchor: the C call on row-major n×n buffers allocated and filled once, `C = A·B` (beta 0), with
/// OpenBLAS's own threading on every core, as a C program gets it (the library runs OpenBLAS on one
/// thread and splits large products itself: Note [Who threads GEMM] in Kernels/BLAS.swift).
private func cblasWorkload(_ n: Int, _ precision: GemmPrecision) -> Workload {
    Workload {
        let size = blasint(n)
        let cores = openblas_get_num_procs()
        switch precision {
        case .single:
            let m = Matrices<Float>(n) { Float.random(in: 0..<1) }
            return {
                openblas_set_num_threads(cores)
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size,
                    1, m.a, size, m.b, size, 0, m.c, size)
                openblas_set_num_threads(1)
                blackHole(m.c)
            }
        case .double:
            let m = Matrices<Double>(n) { Double.random(in: 0..<1) }
            return {
                openblas_set_num_threads(cores)
                cblas_dgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size,
                    1, m.a, size, m.b, size, 0, m.c, size)
                openblas_set_num_threads(1)
                blackHole(m.c)
            }
        }
    }
}

/// Three n×n buffers for the C call: A and B filled by `fill`, C zeroed. Freed with the object.
private final class Matrices<T: BinaryFloatingPoint> {
    let a: UnsafeMutablePointer<T>
    let b: UnsafeMutablePointer<T>
    let c: UnsafeMutablePointer<T>
    private let count: Int

    init(_ n: Int, fill: () -> T) {
        count = n * n
        a = .allocate(capacity: count)
        b = .allocate(capacity: count)
        c = .allocate(capacity: count)
        for i in 0..<count {
            (a + i).initialize(to: fill())
            (b + i).initialize(to: fill())
        }
        c.initialize(repeating: 0, count: count)
    }

    deinit {
        for p in [a, b, c] {
            p.deinitialize(count: count)
            p.deallocate()
        }
    }
}
