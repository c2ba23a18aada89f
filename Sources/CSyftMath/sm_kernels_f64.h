/*
 * sm_kernels_f64.h - internal: float64 kernels on vf64 vectors (see sm_simd.h).
 *
 * Same algorithms as the float32 kernels with longer polynomials; minimax
 * coefficients from tools/remez.py, the log ones are fdlibm's e_log.c Lg1..Lg7
 * re-derived (they agree to ~1e-6).
 */
#ifndef SM_KERNELS_F64_H
#define SM_KERNELS_F64_H

#include "sm_simd.h"

/* fdlibm's ln2 split: LN2_HI has 32 significant bits (n * LN2_HI exact for
 * |n| < 2^21). */
#define F64_LN2_HI 0x1.62e42fee00000p-1
#define F64_LN2_LO 0x1.a39ef35793c76p-33
#define F64_INV_LN2 0x1.71547652b82fep+0
#define F64_SHIFTER 0x1.8p52 /* rounds |v| < 2^51 to an integer in the low bits */

/*
 * Shared exp machinery (see the float32 version): v = n ln2 + r,
 * |r| <= ln2/2, expm1(r) ~= r + r^2 P(r) with P a degree-10 minimax
 * polynomial (relative error of expm1 2^-61.7 on [-0.347, 0.347]).
 * e^v = 2^n (1 + q).  Returns q, stores s = 2^n; valid for |v| <= 708.
 */
SM_INLINE vf64 f64_expm1_parts(vf64 v, vf64 *s_out) {
    vf64 z = v * F64_INV_LN2 + F64_SHIFTER;
    vf64 nf = z - F64_SHIFTER;
    *s_out = (vf64)(((vi64)z << 52) + 0x3ff0000000000000LL);
    vf64 r = v - nf * F64_LN2_HI;
    r = r - nf * F64_LN2_LO;
    vf64 p = r * 0x1.1ee886a2ae703p-29 + 0x1.af5f21241cd71p-26;
    p = p * r + 0x1.27e5367b871b3p-22;
    p = p * r + 0x1.71ddf82407900p-19;
    p = p * r + 0x1.a01a017b7c06fp-16;
    p = p * r + 0x1.a01a01aff4693p-13;
    p = p * r + 0x1.6c16c16c1f1e4p-10;
    p = p * r + 0x1.111111110f692p-7;
    p = p * r + 0x1.555555555553ep-5;
    p = p * r + 0x1.5555555555559p-3;
    p = p * r + 0x1.0000000000000p-1;
    return (r * r) * p + r;
}

/* exp for |x| <= 708 (e^x normal): 2^n added into the exponent field. */
SM_INLINE vf64 f64_exp_fast(vf64 x) {
    vf64 s;
    vf64 q = f64_expm1_parts(x, &s);
    return (vf64)((vi64)(q + 1.0) + ((vi64)s - 0x3ff0000000000000LL));
}

SM_INLINE vf64 f64_exp(vf64 x) {
    if (SM_LIKELY(!i64_any(~(vi64)(f64_abs(x) <= 708.0)))) /* NaN: rare path */
        return f64_exp_fast(x);
    /* Rare path: clamp to [-746, 710] (exp(-746) < 2^-1075 rounds to 0,
     * exp(710) > DBL_MAX) and scale by 2^(n/2) * 2^(n - n/2). */
    x = f64_max_keepnan(f64_min_keepnan(x, 710.0), -746.0);
    vf64 z = x * F64_INV_LN2 + F64_SHIFTER;
    vi64 n = (vi64)z - (vi64)f64_splat(F64_SHIFTER);
    vf64 s_unused;
    vf64 p = f64_expm1_parts(x, &s_unused) + 1.0;
    vi64 n1 = n >> 1;
    return (p * f64_pow2i(n1)) * f64_pow2i(n - n1);
}

#define F64_SQRT1_2_BITS 0x3fe6a09e667f3bcdLL /* bits(sqrt(2)/2) */

/*
 * log(x) for positive normal finite lanes, fdlibm e_log.c scheme (see the
 * float32 version): x = 2^k m, m in [sqrt(2)/2, sqrt(2)), f = m - 1,
 * s = f / (2 + f), log(1 + f) = 2s + s z R(z), R degree-6 minimax in z = s^2
 * (relative error 2^-59.5).  Only logical shifts are used, since SSE2/AVX2
 * lack a 64-bit arithmetic shift; kadj is subtracted from the exponent.
 */
SM_INLINE vf64 f64_log_core(vf64 x, vi64 kadj) {
    vi64 ix = (vi64)x - F64_SQRT1_2_BITS;
    /* k + 1023, always positive for normal x */
    vi64 kb = (vi64)((vu64)(ix + 0x3ff0000000000000LL) >> 52) - kadj;
    vf64 m = (vf64)((ix & 0x000fffffffffffffLL) + F64_SQRT1_2_BITS);
    vf64 f = m - 1.0;
    /* int64 -> double without cvtqq2pd: place kb in the mantissa of
     * 1.5 * 2^52 and subtract (1.5 * 2^52 + 1023). */
    vf64 kf = (vf64)(kb + (vi64)f64_splat(F64_SHIFTER)) - (F64_SHIFTER + 1023.0);
    vf64 s = f / (2.0 + f);
    vf64 z = s * s;
    vf64 w = z * z;
    /* Estrin-style split into two shorter chains (as fdlibm does). */
    vf64 t1 = w * ((w * 0x1.39a115437c2a8p-3 + 0x1.c71c51ef6a7dep-3) * w + 0x1.999999997fbf9p-2);
    vf64 t2 = z * (((w * 0x1.2f0c6aa9b7094p-3 + 0x1.746644ca00f0fp-3) * w + 0x1.249249420d8bep-2) * w
                   + 0x1.5555555555593p-1);
    vf64 R = t1 + t2;
    vf64 hfsq = 0.5 * f * f;
    return kf * F64_LN2_HI - ((hfsq - (s * (hfsq + R) + kf * F64_LN2_LO)) - f);
}

SM_INLINE vf64 f64_log(vf64 x) {
    vi64 special = (vi64)((vu64)x - 0x0010000000000000ULL >= 0x7fe0000000000000ULL);
    if (SM_LIKELY(!i64_any(special)))
        return f64_log_core(x, (vi64){0});
    vi64 tiny = (vi64)(x < 0x1p-1022);
    vf64 xs = f64_select(tiny, x * 0x1p54, x);
    vf64 y = f64_log_core(xs, tiny & 54);
    y = f64_select((vi64)(x == 0.0), f64_splat(-__builtin_inf()), y);
    y = f64_select((vi64)(x < 0.0), f64_splat(__builtin_nan("")), y);
    y = f64_select((vi64)(x == __builtin_inf()), x, y);
    return f64_select((vi64)(x != x), x, y);
}

/*
 * tanh: same scheme as the float32 version.  Both polynomials have degree 10:
 * T (tanh(x) = x + x^3 T(x^2) on [0, 0.5493], relative error 2^-60.6) and the
 * expm1 P, so each lane evaluates one of them with per-lane coefficients.
 * 2|x| is clamped to 40 for the exp (tanh(x) rounds to 1 beyond 19.06).
 */
SM_INLINE vf64 f64_tanh(vf64 x) {
    vf64 ax = f64_abs(x);
    vi64 sm = (vi64)(ax < 0.5493);

    vf64 v = f64_min_keepnan(ax + ax, 40.0);
    vf64 z = v * F64_INV_LN2 + F64_SHIFTER;
    vf64 nf = z - F64_SHIFTER;
    vf64 s = (vf64)(((vi64)z << 52) + 0x3ff0000000000000LL);
#if SM_HAS_FMA
    /* one fused step suffices here (see the float32 version) */
    vf64 r = SM_FMA(-nf, f64_splat(0x1.62e42fefa39efp-1), v);
#else
    vf64 r = v - nf * F64_LN2_HI;
    r = r - nf * F64_LN2_LO;
#endif

    vf64 a = f64_select(sm, ax * ax, r);
    vf64 b = f64_select(sm, ax, r);
#define SM_C(tc, ec) f64_select(sm, f64_splat(tc), f64_splat(ec))
    vf64 p = a * SM_C(-0x1.46d28a59f6777p-16, 0x1.1ee886a2ae703p-29)
             + SM_C(0x1.5d5ba101c1fb2p-14, 0x1.af5f21241cd71p-26);
    p = p * a + SM_C(-0x1.e9675ab8dfb43p-13, 0x1.27e5367b871b3p-22);
    p = p * a + SM_C(0x1.3482e0045324ep-11, 0x1.71ddf82407900p-19);
    p = p * a + SM_C(-0x1.7d8fbb36277c6p-10, 0x1.a01a017b7c06fp-16);
    p = p * a + SM_C(0x1.d6d299bd31bd5p-9, 0x1.a01a01aff4693p-13);
    p = p * a + SM_C(-0x1.226e2f0911af8p-7, 0x1.6c16c16c1f1e4p-10);
    p = p * a + SM_C(0x1.664f485919ef2p-6, 0x1.111111110f692p-7);
    p = p * a + SM_C(-0x1.ba1ba1b97c100p-5, 0x1.555555555553ep-5);
    p = p * a + SM_C(0x1.1111111110785p-3, 0x1.5555555555559p-3);
    p = p * a + SM_C(-0x1.555555555554fp-2, 0x1.0000000000000p-1);
#undef SM_C
    vf64 res = (a * b) * p + b; /* small lanes: tanh; others: expm1(r) */

    vf64 d = s * res + (s + 1.0); /* s + 1 exact for n <= 52 */
    vf64 large = 1.0 - 2.0 / d;
    return f64_copysign(f64_select(sm, res, large), x);
}

/* sigmoid: see the float32 version. */
SM_INLINE vf64 f64_sigmoid_fast(vf64 x) {
    vf64 s;
    vf64 q = f64_expm1_parts(-x, &s);
    vf64 sq = s * q;
    vf64 d = f64_select((vi64)(s <= 0x1p52), (s + 1.0) + sq, s + (sq + 1.0));
    return 1.0 / d;
}

SM_INLINE vf64 f64_sigmoid(vf64 x) {
    vi64 big = ~(vi64)(f64_abs(x) <= 708.0);
    if (SM_LIKELY(!i64_any(big)))
        return f64_sigmoid_fast(x);
    vf64 y = f64_sigmoid_fast(f64_max_keepnan(f64_min_keepnan(x, 708.0), -708.0));
    vf64 e = f64_exp(-f64_abs(x));
    return f64_select(big, f64_select((vi64)(x > 0.0), f64_splat(1.0), e), y);
}

#endif /* SM_KERNELS_F64_H */
