/*
 * sm_kernels_f32.h - internal: float32 kernels on vf32 vectors (see sm_simd.h).
 *
 * Polynomial coefficients are minimax (Remez) fits for relative error,
 * produced by tools/remez.py and rounded to float.
 */
#ifndef SM_KERNELS_F32_H
#define SM_KERNELS_F32_H

#include "sm_simd.h"

/* ln2 split for Cody-Waite reduction: LN2_HI has 15 significant bits, so
 * n * LN2_HI is exact for |n| < 512 and x - n * LN2_HI is exact near x. */
#define F32_LN2_HI 0x1.62e400p-1f
#define F32_LN2_LO 0x1.7f7d1cp-20f
#define F32_INV_LN2 0x1.715476p+0f
/* Adding 1.5 * 2^23 rounds a float with |v| < 2^22 to an integer, which then
 * sits in the low mantissa bits ("shifter" trick; no float->int conversion,
 * so NaN or huge lanes are harmless). */
#define F32_SHIFTER 0x1.8p23f

/*
 * Shared exp machinery (exp, tanh, sigmoid): Cody-Waite reduction
 *     v = n ln2 + r,  n = round(v / ln2),  |r| <= ln2/2 (+ rounding slack)
 * and expm1(r) ~= r + r^2 P(r), P a degree-4 minimax polynomial for the
 * relative error of expm1 (2^-26.2 on [-0.347, 0.347]).  So
 *     e^v = 2^n (1 + q),  q = expm1(r),  |q| <= 0.42.
 * Returns q and stores s = 2^n; valid (s normal) for |v| <= 87.
 * Keeping q and s separate lets callers form 2^n q + (2^n +- 1) with a single
 * rounding (2^n q is exact), which is what makes tanh and sigmoid accurate.
 */
SM_INLINE vf32 f32_expm1_parts(vf32 v, vf32 *s_out) {
    vf32 z = v * F32_INV_LN2 + F32_SHIFTER;
    vf32 nf = z - F32_SHIFTER;
    /* the low bits of z hold n: shifting them into the exponent field gives
     * n << 23 (mod 2^32), plus the bits of 1.0f gives 2^n */
    *s_out = (vf32)(((vi32)z << 23) + 0x3f800000);
    vf32 r = v - nf * F32_LN2_HI;
    r = r - nf * F32_LN2_LO;
    vf32 p = r * 0x1.6bebeap-10f + 0x1.122836p-7f;
    p = p * r + 0x1.555676p-5f;
    p = p * r + 0x1.5554b0p-3f;
    p = p * r + 0x1.fffffep-2f;
    return (r * r) * p + r;
}

/* exp for |x| <= 87, where e^x is a normal float: 2^n is applied by adding
 * n to the exponent field of 1 + q (exact, cheaper than a multiply). */
SM_INLINE vf32 f32_exp_fast(vf32 x) {
    vf32 s;
    vf32 q = f32_expm1_parts(x, &s);
    return (vf32)((vi32)(q + 1.0f) + ((vi32)s - 0x3f800000));
}

SM_INLINE vf32 f32_exp(vf32 x) {
    /* (NaN also takes the rare path: the exponent-field add of the fast
     * path could turn a NaN into a number) */
    if (SM_LIKELY(!i32_any(~(f32_abs(x) <= 87.0f))))
        return f32_exp_fast(x);
    /* Rare path: overflow/underflow range, or +-inf.  Clamp to [-104, 89]
     * (exp(-104) < 2^-150 rounds to 0; exp(89) > FLT_MAX) and apply 2^n as
     * 2^(n/2) * 2^(n - n/2) so that both factors are normal; the second
     * multiply rounds once into the subnormal range or overflows to inf.
     * NaN lanes stay NaN (the clamp keeps them, P(NaN) = NaN). */
    x = f32_max_keepnan(f32_min_keepnan(x, 89.0f), -104.0f);
    vf32 z = x * F32_INV_LN2 + F32_SHIFTER;
    vi32 n = (vi32)z - (vi32)f32_splat(F32_SHIFTER);
    vf32 s_unused;
    vf32 p = f32_expm1_parts(x, &s_unused) + 1.0f;
    vi32 n1 = n >> 1;
    return (p * f32_pow2i(n1)) * f32_pow2i(n - n1);
}

/*
 * log(x) for positive normal finite lanes, following fdlibm's e_log.c:
 * x = 2^k m with m in [sqrt(2)/2, sqrt(2)), f = m - 1, s = f / (2 + f), so
 * log(1 + f) = log((1 + s) / (1 - s)) = 2s + s z R(z), z = s^2, |s| <= 0.1716;
 * R is a degree-3 minimax polynomial (relative error 2^-37.6).  The sum is
 * arranged as f - (hfsq - s (hfsq + R)) with hfsq = f^2 / 2 so that the
 * leading term f is added last (error < 1 ulp).
 * kadj is subtracted from the exponent (used for pre-scaled subnormals).
 */
SM_INLINE vf32 f32_log_core(vf32 x, vi32 kadj) {
    vi32 ix = (vi32)x - 0x3f3504f3;          /* bits(sqrt(2)/2) */
    vi32 k = (ix >> 23) - kadj;              /* arithmetic shift */
    vf32 m = (vf32)((ix & 0x007fffff) + 0x3f3504f3);
    vf32 f = m - 1.0f;
    vf32 kf = __builtin_convertvector(k, vf32);
    vf32 s = f / (2.0f + f);
    vf32 z = s * s;
    vf32 R = z * 0x1.e2fb7cp-3f + 0x1.2438bap-2f;
    R = R * z + 0x1.999a7ap-2f;
    R = R * z + 0x1.555554p-1f;
    R = R * z;
    vf32 hfsq = 0.5f * f * f;
    return kf * F32_LN2_HI - ((hfsq - (s * (hfsq + R) + kf * F32_LN2_LO)) - f);
}

SM_INLINE vf32 f32_log(vf32 x) {
    /* One unsigned compare flags every lane that is not positive normal
     * finite: +-0, subnormals, negatives, +inf, NaN. */
    vi32 special = (vi32)((vu32)x - 0x00800000u >= 0x7f000000u);
    if (SM_LIKELY(!i32_any(special)))
        return f32_log_core(x, (vi32){0});
    /* Subnormals: scale by 2^23 (exact) and correct the exponent. */
    vi32 tiny = x < 0x1p-126f;
    vf32 xs = f32_select(tiny, x * 0x1p23f, x);
    vf32 y = f32_log_core(xs, tiny & 23);
    y = f32_select(x == 0.0f, f32_splat(-__builtin_inff()), y);
    y = f32_select(x < 0.0f, f32_splat(__builtin_nanf("")), y);
    y = f32_select(x == __builtin_inff(), x, y);
    return f32_select(x != x, x, y);
}

/*
 * tanh(|x|):
 *   |x| <  0.5493 (tanh < 1/2): odd minimax polynomial |x| + |x|^3 T(x^2),
 *        T of degree 4 (relative error 2^-29.8).  (A quotient of exp terms
 *        would need three roundings here, which costs up to 2.6 ulp.)
 *   |x| >= 0.5493: 1 - 2 / d with d = e^(2|x|) + 1 = 2^n q + (2^n + 1)
 *        rounded once; the subtraction loses at most one bit (result >= 1/2).
 * Both polynomials have degree 4 and the form b + (a b) P(a) (a = x^2, b = |x|
 * for T;  a = b = r for expm1), so each lane evaluates only the one it needs,
 * with coefficients chosen per lane (cheaper than evaluating both).
 * 2|x| is clamped to 20 for the exp (tanh(x) rounds to 1 for x > 9.01), so
 * 2^n stays normal.  The sign is restored at the end (tanh(-0) = -0); NaN
 * lanes take the exp branch and propagate.
 */
SM_INLINE vf32 f32_tanh(vf32 x) {
    vf32 ax = f32_abs(x);
    vi32 sm = ax < 0.5493f;

    /* exp reduction of v = 2|x| (as in f32_expm1_parts) */
    vf32 v = f32_min_keepnan(ax + ax, 20.0f);
    vf32 z = v * F32_INV_LN2 + F32_SHIFTER;
    vf32 nf = z - F32_SHIFTER;
    vf32 s = (vf32)(((vi32)z << 23) + 0x3f800000);
#if SM_HAS_FMA
    /* Here n <= 29 and 1 - tanh = 2/d damps errors in e^v by e^-v, so one
     * fused step with ln2 rounded to float suffices: r is off by at most
     * 29 * 1.9e-9, which moves tanh by < 0.05 ulp. */
    vf32 r = SM_FMA(-nf, f32_splat(0x1.62e430p-1f), v);
#else
    vf32 r = v - nf * F32_LN2_HI;
    r = r - nf * F32_LN2_LO;
#endif

    vf32 a = f32_select(sm, ax * ax, r);
    vf32 b = f32_select(sm, ax, r);
#define SM_C(tc, ec) f32_select(sm, f32_splat(tc), f32_splat(ec))
    vf32 p = a * SM_C(-0x1.9b098cp-8f, 0x1.6bebeap-10f) + SM_C(0x1.593696p-6f, 0x1.122836p-7f);
    p = p * a + SM_C(-0x1.b927c0p-5f, 0x1.555676p-5f);
    p = p * a + SM_C(0x1.110d22p-3f, 0x1.5554b0p-3f);
    p = p * a + SM_C(-0x1.55554ap-2f, 0x1.fffffep-2f);
#undef SM_C
    vf32 res = (a * b) * p + b; /* small lanes: tanh; others: q = expm1(r) */

    vf32 d = s * res + (s + 1.0f); /* s * q exact; s + 1 exact for n <= 23 */
    vf32 large = 1.0f - 2.0f / d;
    return f32_copysign(f32_select(sm, res, large), x);
}

/*
 * sigmoid(x) = 1 / d, d = 1 + e^-x with e^-x = 2^n (1 + q) = s + s q, for
 * |x| <= 87 where e^-x cannot overflow.  d is rounded once: while s <= 2^23,
 * s + 1 is exact and d = (s + 1) + s q; for larger s the 1 is folded into
 * s q first, d = s + (s q + 1), whose inner rounding is ~2^-26 of d.
 */
SM_INLINE vf32 f32_sigmoid_fast(vf32 x) {
    vf32 s;
    vf32 q = f32_expm1_parts(-x, &s);
    vf32 sq = s * q; /* exact */
    vf32 d = f32_select(s <= 0x1p23f, (s + 1.0f) + sq, s + (sq + 1.0f));
    return 1.0f / d;
}

SM_INLINE vf32 f32_sigmoid(vf32 x) {
    vi32 big = ~(f32_abs(x) <= 87.0f); /* also NaN */
    if (SM_LIKELY(!i32_any(big)))
        return f32_sigmoid_fast(x);
    /* |x| > 87: e^-|x| < 2^-125, so sigmoid rounds to 1 (x > 0) or equals
     * e^x to within 2^-125 relative (x < 0; computed through the subnormal
     * range).  NaN: e^x is NaN. */
    vf32 y = f32_sigmoid_fast(f32_max_keepnan(f32_min_keepnan(x, 87.0f), -87.0f));
    vf32 e = f32_exp(-f32_abs(x));
    return f32_select(big, f32_select(x > 0.0f, f32_splat(1.0f), e), y);
}

#endif /* SM_KERNELS_F32_H */
