// The one C boundary to OpenBLAS (CBLAS) and LAPACKE. Only Kernels/BLAS.swift and
// Kernels/LAPACK.swift import this module, and they import it `internal`, so no C name
// reaches a client of SyftCore.
#pragma once
#include <cblas.h>
#include <lapacke.h>
