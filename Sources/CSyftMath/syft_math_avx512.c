/*
 * AVX-512F code path: 64-byte vectors (one zmm register).  Only compiled for
 * x86; every function in this file gets the target attribute, so the package
 * itself needs no -march flag.  Called only when the CPU (and OS) support
 * AVX-512F.
 */
#include "sm_dispatch.h"

#if SM_X86
#include <stdint.h>
#include <stddef.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f")
#endif

#define SM_VBYTES 64
#define SM_HAS_FMA 1
#define SM_SUFFIX avx512
#include "sm_instance.h"

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
