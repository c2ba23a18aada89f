import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A seedable source of random numbers for ``Tensor/rand(_:dtype:generator:)`` and friends
/// (xoshiro256** seeded through SplitMix64).
///
/// Pass a generator explicitly for reproducible streams; without one, the factories use
/// ``Generator/default``, which ``manualSeed(_:)`` reseeds (PyTorch's `torch.manual_seed`).
/// ```swift
/// let g = Generator(seed: 42)
/// let a = Tensor.randn([2, 3], generator: g)
/// ```
public final class Generator: Sendable {
    private let state: Mutex<(UInt64, UInt64, UInt64, UInt64)>

    /// A generator whose stream is determined by `seed`.
    public init(seed: UInt64) {
        state = Mutex(Generator.expand(seed))
    }

    /// The process-wide generator the factories use when none is given.
    public static let `default` = Generator(seed: 0x5EED_5EED)

    /// Restarts the stream from `seed`.
    public func reseed(_ seed: UInt64) {
        state.withLock { $0 = Generator.expand(seed) }
    }

    private static func expand(_ seed: UInt64) -> (UInt64, UInt64, UInt64, UInt64) {
        var z = seed
        func next() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return x ^ (x >> 31)
        }
        return (next(), next(), next(), next())
    }

    /// Fills `count` values with `body(next)` where `next()` returns 64 random bits.
    func fill(_ count: Int, _ body: (Int, () -> UInt64) -> Void) {
        state.withLock { s in
            var (s0, s1, s2, s3) = s
            func next() -> UInt64 {
                let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
                let t = s1 << 17
                s2 ^= s0
                s3 ^= s1
                s1 ^= s2
                s0 ^= s3
                s2 ^= t
                s3 = s3 << 45 | s3 >> 19
                return result
            }
            for i in 0..<count { body(i, next) }
            s = (s0, s1, s2, s3)
        }
    }
}

/// Reseeds the default generator (PyTorch's `torch.manual_seed`).
public func manualSeed(_ seed: UInt64) { Generator.default.reseed(seed) }

@inline(__always) private func unitDouble(_ bits: UInt64) -> Double { Double(bits >> 11) * 0x1.0p-53 }

extension Tensor {
    /// Uniform random values in `[0, 1)` (`torch.rand`).
    public static func rand(
        _ shape: [Int], dtype: DType = .defaultFloat, generator: Generator? = nil
    ) -> Tensor {
        precondition(dtype.isFloatingPoint, "rand: needs a floating-point dtype, got \(dtype.rawValue)")
        var values = [Double](repeating: 0, count: shapeCount(shape))
        (generator ?? .default).fill(values.count) { i, next in values[i] = unitDouble(next()) }
        if dtype == .float32 {
            // Keep float32 values below 1 after rounding.
            for i in values.indices where Float(values[i]) >= 1 { values[i] = Double(Float(1).nextDown) }
        }
        return Tensor(shape: shape, scalars: values, dtype: dtype)
    }

    /// Standard normal random values (`torch.randn`), by the Box–Muller transform.
    public static func randn(
        _ shape: [Int], dtype: DType = .defaultFloat, generator: Generator? = nil
    ) -> Tensor {
        precondition(dtype.isFloatingPoint, "randn: needs a floating-point dtype, got \(dtype.rawValue)")
        let n = shapeCount(shape)
        var values = [Double](repeating: 0, count: n)
        (generator ?? .default).fill((n + 1) / 2) { i, next in
            let u1 = Swift.max(unitDouble(next()), 0x1.0p-53)
            let u2 = unitDouble(next())
            let r = (-2 * Glibc.log(u1)).squareRoot()
            values[2 * i] = r * Glibc.cos(2 * .pi * u2)
            if 2 * i + 1 < n { values[2 * i + 1] = r * Glibc.sin(2 * .pi * u2) }
        }
        return Tensor(shape: shape, scalars: values, dtype: dtype)
    }

    /// Random integers in `low..<high` (`torch.randint`), int64 by default.
    public static func randint(
        _ low: Int, _ high: Int, _ shape: [Int], dtype: DType = .int64, generator: Generator? = nil
    ) -> Tensor {
        precondition(low < high, "randint: expected low < high, got \(low) and \(high)")
        // The span can exceed Int.max (randint(-2^62, 2^62)): compute it, and the offset from `low`,
        // modulo 2^64; the result lies in low..<high, so the wrapping sum is exact.
        let span = UInt64(truncatingIfNeeded: high &- low)
        var values = [Int](repeating: 0, count: shapeCount(shape))
        (generator ?? .default).fill(values.count) { i, next in
            values[i] = low &+ Int(truncatingIfNeeded: next().multipliedFullWidth(by: span).high)
        }
        return Tensor(shape: shape, scalars: values, dtype: dtype)
    }
}

/// Uniform random values in `[0, 1)` (`torch.rand`).
public func rand(_ shape: [Int], dtype: DType = .defaultFloat, generator: Generator? = nil) -> Tensor {
    Tensor.rand(shape, dtype: dtype, generator: generator)
}
/// Standard normal random values (`torch.randn`).
public func randn(_ shape: [Int], dtype: DType = .defaultFloat, generator: Generator? = nil) -> Tensor {
    Tensor.randn(shape, dtype: dtype, generator: generator)
}
/// Random integers in `low..<high` (`torch.randint`).
public func randint(
    _ low: Int, _ high: Int, _ shape: [Int], dtype: DType = .int64, generator: Generator? = nil
)
    -> Tensor
{
    Tensor.randint(low, high, shape, dtype: dtype, generator: generator)
}
