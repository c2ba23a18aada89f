// Exact decimal formatting of Double values, matching Python's `format(x, ".Nf")`
// and `format(x, ".Ne")`: the exact binary value is rounded half-to-even, so the
// output never depends on the platform's printf or on shortest-repr heuristics.

/// Python-compatible `{:.Nf}` / `{:.Ne}` / `{}` formatting of a Double.
enum PythonFloatFormat {
    /// `format(x, ".{precision}f")`, e.g. `fixed(0.03125, precision: 4) == "0.0312"`.
    static func fixed(_ x: Double, precision: Int) -> String {
        if let special = nonFinite(x) { return special }
        let sign = x.sign == .minus ? "-" : ""
        var digits: [UInt8]
        if x == 0 {
            digits = [0]
        } else {
            // |x| * 10^precision rounded half-even to an integer.
            let exact = ExactDecimal(magnitudeOf: x)
            let shift = exact.exponent + precision
            if shift >= 0 {
                digits = exact.digits + [UInt8](repeating: 0, count: shift)
            } else {
                digits = ExactDecimal.round(exact.digits, keeping: exact.digits.count + shift).digits
            }
        }
        if digits.count < precision + 1 {
            digits = [UInt8](repeating: 0, count: precision + 1 - digits.count) + digits
        }
        let integerPart = digits[..<(digits.count - precision)]
        let fractionPart = digits[(digits.count - precision)...]
        var result = sign + text(integerPart)
        if precision > 0 { result += "." + text(fractionPart) }
        return result
    }

    /// `format(x, ".{precision}e")`, e.g. `scientific(12345.0, precision: 4) == "1.2345e+04"`.
    static func scientific(_ x: Double, precision: Int) -> String {
        if let special = nonFinite(x) { return special }
        let sign = x.sign == .minus ? "-" : ""
        var digits: [UInt8]
        var exponent10 = 0
        if x == 0 {
            digits = [UInt8](repeating: 0, count: precision + 1)
        } else {
            let exact = ExactDecimal(magnitudeOf: x)
            exponent10 = exact.digits.count - 1 + exact.exponent
            let rounded = ExactDecimal.round(exact.digits, keeping: precision + 1)
            digits = rounded.digits
            if rounded.carried {
                // 9.99995 -> 10.0000: renormalise to one leading digit.
                digits.removeLast()
                exponent10 += 1
            }
        }
        var result = sign + text(digits[..<1])
        if precision > 0 { result += "." + text(digits[1...]) }
        let exponentDigits = String(abs(exponent10))
        result += (exponent10 < 0 ? "e-" : "e+") + (exponentDigits.count < 2 ? "0" : "") + exponentDigits
        return result
    }

    /// `str(int(x))` for an integral value (int64 elements).
    static func integer(_ x: Double) -> String {
        if abs(x) < 9.0e18 { return String(Int64(x)) }
        return fixed(x, precision: 0)
    }

    /// Python spells non-finite values `nan`, `inf` and `-inf` (a negative NaN is still `nan`).
    private static func nonFinite(_ x: Double) -> String? {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        return nil
    }

    private static func text<C: Collection>(_ digits: C) -> String where C.Element == UInt8 {
        String(decoding: digits.map { $0 + 48 }, as: UTF8.self)
    }
}

/// The exact decimal expansion of a finite, nonzero |x|: `digits × 10^exponent`.
/// Every binary floating-point value has a finite decimal expansion
/// (m·2^-k = m·5^k·10^-k), computed here with a small arbitrary-precision integer.
private struct ExactDecimal {
    /// Decimal digits (0...9), most significant first, no leading zeros.
    var digits: [UInt8]
    /// Power of ten of the last digit.
    var exponent: Int

    init(magnitudeOf x: Double) {
        precondition(x.isFinite && x != 0, "ExactDecimal needs a finite nonzero value")
        var mantissa = x.significandBitPattern
        var binaryExponent: Int
        if x.exponentBitPattern == 0 {
            binaryExponent = -1074  // subnormal
        } else {
            mantissa |= 1 << 52
            binaryExponent = Int(x.exponentBitPattern) - 1075
        }
        let zeros = mantissa.trailingZeroBitCount
        mantissa >>= UInt64(zeros)
        binaryExponent += zeros
        var value = BigUInt(mantissa)
        if binaryExponent >= 0 {
            value.shiftLeft(by: binaryExponent)
            exponent = 0
        } else {
            value.multiplyByPowerOfFive(-binaryExponent)
            exponent = binaryExponent
        }
        digits = value.decimalDigits()
    }

    /// Rounds a digit string to its first `keeping` digits, half-to-even on the exact value.
    /// `carried` is true when rounding up added a leading digit (999 -> 1000).
    static func round(_ digits: [UInt8], keeping: Int) -> (digits: [UInt8], carried: Bool) {
        if keeping >= digits.count {
            return (digits + [UInt8](repeating: 0, count: keeping - digits.count), false)
        }
        if keeping < 0 { return ([], false) }  // below half a unit: rounds to zero
        var kept = Array(digits[..<keeping])
        let first = digits[keeping]
        let restNonZero = digits[(keeping + 1)...].contains { $0 != 0 }
        let lastOdd = (kept.last ?? 0) % 2 == 1
        let roundUp = first > 5 || (first == 5 && (restNonZero || lastOdd))
        guard roundUp else { return (kept, false) }
        var index = kept.count - 1
        while index >= 0 {
            if kept[index] == 9 {
                kept[index] = 0
                index -= 1
            } else {
                kept[index] += 1
                return (kept, false)
            }
        }
        return ([1] + kept, true)
    }
}

/// Minimal unsigned big integer (little-endian 32-bit limbs) for `ExactDecimal`.
private struct BigUInt {
    private var limbs: [UInt32]

    init(_ value: UInt64) {
        limbs = [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)]
        trim()
    }

    mutating func multiply(by factor: UInt32) {
        var carry: UInt64 = 0
        for index in limbs.indices {
            let product = UInt64(limbs[index]) * UInt64(factor) + carry
            limbs[index] = UInt32(truncatingIfNeeded: product)
            carry = product >> 32
        }
        if carry != 0 { limbs.append(UInt32(carry)) }
    }

    mutating func multiplyByPowerOfFive(_ power: Int) {
        var remaining = power
        while remaining >= 13 {
            multiply(by: 1_220_703_125)  // 5^13, the largest power of five below 2^32
            remaining -= 13
        }
        var factor: UInt32 = 1
        for _ in 0..<remaining { factor *= 5 }
        multiply(by: factor)
    }

    mutating func shiftLeft(by bits: Int) {
        let limbShift = bits / 32
        let bitShift = UInt32(bits % 32)
        if bitShift != 0 {
            var carry: UInt32 = 0
            for index in limbs.indices {
                let limb = limbs[index]
                limbs[index] = (limb << bitShift) | carry
                carry = limb >> (32 - bitShift)
            }
            if carry != 0 { limbs.append(carry) }
        }
        limbs.insert(contentsOf: [UInt32](repeating: 0, count: limbShift), at: 0)
    }

    /// Decimal digits, most significant first (`[0]` for zero).
    func decimalDigits() -> [UInt8] {
        var remainingLimbs = limbs
        var chunks: [UInt32] = []  // base 10^9, least significant first
        while !remainingLimbs.isEmpty {
            var remainder: UInt64 = 0
            for index in remainingLimbs.indices.reversed() {
                let current = (remainder << 32) | UInt64(remainingLimbs[index])
                remainingLimbs[index] = UInt32(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while remainingLimbs.last == 0 { remainingLimbs.removeLast() }
        }
        var digits: [UInt8] = []
        for (position, chunk) in chunks.reversed().enumerated() {
            var chunkDigits = [UInt8](repeating: 0, count: 9)
            var value = chunk
            for slot in (0..<9).reversed() {
                chunkDigits[slot] = UInt8(value % 10)
                value /= 10
            }
            digits += position == 0 ? Array(chunkDigits.drop { $0 == 0 }) : chunkDigits
        }
        return digits.isEmpty ? [0] : digits
    }

    private mutating func trim() {
        while limbs.last == 0 { limbs.removeLast() }
    }
}
