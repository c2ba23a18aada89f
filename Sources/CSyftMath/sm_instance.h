/*
 * sm_instance.h - internal: instantiates the array functions of one code path.
 * Included once by each syft_math_<isa>.c after it has defined
 *     SM_VBYTES  vector width in bytes
 *     SM_SUFFIX  name suffix of the generated functions (avx512, avx2, baseline)
 * and generates  void sm_<func>_<f32|f64>_<suffix>(const T *x, T *y, long n).
 */
#include "sm_kernels_f32.h"
#include "sm_kernels_f64.h"

#define SM_CAT3_(a, b, c) a##b##c
#define SM_CAT3(a, b, c) SM_CAT3_(a, b, c)

/*
 * Loop over full vectors, then one zero-padded vector for the 0..W-1
 * leftover elements.  Each block is loaded completely before it is stored, so
 * x == y (in place) is fine.  The fixed-size memcpys compile to unaligned
 * vector loads and stores.
 */
#define SM_ARRAY_FN(NAME, T, VT, W, KERNEL)                                  \
    void SM_CAT3(sm_, NAME, SM_SUFFIX)(const T *x, T *y, long n) {           \
        long i = 0;                                                          \
        for (; i + (W) <= n; i += (W)) {                                     \
            VT v;                                                            \
            __builtin_memcpy(&v, x + i, sizeof v);                           \
            v = KERNEL(v);                                                   \
            __builtin_memcpy(y + i, &v, sizeof v);                           \
        }                                                                    \
        if (i < n) {                                                         \
            VT v = {0};                                                      \
            size_t bytes = (size_t)(n - i) * sizeof(T);                      \
            __builtin_memcpy(&v, x + i, bytes);                              \
            v = KERNEL(v);                                                   \
            __builtin_memcpy(y + i, &v, bytes);                              \
        }                                                                    \
    }

SM_ARRAY_FN(exp_f32_, float, vf32, SM_W32, f32_exp)
SM_ARRAY_FN(log_f32_, float, vf32, SM_W32, f32_log)
SM_ARRAY_FN(tanh_f32_, float, vf32, SM_W32, f32_tanh)
SM_ARRAY_FN(sigmoid_f32_, float, vf32, SM_W32, f32_sigmoid)
SM_ARRAY_FN(exp_f64_, double, vf64, SM_W64, f64_exp)
SM_ARRAY_FN(log_f64_, double, vf64, SM_W64, f64_log)
SM_ARRAY_FN(tanh_f64_, double, vf64, SM_W64, f64_tanh)
SM_ARRAY_FN(sigmoid_f64_, double, vf64, SM_W64, f64_sigmoid)
