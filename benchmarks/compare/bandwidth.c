/* The read-bandwidth bound for the comparison: sums a float32 file's bytes on 1 or more threads
 * (OpenMP), compiled -O3 -march=native, with several read kernels, and reports the fastest:
 *
 *   plain      16 scalar accumulators per 4 KiB block, vectorised by the compiler
 *   wide       four 64-byte vector accumulators, 256 bytes per step
 *   wide+pf N  as wide, with a software prefetch of each line N bytes ahead (matchd's
 *              kernels prefetch the rows a few KiB ahead, spread over each row's steps)
 *   claims     the fastest of those, threads taking 32 MiB at a time from a shared counter
 *              instead of one fixed half each (as matchd's search workers claim rows, so a
 *              slower vCPU ends up with less of the work)
 *
 * Usage: bandwidth FILE THREADS  ->  prints the best GB/s (each kernel best of 5 passes) on
 * stdout, every kernel's GB/s on stderr. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

typedef float v16 __attribute__((vector_size(64), aligned(64)));

#define BLOCK 1024 /* floats per block: 4 KiB */

static float sum_plain(const float *p) {
    float acc[16] = {0}, total = 0;
    for (int i = 0; i < BLOCK; i += 16)
        for (int j = 0; j < 16; j++) acc[j] += p[i + j];
    for (int j = 0; j < 16; j++) total += acc[j];
    return total;
}

static float sum_wide(const float *p, long prefetch) {
    v16 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    for (int i = 0; i < BLOCK; i += 64) {
        if (prefetch) {
            const char *ahead = (const char *)(p + i) + prefetch;
            __builtin_prefetch(ahead, 0, 3);
            __builtin_prefetch(ahead + 64, 0, 3);
            __builtin_prefetch(ahead + 128, 0, 3);
            __builtin_prefetch(ahead + 192, 0, 3);
        }
        a0 += *(const v16 *)(p + i);
        a1 += *(const v16 *)(p + i + 16);
        a2 += *(const v16 *)(p + i + 32);
        a3 += *(const v16 *)(p + i + 48);
    }
    v16 s = (a0 + a1) + (a2 + a3);
    float total = 0;
    for (int j = 0; j < 16; j++) total += s[j];
    return total;
}

/* Best of `passes` timed passes of kernel `kernel` (0 plain, else wide with `prefetch`), the
 * blocks split in one range per thread, or with `claims` taken 32 MiB at a time. */
static double best_gbps(const float *data, size_t blocks, int kernel, long prefetch, int claims, int passes,
                        float *sink) {
    omp_set_schedule(claims ? omp_sched_dynamic : omp_sched_static, claims ? 8192 : 0);
    double best = 1e30;
    for (int pass = 0; pass < passes; pass++) {
        double t0 = omp_get_wtime();
        float total = 0;
#pragma omp parallel for reduction(+ : total) schedule(runtime)
        for (size_t b = 0; b < blocks; b++) {
            const float *p = data + b * BLOCK;
            total += kernel == 0 ? sum_plain(p) : sum_wide(p, prefetch);
        }
        double t = omp_get_wtime() - t0;
        if (t < best) best = t;
        *sink += total;
    }
    return (double)(blocks * BLOCK) * sizeof(float) / best / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: bandwidth FILE THREADS\n"); return 2; }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) { perror(argv[1]); return 1; }
    size_t n = (size_t)st.st_size / sizeof(float);
    float *data = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    size_t done = 0;
    while (done < n * sizeof(float)) {
        ssize_t r = read(fd, (char *)data + done, n * sizeof(float) - done);
        if (r <= 0) { perror("read"); return 1; }
        done += (size_t)r;
    }
    omp_set_num_threads(atoi(argv[2]));
    size_t blocks = n / BLOCK;
    float sink = 0;
    static const struct { const char *name; int kernel; long prefetch; } kernels[] = {
        {"plain", 0, 0}, {"wide", 1, 0}, {"wide+pf 1024", 1, 1024}, {"wide+pf 4096", 1, 4096},
        {"wide+pf 8192", 1, 8192},
    };
    double best = 0;
    size_t fastest = 0;
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
        double g = best_gbps(data, blocks, kernels[i].kernel, kernels[i].prefetch, 0, 5, &sink);
        fprintf(stderr, "%s: %.3f GB/s\n", kernels[i].name, g);
        if (g > best) {
            best = g;
            fastest = i;
        }
    }
    double g = best_gbps(data, blocks, kernels[fastest].kernel, kernels[fastest].prefetch, 1, 5, &sink);
    fprintf(stderr, "%s, claims: %.3f GB/s\n", kernels[fastest].name, g);
    if (g > best) best = g;
    printf("%.3f\n", best);
    fprintf(stderr, "(checksum %g)\n", sink);
    return 0;
}
