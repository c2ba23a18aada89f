/*
 * Development tool (not part of the package build): measures the accuracy of
 * the CSyftMath kernels on every code path the CPU supports.
 *   float32: exhaustive over a range of bit patterns (default: all 2^32),
 *            reference = libm in double (tanh/sigmoid/exp/log), rounded.
 *   float64: random sweep, reference = long double (x87 80-bit) libm.
 * Build: clang -O2 -I Sources/CSyftMath/include tools/accuracy.c \
 *            Sources/CSyftMath/syft_math*.c -lm -o /tmp/accuracy
 * Usage: /tmp/accuracy f32 exp [lo_bits hi_bits]
 *        /tmp/accuracy f64 exp N [lo hi]     (N random inputs, optionally in [lo, hi])
 */
#include "syft_math.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*f32fn)(const float *, float *, long);
typedef void (*f64fn)(const double *, double *, long);

static double ref32(const char *f, float x) {
    double d = x;
    if (!strcmp(f, "exp")) return exp(d);
    if (!strcmp(f, "log")) return log(d);
    if (!strcmp(f, "tanh")) return tanh(d);
    return 1.0 / (1.0 + exp(-d));
}

static long double ref64(const char *f, double x) {
    long double d = x;
    if (!strcmp(f, "exp")) return expl(d);
    if (!strcmp(f, "log")) return logl(d);
    if (!strcmp(f, "tanh")) return tanhl(d);
    return 1.0L / (1.0L + expl(-d));
}

/* Error of y against the reference r in ulps of the correctly rounded result
 * rf (below a power of two the smaller ulp is used; subnormals: 2^-149). */
static double err32(float y, double r) {
    float rf = (float)r;
    if (isnan(rf) || isnan(y)) return (isnan(rf) && isnan(y)) ? 0 : 1e30;
    if (isinf(rf) || isinf(y)) return (y == rf) ? 0 : 1e30;
    double a = fabs(r);
    int e;
    frexp(a, &e); /* a in [2^(e-1), 2^e) */
    double ulp = a < 0x1p-126 ? 0x1p-149 : ldexp(1.0, e - 24);
    return fabs((double)y - r) / ulp;
}

static double err64(double y, long double r) {
    double rd = (double)r;
    if (isnan(rd) || isnan(y)) return (isnan(rd) && isnan(y)) ? 0 : 1e30;
    if (isinf(rd) || isinf(y)) return (y == rd) ? 0 : 1e30;
    long double a = fabsl(r);
    int e;
    frexpl(a, &e);
    long double ulp = a < 0x1p-1022L ? 0x1p-1074L : ldexpl(1.0L, e - 53);
    return (double)(fabsl((long double)y - r) / ulp);
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    const char *ty = argv[1], *f = argv[2];
    int best = syft_math_best_isa();
    const long B = 1 << 20;
    if (!strcmp(ty, "f32")) {
        f32fn fn = !strcmp(f, "exp") ? syft_exp_f32 : !strcmp(f, "log") ? syft_log_f32
                 : !strcmp(f, "tanh") ? syft_tanh_f32 : syft_sigmoid_f32;
        uint64_t lo = argc > 3 ? strtoull(argv[3], 0, 0) : 0;
        uint64_t hi = argc > 4 ? strtoull(argv[4], 0, 0) : (1ULL << 32);
        float *x = malloc(B * 4), *y = malloc(B * 4);
        double *r = malloc(B * 8);
        double maxe[3] = {0};
        float worst[3] = {0};
        for (uint64_t b = lo; b < hi; b += B) {
            long n = (long)((hi - b) < (uint64_t)B ? (hi - b) : (uint64_t)B);
            for (long i = 0; i < n; i++) {
                uint32_t u = (uint32_t)(b + i);
                memcpy(&x[i], &u, 4);
                r[i] = ref32(f, x[i]);
            }
            for (int isa = 0; isa <= best; isa++) {
                syft_math_set_isa(isa);
                fn(x, y, n);
                for (long i = 0; i < n; i++) {
                    double e = err32(y[i], r[i]);
                    if (e > maxe[isa]) { maxe[isa] = e; worst[isa] = x[i]; }
                }
            }
        }
        for (int isa = 0; isa <= best; isa++)
            printf("f32 %-8s %-9s max err %.3f ulp at x=%a\n", f, syft_math_isa_name(isa), maxe[isa], worst[isa]);
    } else {
        f64fn fn = !strcmp(f, "exp") ? syft_exp_f64 : !strcmp(f, "log") ? syft_log_f64
                 : !strcmp(f, "tanh") ? syft_tanh_f64 : syft_sigmoid_f64;
        long N = argc > 3 ? atol(argv[3]) : 10000000;
        double lo_arg = argc > 5 ? atof(argv[4]) : 0, hi_arg = argc > 5 ? atof(argv[5]) : 0;
        double *x = malloc(B * 8), *y = malloc(B * 8);
        long double *r = malloc(B * sizeof(long double));
        double maxe[3] = {0};
        double worst[3] = {0};
        uint64_t s = 0x9E3779B97F4A7C15ULL;
        for (long b = 0; b < N; b += B) {
            long n = (N - b) < B ? (N - b) : B;
            for (long i = 0; i < n; i++) {
                /* random bit patterns over the interesting exponent range,
                   half of them uniform in a moderate interval */
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                double v;
                if (lo_arg < hi_arg) { /* explicit interval */
                    v = lo_arg + (hi_arg - lo_arg) * ((double)(s >> 11) * 0x1p-53);
                } else if (i & 1) {
                    uint64_t u = s;
                    memcpy(&v, &u, 8);
                    if (isnan(v)) v = 0.5;
                } else {
                    v = ((double)(s >> 11) * 0x1p-53 - 0.5) * (!strcmp(f, "log") ? 8.0 : 1500.0);
                    if (!strcmp(f, "tanh")) v *= 0.03;
                }
                x[i] = v;
                r[i] = ref64(f, v);
            }
            for (int isa = 0; isa <= best; isa++) {
                syft_math_set_isa(isa);
                fn(x, y, n);
                for (long i = 0; i < n; i++) {
                    double e = err64(y[i], r[i]);
                    if (e > maxe[isa]) { maxe[isa] = e; worst[isa] = x[i]; }
                }
            }
        }
        for (int isa = 0; isa <= best; isa++)
            printf("f64 %-8s %-9s max err %.3f ulp at x=%a\n", f, syft_math_isa_name(isa), maxe[isa], worst[isa]);
    }
    return 0;
}
