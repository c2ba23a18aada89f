/* Development tool: quick single-threaded timing of the C kernels (best of reps).
 * Build: clang -O2 -I Sources/CSyftMath/include tools/cbench.c \
 *            Sources/CSyftMath/syft_math*.c -o /tmp/cbench
 * Usage: /tmp/cbench [n] [isa]  */
#include "syft_math.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    int isa = argc > 2 ? atoi(argv[2]) : -1;
    syft_math_set_isa(isa);
    float *x = malloc(n * 4), *y = malloc(n * 4);
    double *xd = malloc(n * 8), *yd = malloc(n * 8);
    srand(1);
    for (long i = 0; i < n; i++) { x[i] = (float)(rand() / (double)RAND_MAX * 20 - 10); xd[i] = x[i]; }
    float *xp = malloc(n * 4); double *xpd = malloc(n * 8);
    for (long i = 0; i < n; i++) { xp[i] = x[i] + 10.5f; xpd[i] = xp[i]; }
    struct { const char *name; void (*f)(const float *, float *, long); int pos; } F[] = {
        {"exp_f32", syft_exp_f32, 0}, {"log_f32", syft_log_f32, 1}, {"tanh_f32", syft_tanh_f32, 0}, {"sigmoid_f32", syft_sigmoid_f32, 0}};
    struct { const char *name; void (*f)(const double *, double *, long); int pos; } D[] = {
        {"exp_f64", syft_exp_f64, 0}, {"log_f64", syft_log_f64, 1}, {"tanh_f64", syft_tanh_f64, 0}, {"sigmoid_f64", syft_sigmoid_f64, 0}};
    int reps = n > 4000000 ? 5 : n > 100000 ? 30 : 2000;
    printf("isa %s n=%ld\n", syft_math_isa_name(syft_math_isa()), n);
    for (int k = 0; k < 4; k++) {
        double best = 1e9;
        for (int r = 0; r < reps; r++) { double t = now(); F[k].f(F[k].pos ? xp : x, y, n); t = now() - t; if (t < best) best = t; }
        printf("%-12s %9.1f us\n", F[k].name, best * 1e6);
    }
    for (int k = 0; k < 4; k++) {
        double best = 1e9;
        for (int r = 0; r < reps; r++) { double t = now(); D[k].f(D[k].pos ? xpd : xd, yd, n); t = now() - t; if (t < best) best = t; }
        printf("%-12s %9.1f us\n", D[k].name, best * 1e6);
    }
}
