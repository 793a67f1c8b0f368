/* The read kernels of include/read_kernels.h. `bandwidth.c` includes this file, so the bound
 * it measures and the read passes of `matcher-compare search` run the same code. */
#include "include/read_kernels.h"

#include <stdint.h>

typedef float read_v16 __attribute__((vector_size(64), aligned(64)));

static const struct {
    const char *name;
    long prefetch; /* bytes ahead; 0: none */
    int wide;
} read_kernels[] = {
    {"plain", 0, 0}, {"wide", 0, 1}, {"wide+pf 1024", 1024, 1}, {"wide+pf 4096", 4096, 1}, {"wide+pf 8192", 8192, 1},
};

int read_kernel_count(void) { return (int)(sizeof read_kernels / sizeof read_kernels[0]); }

const char *read_kernel_name(int kernel) {
    return kernel >= 0 && kernel < read_kernel_count() ? read_kernels[kernel].name : "?";
}

static inline float read_block_plain(const float *p) {
    float acc[16] = {0}, total = 0;
    for (int i = 0; i < READ_BLOCK_FLOATS; i += 16)
        for (int j = 0; j < 16; j++) acc[j] += p[i + j];
    for (int j = 0; j < 16; j++) total += acc[j];
    return total;
}

static inline float read_block_wide(const float *p, long prefetch) {
    read_v16 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    for (int i = 0; i < READ_BLOCK_FLOATS; i += 64) {
        if (prefetch) {
            const char *ahead = (const char *)(p + i) + prefetch;
            __builtin_prefetch(ahead, 0, 3);
            __builtin_prefetch(ahead + 64, 0, 3);
            __builtin_prefetch(ahead + 128, 0, 3);
            __builtin_prefetch(ahead + 192, 0, 3);
        }
        a0 += *(const read_v16 *)(p + i);
        a1 += *(const read_v16 *)(p + i + 16);
        a2 += *(const read_v16 *)(p + i + 32);
        a3 += *(const read_v16 *)(p + i + 48);
    }
    read_v16 s = (a0 + a1) + (a2 + a3);
    float total = 0;
    for (int j = 0; j < 16; j++) total += s[j];
    return total;
}

float read_block(const float *p, int kernel) {
    return read_kernels[kernel].wide ? read_block_wide(p, read_kernels[kernel].prefetch) : read_block_plain(p);
}

float read_sum(const float *p, size_t count, int kernel) {
    float total = 0;
    size_t i = 0;
    while (i < count && ((uintptr_t)(p + i) & 63) != 0) total += p[i++];
    size_t blocks = (count - i) / READ_BLOCK_FLOATS;
    const float *b = p + i;
    if (read_kernels[kernel].wide) {
        long prefetch = read_kernels[kernel].prefetch;
        for (size_t j = 0; j < blocks; j++) total += read_block_wide(b + j * READ_BLOCK_FLOATS, prefetch);
    } else {
        for (size_t j = 0; j < blocks; j++) total += read_block_plain(b + j * READ_BLOCK_FLOATS);
    }
    for (i += blocks * READ_BLOCK_FLOATS; i < count; i++) total += p[i];
    return total;
}
