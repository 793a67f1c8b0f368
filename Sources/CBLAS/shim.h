// The C surface matchd uses from OpenBLAS (CBLAS) and netlib LAPACKE.
// Only the Matcher module imports this; see ../shared/STYLE.md ("Why Matcher owns all of OpenBLAS").
#ifndef MATCHD_CBLAS_SHIM_H
#define MATCHD_CBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
