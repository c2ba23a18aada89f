import CSyftMath
import Foundation
import XCTest

/// Accuracy and edge-case tests for the CSyftMath kernels, run on every code
/// path the CPU supports (baseline, AVX2+FMA, AVX-512F).
///
/// float32 results are compared with the double-precision libm result rounded
/// to float (bound: 2 ulp); float64 results with libm (bound: 4 ulp).
/// Distances are counted in representable steps, so 1 ulp = adjacent values.
final class VectorMathTests: XCTestCase {
    typealias Kernel32 = (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void
    typealias Kernel64 = (UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, Int) -> Void

    struct Function32 {
        let name: String
        let kernel: Kernel32
        let reference: (Float) -> Float
    }

    struct Function64 {
        let name: String
        let kernel: Kernel64
        let reference: (Double) -> Double
    }

    /// Numerically stable sigmoid in double: never overflows.
    static func sigmoid(_ x: Double) -> Double {
        if x >= 0 {
            return 1 / (1 + Foundation.exp(-x))
        }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }

    static var functions32: [Function32] {
        [
            Function32(name: "exp", kernel: syft_exp_f32) { Float(Foundation.exp(Double($0))) },
            Function32(name: "log", kernel: syft_log_f32) { Float(Foundation.log(Double($0))) },
            Function32(name: "tanh", kernel: syft_tanh_f32) { Float(Foundation.tanh(Double($0))) },
            Function32(name: "sigmoid", kernel: syft_sigmoid_f32) { Float(sigmoid(Double($0))) },
        ]
    }

    static var functions64: [Function64] {
        [
            Function64(name: "exp", kernel: syft_exp_f64) { Foundation.exp($0) },
            Function64(name: "log", kernel: syft_log_f64) { Foundation.log($0) },
            Function64(name: "tanh", kernel: syft_tanh_f64) { Foundation.tanh($0) },
            Function64(name: "sigmoid", kernel: syft_sigmoid_f64) { sigmoid($0) },
        ]
    }

    /// The code paths to test, restoring automatic selection afterwards.
    func forEachISA(_ body: (String) throws -> Void) rethrows {
        defer { syft_math_set_isa(-1) }
        let best = syft_math_best_isa()
        for isa in 0...best {
            XCTAssertEqual(syft_math_set_isa(isa), isa)
            try body(String(cString: syft_math_isa_name(isa)))
        }
    }

    // MARK: - ulp distance

    /// Maps a float's bits to an integer that is monotonic in its value
    /// (-0 and +0 both map to 0).
    static func ordered(_ x: Float) -> Int64 {
        let bits = Int64(x.bitPattern & 0x7fff_ffff)
        return x.sign == .minus ? -bits : bits
    }

    static func ordered(_ x: Double) -> Int64 {
        let bits = Int64(bitPattern: x.bitPattern & 0x7fff_ffff_ffff_ffff)
        return x.sign == .minus ? -bits : bits
    }

    /// Number of representable steps between y and ref; both NaN counts as
    /// equal, NaN versus a number or different infinities as infinitely far.
    static func ulps(_ y: Float, _ ref: Float) -> Int64 {
        if y.isNaN || ref.isNaN { return y.isNaN && ref.isNaN ? 0 : .max }
        if y.isInfinite || ref.isInfinite { return y == ref ? 0 : .max }
        return abs(ordered(y) - ordered(ref))
    }

    static func ulps(_ y: Double, _ ref: Double) -> Int64 {
        if y.isNaN || ref.isNaN { return y.isNaN && ref.isNaN ? 0 : .max }
        if y.isInfinite || ref.isInfinite { return y == ref ? 0 : .max }
        let d = ordered(y).subtractingReportingOverflow(ordered(ref))
        return d.overflow ? .max : abs(d.partialValue)
    }

    // MARK: - inputs

    /// Special values and thresholds that every function must get right.
    static let specials32: [Float] = {
        var v: [Float] = [
            0, -0.0, .infinity, -.infinity, .nan, -.nan,
            .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
            .leastNormalMagnitude, -.leastNormalMagnitude,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            1, -1, 0.5, -0.5, 2, 1e-20, -1e-20, 1e-8, -1e-8,
            88.72283, 88.72284, 88.7229, 89, 100, -87.33654, -87.3366,
            -103.972, -103.973, -103.98, -104, -150, 87, -87, 86.99, -86.99,
            0.5493, 0.5492, -0.5493, 9.01, 9.02, -9.01, 10, 20, 44.4, 45,
            16.6, -16.6, 16.7, -16.7, 0.1733, 0.3466, 1.0986,
        ]
        let seeds = v
        for x in seeds where x.isFinite && x != 0 {
            v.append(x.nextUp)
            v.append(x.nextDown)
        }
        return v
    }()

    static let specials64: [Double] = {
        var v: [Double] = [
            0, -0.0, .infinity, -.infinity, .nan, -.nan,
            .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
            .leastNormalMagnitude, -.leastNormalMagnitude,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            1, -1, 0.5, -0.5, 2, 1e-300, -1e-300, 1e-20, -1e-20, 1e-8, -1e-8,
            709.782712893384, 709.7828, 710, 1000, -708.39641853226, -708.4,
            -745.1332191019411, -745.1332191019412, -745.14, -746, -1000,
            708, -708, 707.99, -707.99, 0.5493, 0.5492, -0.5493,
            19.06, 19.07, -19.07, 20, 40, 36.7, -36.7, 37, -37, 0.3466,
        ]
        let seeds = v
        for x in seeds where x.isFinite && x != 0 {
            v.append(x.nextUp)
            v.append(x.nextDown)
        }
        return v
    }()

    /// About `count` float32 inputs: specials, every `stride`-th bit pattern
    /// (all magnitudes of both signs, including subnormals, infinities and
    /// NaNs), and a dense linear sweep of [-lo, hi].
    static func inputs32(count: Int, linear range: ClosedRange<Float>) -> [Float] {
        var xs = specials32
        xs.reserveCapacity(count + xs.count)
        let half = count / 2
        let stride = UInt64(1) << 32 / UInt64(half)
        var bits: UInt64 = 12345
        while bits < UInt64(1) << 32 {
            xs.append(Float(bitPattern: UInt32(bits)))
            bits += stride
        }
        let step = (range.upperBound - range.lowerBound) / Float(count - half)
        for i in 0..<(count - half) {
            xs.append(range.lowerBound + Float(i) * step)
        }
        return xs
    }

    static func inputs64(count: Int, linear range: ClosedRange<Double>) -> [Double] {
        var xs = specials64
        xs.reserveCapacity(count + xs.count)
        let half = count / 2
        let stride = UInt64.max / UInt64(half)
        var bits: UInt64 = 0x1234_5678
        for _ in 0..<half {
            xs.append(Double(bitPattern: bits))
            bits &+= stride
        }
        let step = (range.upperBound - range.lowerBound) / Double(count - half)
        for i in 0..<(count - half) {
            xs.append(range.lowerBound + Double(i) * step)
        }
        return xs
    }

    static func linearRange32(_ name: String) -> ClosedRange<Float> {
        switch name {
        case "exp": return -105...90
        case "log": return 0...4
        case "tanh": return -10...10
        default: return -105...90
        }
    }

    static func linearRange64(_ name: String) -> ClosedRange<Double> {
        switch name {
        case "exp": return -746...710
        case "log": return 0...4
        case "tanh": return -20...20
        default: return -746...710
        }
    }

    // MARK: - accuracy sweeps

    /// Evaluates `f` on every element (a plain loop: `map` is slow in debug).
    static func evaluate<T>(_ xs: [T], _ f: (T) -> T) -> [T] {
        [T](unsafeUninitializedCapacity: xs.count) { out, count in
            xs.withUnsafeBufferPointer { x in
                for i in 0..<x.count {
                    (out.baseAddress! + i).initialize(to: f(x[i]))
                }
            }
            count = xs.count
        }
    }

    /// Largest ulp distance between ys and refs, and where it occurs.
    /// Identical bit patterns (the vast majority) are skipped cheaply.
    static func worst(_ ys: [Float], _ refs: [Float]) -> (ulps: Int64, index: Int) {
        var result: (ulps: Int64, index: Int) = (0, 0)
        ys.withUnsafeBufferPointer { y in
            refs.withUnsafeBufferPointer { r in
                for i in 0..<y.count where y[i].bitPattern != r[i].bitPattern {
                    let d = ulps(y[i], r[i])
                    if d > result.ulps { result = (d, i) }
                }
            }
        }
        return result
    }

    static func worst(_ ys: [Double], _ refs: [Double]) -> (ulps: Int64, index: Int) {
        var result: (ulps: Int64, index: Int) = (0, 0)
        ys.withUnsafeBufferPointer { y in
            refs.withUnsafeBufferPointer { r in
                for i in 0..<y.count where y[i].bitPattern != r[i].bitPattern {
                    let d = ulps(y[i], r[i])
                    if d > result.ulps { result = (d, i) }
                }
            }
        }
        return result
    }

    /// ~1M float32 points per function on every code path.  (The exhaustive
    /// check over all 2^32 inputs is tools/accuracy.c.)
    func testFloat32AccuracySweep() {
        for f in Self.functions32 {
            let xs = Self.inputs32(count: 1 << 20, linear: Self.linearRange32(f.name))
            let refs = Self.evaluate(xs, f.reference)
            var ys = [Float](repeating: 0, count: xs.count)
            forEachISA { isa in
                f.kernel(xs, &ys, xs.count)
                let (d, i) = Self.worst(ys, refs)
                XCTAssertLessThanOrEqual(d, 2, "\(f.name) f32 [\(isa)]: \(d) ulp at x = \(xs[i])")
            }
        }
    }

    /// ~500K float64 points per function on every code path.
    func testFloat64AccuracySweep() {
        for f in Self.functions64 {
            let xs = Self.inputs64(count: 1 << 19, linear: Self.linearRange64(f.name))
            let refs = Self.evaluate(xs, f.reference)
            var ys = [Double](repeating: 0, count: xs.count)
            forEachISA { isa in
                f.kernel(xs, &ys, xs.count)
                let (d, i) = Self.worst(ys, refs)
                XCTAssertLessThanOrEqual(d, 4, "\(f.name) f64 [\(isa)]: \(d) ulp at x = \(xs[i])")
            }
        }
    }

    // MARK: - special values, exactly

    func testSpecialValuesFloat32() {
        func run(_ kernel: Kernel32, _ xs: [Float]) -> [Float] {
            var ys = [Float](repeating: 0, count: xs.count)
            kernel(xs, &ys, xs.count)
            return ys
        }
        let inf = Float.infinity
        forEachISA { isa in
            let e = run(syft_exp_f32, [.nan, -inf, inf, 0, -0.0, 89, -104, -88, 1])
            XCTAssertTrue(e[0].isNaN, isa)
            XCTAssertEqual(Array(e[1...5]), [0, inf, 1, 1, inf], isa)
            XCTAssertEqual(e[6], 0, isa)
            XCTAssertTrue(e[7].isSubnormal || e[7] < Float.leastNormalMagnitude * 2, isa)
            XCTAssertLessThanOrEqual(Self.ulps(e[8], Float(M_E)), 1, isa)

            let l = run(syft_log_f32, [0, -0.0, -1, -inf, inf, .nan, 1, .leastNonzeroMagnitude])
            XCTAssertEqual(Array(l[0...1]), [-inf, -inf], isa)
            XCTAssertTrue(l[2].isNaN && l[3].isNaN && l[5].isNaN, isa)
            XCTAssertEqual(l[4], inf, isa)
            XCTAssertEqual(l[6], 0, isa)
            XCTAssertEqual(l[7], Float(Foundation.log(Double(Float.leastNonzeroMagnitude))), isa)

            let t = run(
                syft_tanh_f32, [0, -0.0, inf, -inf, .nan, 10, -10, 1e30, 1e-30, -.leastNonzeroMagnitude])
            XCTAssertEqual(t[0].bitPattern, Float(0).bitPattern, isa)
            XCTAssertEqual(t[1].bitPattern, Float(-0.0).bitPattern, isa)
            XCTAssertEqual(Array(t[2...3]), [1, -1], isa)
            XCTAssertTrue(t[4].isNaN, isa)
            XCTAssertEqual(Array(t[5...7]), [1, -1, 1], isa)
            XCTAssertEqual(t[8], 1e-30, isa)
            XCTAssertEqual(t[9], -.leastNonzeroMagnitude, isa)

            let s = run(syft_sigmoid_f32, [0, inf, -inf, .nan, 100, -100, -104, -200, 20])
            XCTAssertEqual(s[0], 0.5, isa)
            XCTAssertEqual(Array(s[1...2]), [1, 0], isa)
            XCTAssertTrue(s[3].isNaN, isa)
            XCTAssertEqual(s[4], 1, isa)
            XCTAssertTrue(s[5].isSubnormal, isa)  // e^-100
            XCTAssertLessThanOrEqual(Self.ulps(s[5], Float(Foundation.exp(-100.0))), 1, isa)
            XCTAssertEqual(Array(s[6...7]), [0, 0], isa)
            XCTAssertLessThanOrEqual(Self.ulps(s[8], Float(Self.sigmoid(20))), 1, isa)
        }
    }

    func testSpecialValuesFloat64() {
        func run(_ kernel: Kernel64, _ xs: [Double]) -> [Double] {
            var ys = [Double](repeating: 0, count: xs.count)
            kernel(xs, &ys, xs.count)
            return ys
        }
        let inf = Double.infinity
        forEachISA { isa in
            let e = run(syft_exp_f64, [.nan, -inf, inf, 0, -0.0, 710, -746, -740])
            XCTAssertTrue(e[0].isNaN, isa)
            XCTAssertEqual(Array(e[1...6]), [0, inf, 1, 1, inf, 0], isa)
            XCTAssertTrue(e[7].isSubnormal, isa)

            let l = run(syft_log_f64, [0, -0.0, -1, -inf, inf, .nan, 1, .leastNonzeroMagnitude])
            XCTAssertEqual(Array(l[0...1]), [-inf, -inf], isa)
            XCTAssertTrue(l[2].isNaN && l[3].isNaN && l[5].isNaN, isa)
            XCTAssertEqual(l[4], inf, isa)
            XCTAssertEqual(l[6], 0, isa)
            XCTAssertLessThanOrEqual(Self.ulps(l[7], Foundation.log(.leastNonzeroMagnitude)), 1, isa)

            let t = run(syft_tanh_f64, [0, -0.0, inf, -inf, .nan, 20, -20, 1e300, 1e-300])
            XCTAssertEqual(t[0].bitPattern, Double(0).bitPattern, isa)
            XCTAssertEqual(t[1].bitPattern, Double(-0.0).bitPattern, isa)
            XCTAssertEqual(Array(t[2...3]), [1, -1], isa)
            XCTAssertTrue(t[4].isNaN, isa)
            XCTAssertEqual(Array(t[5...7]), [1, -1, 1], isa)
            XCTAssertEqual(t[8], 1e-300, isa)

            let s = run(syft_sigmoid_f64, [0, inf, -inf, .nan, 800, -720, -750, -2000])
            XCTAssertEqual(s[0], 0.5, isa)
            XCTAssertEqual(Array(s[1...2]), [1, 0], isa)
            XCTAssertTrue(s[3].isNaN, isa)
            XCTAssertEqual(s[4], 1, isa)
            XCTAssertTrue(s[5].isSubnormal, isa)
            XCTAssertLessThanOrEqual(Self.ulps(s[5], Foundation.exp(-720.0)), 1, isa)
            XCTAssertEqual(Array(s[6...7]), [0, 0], isa)
        }
    }

    // MARK: - lengths, tails and in-place use

    /// Every length (including the vector tails) must give the same values as
    /// one long call, out of place and in place, without touching y[n...].
    func testLengthsTailsAndInPlace() {
        let lengths = [0, 1, 7, 17, 1000, 1003]
        let source32: [Float] = (0..<1003).map { Float($0) * 0.037 - 18.0 }
        let source64: [Double] = (0..<1003).map { Double($0) * 0.037 - 18.0 }
        forEachISA { isa in
            for f in Self.functions32 {
                let xs = f.name == "log" ? source32.map { abs($0) } : source32
                var full = [Float](repeating: 0, count: xs.count)
                f.kernel(xs, &full, xs.count)
                for n in lengths {
                    let sentinel: Float = 12345
                    var ys = [Float](repeating: sentinel, count: xs.count + 1)
                    f.kernel(xs, &ys, n)
                    XCTAssertEqual(Array(ys[0..<n]), Array(full[0..<n]), "\(f.name) f32 n=\(n) [\(isa)]")
                    XCTAssertTrue(ys[n...].allSatisfy { $0 == sentinel }, "\(f.name) f32 n=\(n) wrote past n")

                    var inPlace = xs + [sentinel]
                    inPlace.withUnsafeMutableBufferPointer { f.kernel($0.baseAddress, $0.baseAddress, n) }
                    XCTAssertEqual(Array(inPlace[0..<n]), Array(full[0..<n]), "\(f.name) f32 in place n=\(n)")
                    XCTAssertEqual(Array(inPlace[n...]), Array(xs[n...]) + [sentinel])
                }
                for i in xs.indices {
                    XCTAssertLessThanOrEqual(Self.ulps(full[i], f.reference(xs[i])), 2)
                }
            }
            for f in Self.functions64 {
                let xs = f.name == "log" ? source64.map { abs($0) } : source64
                var full = [Double](repeating: 0, count: xs.count)
                f.kernel(xs, &full, xs.count)
                for n in lengths {
                    let sentinel: Double = 12345
                    var ys = [Double](repeating: sentinel, count: xs.count + 1)
                    f.kernel(xs, &ys, n)
                    XCTAssertEqual(Array(ys[0..<n]), Array(full[0..<n]), "\(f.name) f64 n=\(n) [\(isa)]")
                    XCTAssertTrue(ys[n...].allSatisfy { $0 == sentinel }, "\(f.name) f64 n=\(n) wrote past n")

                    var inPlace = xs + [sentinel]
                    inPlace.withUnsafeMutableBufferPointer { f.kernel($0.baseAddress, $0.baseAddress, n) }
                    XCTAssertEqual(Array(inPlace[0..<n]), Array(full[0..<n]), "\(f.name) f64 in place n=\(n)")
                    XCTAssertEqual(Array(inPlace[n...]), Array(xs[n...]) + [sentinel])
                }
                for i in xs.indices {
                    XCTAssertLessThanOrEqual(Self.ulps(full[i], f.reference(xs[i])), 4)
                }
            }
        }
    }

    /// Unaligned pointers work (no alignment is assumed).
    func testUnalignedPointers() {
        let xs: [Float] = (0..<101).map { Float($0) * 0.1 - 5 }
        var expected = [Float](repeating: 0, count: 100)
        xs.withUnsafeBufferPointer { syft_tanh_f32($0.baseAddress! + 1, &expected, 100) }
        var buffer = [Float](repeating: 0, count: 101)
        buffer.withUnsafeMutableBufferPointer { out in
            xs.withUnsafeBufferPointer { syft_tanh_f32($0.baseAddress! + 1, out.baseAddress! + 1, 100) }
        }
        XCTAssertEqual(Array(buffer[1...]), expected)
    }

    func testCodePathIsReported() {
        let best = syft_math_best_isa()
        XCTAssertEqual(syft_math_isa(), best)
        #if arch(x86_64)
            XCTAssertTrue((0...2).contains(best))
        #else
            XCTAssertEqual(best, 0)  // only the portable path exists
        #endif
        print("CSyftMath code path: \(String(cString: syft_math_isa_name(best)))")
    }
}
