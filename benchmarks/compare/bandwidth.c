/* The read-bandwidth bound for the comparison: sums a float32 file's bytes with the widest
 * vectors the compiler targets (-O3 -march=native), on 1 or more threads (OpenMP).
 * Usage: bandwidth FILE THREADS  ->  prints GB/s (best of 5 passes). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

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
    int threads = atoi(argv[2]);
    omp_set_num_threads(threads);
    double best = 1e30;
    float sink = 0;
    for (int pass = 0; pass < 5; pass++) {
        double t0 = omp_get_wtime();
        float total = 0;
#pragma omp parallel for reduction(+ : total) schedule(static)
        for (size_t b = 0; b < n / 1024; b++) {
            float acc[16] = {0};
            const float *p = data + b * 1024;
            for (int i = 0; i < 1024; i += 16)
                for (int j = 0; j < 16; j++) acc[j] += p[i + j];
            for (int j = 0; j < 16; j++) total += acc[j];
        }
        double t = omp_get_wtime() - t0;
        if (t < best) best = t;
        sink += total;
    }
    printf("%.3f\n", (double)(n / 1024 * 1024) * sizeof(float) / best / 1e9);
    fprintf(stderr, "(checksum %g)\n", sink);
    return 0;
}
