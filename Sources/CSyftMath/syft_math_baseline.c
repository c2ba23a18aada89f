/*
 * Baseline code path: 16-byte vectors with the compiler's default target
 * (SSE2 on x86-64, NEON on arm64; other targets get what the vector
 * extensions lower to).
 */
#include "sm_dispatch.h"

#define SM_VBYTES 16
#define SM_SUFFIX baseline
#include "sm_instance.h"
