/*
 * syft_math.h - vectorized elementwise math kernels (exp, log, tanh, sigmoid)
 * for float32 and float64.
 *
 * All functions take contiguous arrays: y[i] = f(x[i]) for 0 <= i < n.
 * n may be 0 (or negative: treated as 0); x and y may be the same pointer
 * (in-place) but must not otherwise overlap; no alignment is required.
 *
 * Semantics follow C99 libm: exp overflows to +inf and underflows through the
 * subnormal range to +0; log(+-0) = -inf, log(x<0) = nan, log(+inf) = +inf;
 * tanh saturates to exactly +-1 and keeps the sign of zero;
 * sigmoid(x) = 1 / (1 + exp(-x)) evaluated without overflow.  NaN in -> NaN out.
 * Subnormal inputs and outputs are handled (no flush to zero), assuming the
 * default floating-point environment (round to nearest, FTZ/DAZ off).
 *
 * Accuracy (max error in ulp of the exact result, all code paths; README.md):
 * float32 <= 1.8 ulp (verified over all 2^32 inputs), float64 <= 1.8 ulp
 * (sampled).
 */
#ifndef SYFT_MATH_H
#define SYFT_MATH_H

#ifdef __cplusplus
extern "C" {
#endif

void syft_exp_f32(const float *x, float *y, long n);
void syft_log_f32(const float *x, float *y, long n);
void syft_tanh_f32(const float *x, float *y, long n);
void syft_sigmoid_f32(const float *x, float *y, long n);

void syft_exp_f64(const double *x, double *y, long n);
void syft_log_f64(const double *x, double *y, long n);
void syft_tanh_f64(const double *x, double *y, long n);
void syft_sigmoid_f64(const double *x, double *y, long n);

/* Code paths.  The best one supported by the CPU is chosen on first use. */
enum {
    SYFT_MATH_ISA_BASELINE = 0, /* portable C vectors (SSE2 on x86-64, NEON on arm64, ...) */
    SYFT_MATH_ISA_AVX2 = 1,     /* x86-64 AVX2 + FMA */
    SYFT_MATH_ISA_AVX512 = 2    /* x86-64 AVX-512F */
};

/* The code path currently in use. */
int syft_math_isa(void);

/* Best code path the CPU supports. */
int syft_math_best_isa(void);

/* Force a code path (for tests and benchmarks); a negative value restores
 * automatic selection, a value above what the CPU supports is lowered.
 * Returns the path now in use.  Not meant to be called concurrently with the
 * kernels. */
int syft_math_set_isa(int isa);

/* "baseline", "avx2+fma" or "avx512f". */
const char *syft_math_isa_name(int isa);

#ifdef __cplusplus
}
#endif

#endif /* SYFT_MATH_H */
