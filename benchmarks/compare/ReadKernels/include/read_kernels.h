/* Read kernels for the comparison's memory bound: each sums floats as fast as a plain streaming
 * read can, so a single query over the same bytes cannot beat it. Used by `bandwidth.c` (the
 * bound measured up front) and by `matcher-compare search` (one read pass beside each timed
 * single query). Compiled -O3 -march=native in both.
 *
 * The kernels, by index:
 *
 *   0  plain      16 scalar accumulators per 4 KiB block, vectorised by the compiler
 *   1  wide       four 64-byte vector accumulators, 256 bytes per step
 *   2+ wide+pf N  as wide, with a software prefetch of each line N bytes ahead (N = 1024, 4096,
 *                 8192; matchd's kernels prefetch the rows a few KiB ahead, spread over each
 *                 row's steps) */
#ifndef MATCHD_READ_KERNELS_H
#define MATCHD_READ_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Floats per block: 4 KiB. */
#define READ_BLOCK_FLOATS 1024

/* How many kernels there are, and kernel `kernel`'s name ("plain", "wide", "wide+pf 1024", ...). */
int read_kernel_count(void);
const char *read_kernel_name(int kernel);

/* The sum of one 4 KiB block at `p` (64-byte aligned) with kernel `kernel`. */
float read_block(const float *p, int kernel);

/* The sum of `count` floats from `p` (any 4-byte alignment) with kernel `kernel`: the floats
 * before the first 64-byte boundary and after the last whole block one by one, the blocks
 * between with the kernel. */
float read_sum(const float *p, size_t count, int kernel);

#ifdef __cplusplus
}
#endif

#endif
