/* The read-bandwidth bound for the comparison: sums a float32 file's bytes on 1 or more threads
 * (OpenMP), compiled -O3 -march=native, with each read kernel of ReadKernels/include/read_kernels.h
 * (plain, wide, wide with prefetches 1-8 KiB ahead), and reports the fastest of those and of
 *
 *   claims     the fastest kernel, threads taking 32 MiB at a time from a shared counter
 *              instead of one fixed half each (as matchd's search workers claim rows, so a
 *              slower vCPU ends up with less of the work)
 *
 * The kernels are ReadKernels/read_kernels.c (the benchmarks package's C target), included here,
 * so `matcher-compare search` times its read passes beside the single queries with the same code.
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

#include "ReadKernels/read_kernels.c"

/* Best of `passes` timed passes of kernel `kernel` (read_kernels.h), the blocks split in one
 * range per thread, or with `claims` taken 32 MiB at a time. */
static double best_gbps(const float *data, size_t blocks, int kernel, int claims, int passes, float *sink) {
    omp_set_schedule(claims ? omp_sched_dynamic : omp_sched_static, claims ? 8192 : 0);
    double best = 1e30;
    for (int pass = 0; pass < passes; pass++) {
        double t0 = omp_get_wtime();
        float total = 0;
#pragma omp parallel for reduction(+ : total) schedule(runtime)
        for (size_t b = 0; b < blocks; b++) {
            total += read_block(data + b * READ_BLOCK_FLOATS, kernel);
        }
        double t = omp_get_wtime() - t0;
        if (t < best) best = t;
        *sink += total;
    }
    return (double)(blocks * READ_BLOCK_FLOATS) * sizeof(float) / best / 1e9;
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
    size_t blocks = n / READ_BLOCK_FLOATS;
    float sink = 0;
    double best = 0;
    int fastest = 0;
    for (int i = 0; i < read_kernel_count(); i++) {
        double g = best_gbps(data, blocks, i, 0, 5, &sink);
        fprintf(stderr, "%s: %.3f GB/s\n", read_kernel_name(i), g);
        if (g > best) {
            best = g;
            fastest = i;
        }
    }
    double g = best_gbps(data, blocks, fastest, 1, 5, &sink);
    fprintf(stderr, "%s, claims: %.3f GB/s\n", read_kernel_name(fastest), g);
    if (g > best) best = g;
    printf("%.3f\n", best);
    fprintf(stderr, "(checksum %g)\n", sink);
    return 0;
}
