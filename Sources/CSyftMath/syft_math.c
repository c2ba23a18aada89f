/*
 * syft_math.c - public entry points and run-time dispatch.
 *
 * The kernels are compiled once per code path (syft_math_avx512.c,
 * syft_math_avx2.c, syft_math_baseline.c); the path is picked on first use
 * from the CPU features (__builtin_cpu_supports also checks that the OS saves
 * the wide registers).
 */
#include "syft_math.h"
#include "sm_dispatch.h"

static int sm_detect_isa(void) {
#if SM_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return SYFT_MATH_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return SYFT_MATH_ISA_AVX2;
#endif
    return SYFT_MATH_ISA_BASELINE;
}

/* -1 = not yet detected.  Races on first use are benign: every thread
 * computes and stores the same value. */
static int sm_isa_current = -1;

static inline int sm_isa(void) {
    int isa = __atomic_load_n(&sm_isa_current, __ATOMIC_RELAXED);
    if (__builtin_expect(isa < 0, 0)) {
        isa = sm_detect_isa();
        __atomic_store_n(&sm_isa_current, isa, __ATOMIC_RELAXED);
    }
    return isa;
}

int syft_math_isa(void) { return sm_isa(); }

int syft_math_best_isa(void) { return sm_detect_isa(); }

int syft_math_set_isa(int isa) {
    int best = sm_detect_isa();
    if (isa < 0 || isa > best)
        isa = best;
    __atomic_store_n(&sm_isa_current, isa, __ATOMIC_RELAXED);
    return isa;
}

const char *syft_math_isa_name(int isa) {
    switch (isa) {
    case SYFT_MATH_ISA_AVX512: return "avx512f";
    case SYFT_MATH_ISA_AVX2: return "avx2+fma";
    default: return "baseline";
    }
}

#if SM_X86
#define SM_PUBLIC(NAME, T)                                                   \
    void syft_##NAME(const T *x, T *y, long n) {                             \
        switch (sm_isa()) {                                                  \
        case SYFT_MATH_ISA_AVX512: sm_##NAME##_avx512(x, y, n); break;       \
        case SYFT_MATH_ISA_AVX2: sm_##NAME##_avx2(x, y, n); break;           \
        default: sm_##NAME##_baseline(x, y, n); break;                       \
        }                                                                    \
    }
#else
#define SM_PUBLIC(NAME, T)                                                   \
    void syft_##NAME(const T *x, T *y, long n) { sm_##NAME##_baseline(x, y, n); }
#endif

SM_PUBLIC(exp_f32, float)
SM_PUBLIC(log_f32, float)
SM_PUBLIC(tanh_f32, float)
SM_PUBLIC(sigmoid_f32, float)
SM_PUBLIC(exp_f64, double)
SM_PUBLIC(log_f64, double)
SM_PUBLIC(tanh_f64, double)
SM_PUBLIC(sigmoid_f64, double)
