// The C surface Matcher uses: OpenBLAS (CBLAS), netlib LAPACKE, and matchd's own AVX2 dot kernels and AMX screen.
// Only the Matcher module imports this; see ../shared/STYLE.md ("Why Matcher owns all of OpenBLAS").
#ifndef MATCHD_CBLAS_SHIM_H
#define MATCHD_CBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#include "dot_kernels.h"
#include "screen_kernels.h"
#endif
