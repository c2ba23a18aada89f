/*
 * sm_simd.h - internal: SIMD types built on clang/GCC vector extensions, plus
 * small branch-free helpers.
 *
 * The kernels are compiled once per CPU level, each in its own translation
 * unit (syft_math_avx512.c, syft_math_avx2.c, syft_math_baseline.c) that sets
 * the vector width SM_VBYTES before including this header, and (on x86) the
 * target features through "#pragma clang attribute":
 *     AVX-512F: 64-byte vectors = one zmm register (16 floats / 8 doubles)
 *     AVX2+FMA: 32-byte vectors = one ymm register
 *     baseline: 16-byte vectors (SSE2 on x86-64, NEON on arm64, ...)
 * All helpers are always_inline; vectors never cross a real call.
 */
#ifndef SM_SIMD_H
#define SM_SIMD_H

#ifndef SM_VBYTES
#error "define SM_VBYTES (vector width in bytes) before including sm_simd.h"
#endif
#include <stdint.h>
#include <stddef.h>

/* SM_HAS_FMA: the code path has fused multiply-add (set by the AVX2 and
 * AVX-512 translation units; implied on arm64).  Only then is SM_FMA used. */
#if !defined(SM_HAS_FMA) && (defined(__FMA__) || defined(__ARM_FEATURE_FMA))
#define SM_HAS_FMA 1
#endif
#if defined(__clang__)
#define SM_FMA(a, b, c) __builtin_elementwise_fma(a, b, c)
#else
#define SM_FMA(a, b, c) ((a) * (b) + (c)) /* GCC contracts this by default */
#endif

#define SM_INLINE static inline __attribute__((always_inline))
#define SM_LIKELY(c) __builtin_expect(!!(c), 1)

typedef float vf32 __attribute__((vector_size(SM_VBYTES)));
typedef int32_t vi32 __attribute__((vector_size(SM_VBYTES)));
typedef uint32_t vu32 __attribute__((vector_size(SM_VBYTES)));
typedef double vf64 __attribute__((vector_size(SM_VBYTES)));
typedef int64_t vi64 __attribute__((vector_size(SM_VBYTES)));
typedef uint64_t vu64 __attribute__((vector_size(SM_VBYTES)));

#define SM_W32 (SM_VBYTES / 4) /* lanes of vf32 */
#define SM_W64 (SM_VBYTES / 8) /* lanes of vf64 */

/* Casting between vector types of equal size reinterprets the bits;
 * comparisons yield lane masks of all ones (true) / all zeros (false). */

/* ---- float32 ---------------------------------------------------------- */

SM_INLINE vf32 f32_splat(float a) { return (vf32){0} + a; }

/* m ? a : b, lane by lane (m is a comparison mask). */
SM_INLINE vf32 f32_select(vi32 m, vf32 a, vf32 b) {
    return (vf32)((m & (vi32)a) | (~m & (vi32)b));
}

SM_INLINE vf32 f32_abs(vf32 a) { return (vf32)((vi32)a & 0x7fffffff); }

/* |a| with the sign bit of s. */
SM_INLINE vf32 f32_copysign(vf32 a, vf32 s) {
    return (vf32)(((vi32)a & 0x7fffffff) | ((vi32)s & (int32_t)0x80000000));
}

/* min(a, hi) that keeps NaN lanes NaN. */
SM_INLINE vf32 f32_min_keepnan(vf32 a, float hi) {
    return f32_select(a > hi, f32_splat(hi), a);
}

/* max(a, lo) that keeps NaN lanes NaN. */
SM_INLINE vf32 f32_max_keepnan(vf32 a, float lo) {
    return f32_select(a < lo, f32_splat(lo), a);
}

/* 2^n for integer lanes -126 <= n <= 127, built in the exponent field. */
SM_INLINE vf32 f32_pow2i(vi32 n) { return (vf32)((n + 127) << 23); }

/* Nonzero if any lane of the mask is set. */
SM_INLINE int i32_any(vi32 m) {
#if defined(__has_builtin) && __has_builtin(__builtin_reduce_or)
    return __builtin_reduce_or(m) != 0;
#else /* e.g. GCC */
    int32_t r = 0;
    for (int i = 0; i < SM_W32; i++)
        r |= m[i];
    return r != 0;
#endif
}

/* ---- float64 ---------------------------------------------------------- */

SM_INLINE vf64 f64_splat(double a) { return (vf64){0} + a; }

SM_INLINE vf64 f64_select(vi64 m, vf64 a, vf64 b) {
    return (vf64)((m & (vi64)a) | (~m & (vi64)b));
}

SM_INLINE vf64 f64_abs(vf64 a) { return (vf64)((vi64)a & 0x7fffffffffffffffLL); }

SM_INLINE vf64 f64_copysign(vf64 a, vf64 s) {
    return (vf64)(((vi64)a & 0x7fffffffffffffffLL) | ((vi64)s & (int64_t)0x8000000000000000ULL));
}

SM_INLINE vf64 f64_min_keepnan(vf64 a, double hi) {
    return f64_select((vi64)(a > hi), f64_splat(hi), a);
}

SM_INLINE vf64 f64_max_keepnan(vf64 a, double lo) {
    return f64_select((vi64)(a < lo), f64_splat(lo), a);
}

/* 2^n for integer lanes -1022 <= n <= 1023. */
SM_INLINE vf64 f64_pow2i(vi64 n) { return (vf64)((n + 1023) << 52); }

SM_INLINE int i64_any(vi64 m) {
#if defined(__has_builtin) && __has_builtin(__builtin_reduce_or)
    return __builtin_reduce_or(m) != 0;
#else
    int64_t r = 0;
    for (int i = 0; i < SM_W64; i++)
        r |= m[i];
    return r != 0;
#endif
}

#endif /* SM_SIMD_H */
