/*
 * AVX2 + FMA code path: 32-byte vectors (one ymm register).  Only compiled
 * for x86; every function in this file gets the target attribute, so the
 * package itself needs no -march flag.  Called only when the CPU has
 * AVX2 and FMA.
 */
#include "sm_dispatch.h"

#if SM_X86
#include <stdint.h>
#include <stddef.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

#define SM_VBYTES 32
#define SM_HAS_FMA 1
#define SM_SUFFIX avx2
#include "sm_instance.h"

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
